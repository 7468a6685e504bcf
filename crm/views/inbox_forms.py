"""Forms of the response inbox: list filters (GET) and the triage actions (POST)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from crm import labels
from crm.views.form_choices import select_choices

ALL = "all"


class InboxFilterForm(FlaskForm):
    """Filters of the inbox list, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Triage status"),
        choices=select_choices([*labels.TRIAGE.items(), (ALL, _l("All statuses"))]),
        default="new",
        validators=[Optional()],
    )
    country = SelectField(_l("Country"), choices=[], default="", validators=[Optional()])
    language = SelectField(
        _l("Language"),
        choices=select_choices(
            [
                ("", _l("All languages")),
                ("en", "English"),
                ("es", "Español"),
                ("pt_BR", "Português"),
            ]
        ),
        default="",
        validators=[Optional()],
    )
    suggested = BooleanField(_l("Only responses with a suggested duplicate"))


class TriageActionForm(FlaskForm):
    """A triage button: no fields, only the CSRF token."""


class LinkResponseForm(FlaskForm):
    """File a response under another practice chosen from a search within its country."""

    practice_id = IntegerField(
        _l("Practice"),
        validators=[InputRequired(message=_l("Choose the practice to link this response to."))],
    )
    #: The search that listed the practices, to list them again after an error.
    q = HiddenField()


class PracticeSearchForm(FlaskForm):
    """Search practices of the response's country by name (GET)."""

    class Meta:
        csrf = False

    q = StringField(_l("Practice name"), validators=[Optional(), Length(max=300)])


class DuplicateForm(FlaskForm):
    """Mark a response duplicate, optionally of a given practice (the suggested one)."""

    of_practice_id = HiddenField()
