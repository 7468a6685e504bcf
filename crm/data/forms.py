"""Forms of the import and export pages (blueprint ``data``)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from crm.core.extensions import db
from crm.core.forms import CalendarDateField
from crm.core.i18n import LANGUAGE_NAMES, LOCALES, sorted_countries
from crm.countries.models import Country
from crm.data.columns import CODES
from crm.data.filters import ALL_STATUSES, DEFAULT_STATUS
from crm.data.imports.targets import REQUIRED_TARGETS, RESPONSE_TARGETS, TARGET_TITLES, TARGETS
from crm.data.imports.values import BLANK_CODE, LANGUAGE_TITLES, value_titles
from crm.labels import PROGRAM_NAME, TRIAGE
from crm.responses.questionnaire import SECTIONS

#: Largest number of characters of a heading shown in a column choice.
HEADING_SHOWN = 90


def choices(pairs: Any) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class UploadForm(FlaskForm):
    """Step 1: the file, and how many rows hold headings."""

    file = FileField(
        _l("File of responses"),
        description=_l(
            "CSV (comma, semicolon or tab separated; UTF-8, UTF-16 or Windows-1252), a text "
            "file saved by Excel, or an Excel workbook (.xlsx): the first sheet is read."
        ),
        validators=[FileRequired(message=_l("Choose a file to upload."))],
    )
    header_rows = SelectField(
        _l("Rows of headings"),
        description=_l(
            "Some tools write two or three rows of headings (SurveyMonkey, Qualtrics). "
            "Leave it on “detect” unless the preview shows headings as answers."
        ),
        choices=choices(
            [("auto", _l("Detect")), ("1", _l("1 row")), ("2", _l("2 rows")), ("3", _l("3 rows"))]
        ),
        default="auto",
    )

    def header_rows_value(self) -> int | None:
        """The forced number of heading rows, or None to detect them."""
        return None if self.header_rows.data == "auto" else int(self.header_rows.data)


class ColumnMappingForm(FlaskForm):
    """Step 2 base: default language and date order; one select per answer key is added by
    :func:`column_mapping_form`."""

    language = SelectField(
        _l("Language of the responses"),
        description=_l("Used for rows whose language is not given by a mapped column."),
        choices=choices(LANGUAGE_TITLES.items()),
    )
    date_order = SelectField(
        _l("Dates such as 03/04/2024"),
        description=_l("Times without a time zone are read as UTC."),
        choices=choices(
            [
                ("auto", _l("Detect from the values")),
                ("dmy", _l("Day first (3 April)")),
                ("mdy", _l("Month first (4 March)")),
            ]
        ),
    )

    def mapping(self) -> dict[str, int]:
        """Answer key → column position chosen."""
        chosen = {}
        for key in TARGETS:
            value = self[f"target_{key}"].data
            if value not in (None, ""):
                chosen[key] = int(value)
        return chosen

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own checks, then no column chosen for two answer keys."""
        if not super().validate(extra_validators):
            return False
        positions: dict[int, str] = {}
        valid = True
        for key, position in self.mapping().items():
            if position in positions:
                self[f"target_{key}"].errors.append(
                    _(
                        "This column is already chosen for “%(other)s”.",
                        other=TARGET_TITLES[positions[position]],
                    )
                )
                valid = False
            positions.setdefault(position, key)
        return valid


def column_mapping_form(
    columns: list[str], mapping: dict[str, Any], **kwargs: Any
) -> ColumnMappingForm:
    """A ColumnMappingForm with a select of the file's columns per answer key, preset from
    ``mapping`` (the batch's saved or suggested one)."""

    class Form(ColumnMappingForm):
        pass

    options = choices(
        [("", _l("— not in the file —"))]
        + [(str(p), _column_choice(p, heading)) for p, heading in enumerate(columns)]
    )
    for key in TARGETS:
        validators: list[Any] = [Optional()]
        if key in REQUIRED_TARGETS:
            validators = [_required_choice]
        setattr(
            Form,
            f"target_{key}",
            SelectField(TARGET_TITLES[key], choices=options, validators=validators),
        )
    saved = mapping.get("columns", {})
    data = {f"target_{key}": str(saved[key]) for key in saved}
    data |= {
        "language": mapping.get("language") if mapping.get("language") in LOCALES else "en",
        "date_order": mapping.get("date_order") or "auto",
    }
    return Form(data=data, **kwargs)


def _required_choice(form: FlaskForm, field: SelectField) -> None:
    if field.data in (None, ""):
        raise ValidationError(_l("Choose the column that holds this answer; it is required."))


def _column_choice(position: int, heading: str) -> str:
    shown = " ".join(heading.split()) or "—"
    if len(shown) > HEADING_SHOWN:
        shown = shown[: HEADING_SHOWN - 1] + "…"
    return f"{position + 1}. {shown}"


class ValueMappingForm(FlaskForm):
    """Step 3 base: one select per distinct answer of each closed question is added by
    :func:`value_mapping_form`."""

    def mapping(self, questions: list[dict[str, Any]]) -> dict[str, dict[str, str | None]]:
        """Answer key → {value key: code, BLANK_CODE, or None for unmapped}."""
        chosen: dict[str, dict[str, str | None]] = {}
        for question in questions:
            key = question["key"]
            chosen[key] = {}
            for index, (normalized, *_rest) in enumerate(question["values"]):
                value = self[value_field_name(key, index)].data
                chosen[key][normalized] = value or None
        return chosen


def value_field_name(key: str, index: int) -> str:
    """Name of the select for the ``index``-th distinct answer of question ``key``."""
    return f"value_{key}_{index}"


def value_mapping_form(questions: list[dict[str, Any]], **kwargs: Any) -> ValueMappingForm:
    """A ValueMappingForm with, per distinct answer, a select of the question's codes preset
    from the saved or suggested mapping (``crm.data.imports.operations.closed_columns``)."""

    class Form(ValueMappingForm):
        pass

    data = {}
    for question in questions:
        key = question["key"]
        options = choices(
            [
                ("", _l("— not mapped: the row gets an error —")),
                (BLANK_CODE, _l("No answer")),
                *value_titles(key).items(),
            ]
        )
        for index, (_normalized, raw, _count, code) in enumerate(question["values"]):
            name = value_field_name(key, index)
            setattr(Form, name, SelectField(raw, choices=options, validators=[Optional()]))
            data[name] = code or ""
    return Form(data=data, **kwargs)


class CommitForm(FlaskForm):
    """Step 4: store the rows."""

    skip_invalid = BooleanField(
        _l("Import the valid rows and skip the rows listed with errors"),
    )


class DiscardForm(FlaskForm):
    """Delete a staged import."""


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
        choices=choices([("", _l("All")), *LANGUAGE_TITLES.items()]),
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


#: The column selects of step 2, grouped as the questionnaire is; the permission to contact
#: goes with the contact, the comments with the programs, and last what describes the response.
TARGET_GROUPS = (
    (_l("Practice"), SECTIONS["practice"]),
    (_l("Contact"), (*SECTIONS["about_you"], "permission_to_contact")),
    (_l("Programs"), (*SECTIONS["programs"], *SECTIONS["comments"])),
    (_l("Response"), tuple(RESPONSE_TARGETS)),
)
IMPORT_STATUS_TITLES = {
    "uploaded": _l("Uploaded"),
    "mapped": _l("Columns mapped"),
    "previewed": _l("Ready to import"),
    "committed": _l("Imported"),
}
