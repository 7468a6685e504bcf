"""Forms of the export pages (docs/domain.md#exports): each export's filters, as the lists
that show them, and the language of the file."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from crm.core.extensions import db
from crm.core.forms import CalendarDateField
from crm.core.forms import select_choices as choices
from crm.core.i18n import LANGUAGE_NAMES, sorted_countries
from crm.countries.models import Country
from crm.data.columns import CODES
from crm.data.filters import ALL_STATUSES, DEFAULT_STATUS
from crm.labels import PROGRAM_NAME, TRIAGE


def _country_choices() -> list[SelectChoice]:
    codes = db.session.scalars(select(Country.code))
    return choices([("", _l("All countries")), *sorted_countries(codes)])


def _labels_field() -> SelectField:
    """The language of an export: each locale by its own name, or codes for scripts."""
    return SelectField(
        _l("Headings and values"),
        description=_l(
            "In a language, as the screens show them; or as codes, the machine form scripts "
            "and the API read."
        ),
        choices=choices([*LANGUAGE_NAMES.items(), (CODES, _l("Codes, for scripts"))]),
        validators=[Optional()],
    )


class ResponseExportForm(FlaskForm):
    """Filters of the response export: the same query arguments as the response list; and
    the file's language."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Triage status"),
        choices=choices([(ALL_STATUSES, _l("All statuses")), *TRIAGE.items()]),
        default=DEFAULT_STATUS,
        validators=[Optional()],
    )
    country = SelectField(_l("Country"), validators=[Optional()])
    language = SelectField(
        _l("Language"),
        choices=choices([("", _l("All")), *LANGUAGE_NAMES.items()]),
        validators=[Optional()],
    )
    suggested = BooleanField(_l("Only responses with a suggested duplicate"))
    date_from = CalendarDateField(_l("Submitted from"), validators=[Optional()], name="from")
    date_to = CalendarDateField(_l("Submitted until"), validators=[Optional()], name="to")
    labels = _labels_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = _country_choices()


class PracticeExportForm(FlaskForm):
    """Filters of the practice export: the same query arguments as the practice list; and
    the file's language."""

    class Meta:
        csrf = False

    q = StringField(_l("Name"), validators=[Optional(), Length(max=300)])
    country = SelectField(_l("Country"), validators=[Optional()])
    program = SelectField(
        _l("Interested in"),
        choices=choices([("", _l("Any program")), *((code, code) for code in PROGRAM_NAME)]),
        validators=[Optional()],
    )
    labels = _labels_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = _country_choices()


class ContactExportForm(FlaskForm):
    """Filters of the contact export: the same query arguments as the contact list; and the
    file's language."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or email"), validators=[Optional(), Length(max=300)])
    country = SelectField(_l("Country"), validators=[Optional()])
    permission = SelectField(
        _l("Permission to contact"),
        choices=choices([("", _l("Any")), ("yes", _l("Yes")), ("no", _l("No"))]),
        validators=[Optional()],
    )
    labels = _labels_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = _country_choices()


class PipelineLanguageForm(FlaskForm):
    """The language of the pipeline export (its filters are the country list's form)."""

    class Meta:
        csrf = False

    labels = _labels_field()
