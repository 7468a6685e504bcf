"""Forms of the administration pages: program defaults and QCP capacity, audit log filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField
from wtforms.validators import InputRequired

from crm.pipeline_forms import COUNT_RANGE


class ProgramDefaultsForm(FlaskForm):
    """Admins: default thresholds of QOPI and QCP, and QCP capacity (SPEC §2, §3)."""

    qopi_threshold = IntegerField(
        _l("QOPI default threshold"),
        validators=[InputRequired(), COUNT_RANGE],
        description=_l("Eligible practices needed in a country, unless the country overrides it."),
    )
    qcp_threshold = IntegerField(
        _l("QCP default threshold"),
        validators=[InputRequired(), COUNT_RANGE],
        description=_l("Eligible QCP practices needed in a country, unless it overrides it."),
    )
    qcp_capacity = IntegerField(
        _l("QCP capacity"),
        validators=[InputRequired(), COUNT_RANGE],
        description=_l("The most countries where QCP may be launched at once."),
    )
    submit = SubmitField(_l("Save settings"))
