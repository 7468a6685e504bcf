"""Forms of the readiness screens: the dashboard's filters (read from the query string) and the
what-if page (docs/domain.md#dashboard, docs/domain.md#what-if)."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from crm import labels
from crm.core.forms import CalendarDateField, select_choices
from crm.core.i18n import LANGUAGE_NAMES, LOCALES, collation_key, region_name
from crm.countries import queries as country_queries
from crm.countries.models import PROGRAM_CODES
from crm.countries.thresholds import COUNT_RANGE
from crm.readiness.dashboard import DEFAULT_PERIOD, INCOME_ORDER, Filters

PERIOD_CHOICES = (
    ("3", _l("Last 3 months")),
    ("6", _l("Last 6 months")),
    ("12", _l("Last 12 months")),
    ("24", _l("Last 24 months")),
    ("all", _l("Every month")),
)


class DashboardFilterForm(FlaskForm):
    """The dashboard's filters; a value that is not one of the choices means "any"."""

    class Meta:
        csrf = False

    region = SelectField(_l("Region"), default="", validators=[Optional()])
    income_group = SelectField(
        _l("Income group"),
        choices=select_choices(
            [("", _l("Any income group")), *((g, labels.INCOME_GROUP[g]) for g in INCOME_ORDER)]
        ),
        default="",
        validators=[Optional()],
    )
    program = SelectField(
        _l("Program"),
        choices=select_choices([("", _l("Every program")), *((p, p) for p in PROGRAM_CODES)]),
        default="",
        validators=[Optional()],
    )
    language = SelectField(
        _l("Survey language"),
        choices=select_choices(
            [("", _l("Any language")), *((code, LANGUAGE_NAMES[code]) for code in LOCALES)]
        ),
        default="",
        validators=[Optional()],
    )
    period = SelectField(
        _l("Period"), choices=select_choices(PERIOD_CHOICES), default=DEFAULT_PERIOD
    )

    @classmethod
    def from_query(cls, args: Mapping[str, str]) -> DashboardFilterForm:
        """The form read from ``request.args``, region choices by their names in the page's
        language, validated."""
        form = cls(formdata=args)
        regions = sorted(
            ((code, region_name(code)) for code in country_queries.regions()),
            key=lambda pair: collation_key(pair[1]),
        )
        form.region.choices = select_choices([("", _l("Any region")), *regions])
        form.validate()
        return form

    def filters(self) -> Filters:
        """The filters the form holds; a field with an error is left at its default."""
        values = {
            name: self[name].data or ""
            for name in ("region", "income_group", "program", "language", "period")
            if not self[name].errors
        }
        if not values.get("period"):
            values.pop("period", None)
        return Filters(**values)


class WhatIfForm(FlaskForm):
    """Hypothetical changes of the what-if page (docs/domain.md#what-if); every field is
    optional. ``GET`` forms: nothing is written."""

    class Meta:
        csrf = False

    qopi_threshold = IntegerField(
        _l("QOPI default threshold"), validators=[Optional(), NumberRange(*COUNT_RANGE)]
    )
    qcp_threshold = IntegerField(
        _l("QCP default threshold"), validators=[Optional(), NumberRange(*COUNT_RANGE)]
    )
    qcp_capacity = IntegerField(
        _l("QCP capacity"), validators=[Optional(), NumberRange(*COUNT_RANGE)]
    )
    country = SelectField(_l("Country"), default="", validators=[Optional()])
    country_program = SelectField(
        _l("Program of the country's threshold"),
        choices=select_choices([("QOPI", "QOPI"), ("QCP", "QCP")]),
        default="QOPI",
    )
    country_threshold = IntegerField(
        _l("The country's threshold"), validators=[Optional(), NumberRange(*COUNT_RANGE)]
    )
    reviews = SelectMultipleField(
        _l("Privacy reviews taken as approved"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[Optional()],
    )
    agreement = SelectField(_l("Agreement taken as signed"), default="", validators=[Optional()])
    agreement_expires_on = CalendarDateField(
        _l("Signed until"), validators=[Optional()], description=_l("Empty: no expiry date.")
    )
    show = StringField(default="changes")
