"""Forms of the import wizard (docs/domain.md#imports): the upload, the columns (a column, the
same value for every row, or one column per option of a multiple choice), the answers, the
commit, saving the mapping as a template, undo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from crm import labels
from crm.core.forms import select_choices as choices
from crm.core.i18n import LANGUAGE_NAMES, LOCALES, sorted_countries
from crm.data.imports.headings import choice_labels
from crm.data.imports.issues import describe
from crm.data.imports.operations import fixed_value_problem, known_countries
from crm.data.imports.targets import (
    REQUIRED_TARGETS,
    RESPONSE_TARGETS,
    TARGET_CHOICES,
    TARGET_TITLES,
    TARGETS,
)
from crm.data.imports.values import BLANK_CODE, value_titles
from crm.responses.questionnaire import NUMBER_BOUNDS, SECTIONS

#: The choice of a column select that means "the same value for every row".
FIXED = "fixed"
#: Kinds of answer whose fixed value is chosen from a list.
_LISTED = ("choice", "country")


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
    """Step 2 base: the file's language and date order; per answer key a column select and
    a fixed value are added by :func:`column_mapping_form`, and per option of a multiple
    choice a column select."""

    language = SelectField(
        _l("Language of the responses"),
        description=_l(
            "Guessed from the file's headings and answers; change it if it is wrong. Used for "
            "rows whose language no column gives."
        ),
        choices=choices(LANGUAGE_NAMES.items()),
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
            if value not in (None, "", FIXED):
                chosen[key] = int(value)
        return chosen

    def fixed(self) -> dict[str, Any]:
        """Answer key → the value chosen for every row."""
        return {
            key: self[f"fixed_{key}"].data.strip()
            for key in TARGETS
            if self[f"target_{key}"].data == FIXED and (self[f"fixed_{key}"].data or "").strip()
        }

    def options(self) -> dict[str, dict[str, int]]:
        """Multiple-choice answer key → {option code: column position}."""
        found: dict[str, dict[str, int]] = {}
        for key, kind in TARGETS.items():
            if kind != "multi":
                continue
            for code in TARGET_CHOICES[key]:
                value = self[option_field_name(key, code)].data
                if value not in (None, ""):
                    found.setdefault(key, {})[code] = int(value)
        return found

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own checks, then: a column chosen once, a fixed value where "the
        same value for every row" is chosen (and one the answer takes), the required answers
        given."""
        if not super().validate(extra_validators):
            return False
        valid = self._columns_once()
        for key in TARGETS:
            if self[f"target_{key}"].data != FIXED:
                continue
            value = (self[f"fixed_{key}"].data or "").strip()
            problem = fixed_value_problem(key, value) if value else None
            if not value or problem is not None:
                message = describe(problem) if problem else _("Give the value for every row.")
                self[f"fixed_{key}"].errors.append(message)
                valid = False
        return valid

    def _columns_once(self) -> bool:
        positions: dict[int, str] = {}
        valid = True
        chosen = [(f"target_{k}", k, p) for k, p in self.mapping().items()] + [
            (option_field_name(k, c), k, p) for k, codes in self.options().items()
            for c, p in codes.items()
        ]  # fmt: skip
        for name, key, position in chosen:
            if position in positions:
                self[name].errors.append(
                    _(
                        "This column is already chosen for “%(other)s”.",
                        other=TARGET_TITLES[positions[position]],
                    )  # fmt: skip
                )
                valid = False
            positions.setdefault(position, key)
        return valid


def option_field_name(key: str, code: str) -> str:
    """Name of the select of the column holding option ``code`` of multiple choice ``key``."""
    return f"option_{key}_{code}"


def _fixed_field(key: str) -> Any:
    """The input of answer ``key``'s value for every row: a list for closed answers and
    countries, text otherwise."""
    kind = TARGETS[key]
    label = _l("Value for every row")
    if kind == "choice":
        titles = (
            {"yes": _l("Consent was collected from every respondent, outside this file")}
            if key == "consent"
            else value_titles(key)
        )
        return SelectField(
            label, choices=choices([("", ""), *titles.items()]), validators=[Optional()]
        )
    if kind == "country":
        return SelectField(
            label, choices=choices([("", ""), *sorted_countries(known_countries())]),
            validators=[Optional()],
        )  # fmt: skip
    if kind == "number":
        low, high = NUMBER_BOUNDS[key]
        return StringField(
            label,
            description=_l("A whole number from %(low)s to %(high)s.", low=low, high=high),
            validators=[Optional(), Length(max=20)],
        )
    if kind == "datetime":
        return StringField(
            label,
            description=_l("A date, e.g. 2019-03-31."),
            validators=[Optional(), Length(max=40)],
        )
    return StringField(label, validators=[Optional(), Length(max=300)])


def column_mapping_form(
    columns: list[str], mapping: dict[str, Any], **kwargs: Any
) -> ColumnMappingForm:
    """A ColumnMappingForm with, per answer key, a select of the file's columns (each named by
    its whole heading, or its start and the end that tells it apart) plus "the same value for
    every row" and that value's input; per option of a multiple choice a select of the
    columns; preset from ``mapping`` (the batch's saved, a template's or the suggested one)."""

    class Form(ColumnMappingForm):
        pass

    labels = choice_labels(columns)
    positions = [(str(p), label) for p, label in enumerate(labels)]
    options = choices(
        [
            ("", _l("— not in the file —")),
            (FIXED, _l("— the same value for every row —")),
            *positions,
        ]
    )
    for key in TARGETS:
        validators: list[Any] = (
            [_required_choice] if key in REQUIRED_TARGETS
            else [_consent_choice] if key == "consent"
            else [Optional()]
        )  # fmt: skip
        setattr(
            Form,
            f"target_{key}",
            SelectField(TARGET_TITLES[key], choices=options, validators=validators),
        )
        setattr(Form, f"fixed_{key}", _fixed_field(key))
        if TARGETS[key] == "multi":
            titles = value_titles(key)
            for code in TARGET_CHOICES[key]:
                setattr(Form, option_field_name(key, code), SelectField(
                    titles[code], choices=choices([("", _l("— no column —")), *positions]),
                    validators=[Optional()],
                ))  # fmt: skip
    return Form(data=_preset(mapping), **kwargs)


def _preset(mapping: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {f"target_{k}": str(p) for k, p in mapping.get("columns", {}).items()}
    for key, value in (mapping.get("fixed") or {}).items():
        data[f"target_{key}"], data[f"fixed_{key}"] = FIXED, str(value)
    for key, codes in (mapping.get("options") or {}).items():
        for code, position in codes.items():
            data[option_field_name(key, code)] = str(position)
    data["language"] = mapping.get("language") if mapping.get("language") in LOCALES else "en"
    data["date_order"] = mapping.get("date_order") or "auto"
    return data


def _chosen(message: Any) -> Callable[[FlaskForm, SelectField], None]:
    """A validator refusing a target left "not in the file", with ``message``."""

    def check(form: FlaskForm, field: SelectField) -> None:
        if field.data in (None, ""):
            raise ValidationError(message)

    return check


_required_choice = _chosen(
    _l(
        "Choose the column that holds this answer, or give the same value for every row: it is "
        "required."
    )
)
# Without it every row is refused at the preview (docs/decisions.md#import-consent): said here,
# where it can be fixed, rather than on each of the file's rows.
_consent_choice = _chosen(
    _l(
        "Choose the column that holds the consent to the privacy notice, or choose “the same "
        "value for every row” to state that consent was collected outside this file. Without "
        "it, every row would be refused."
    )
)


class ValueMappingForm(FlaskForm):
    """Step 3 base: per distinct answer of each question a select (closed questions) or a
    number (numbers typed in words) is added by :func:`value_mapping_form`."""

    def mapping(self, questions: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Answer key → {value key: code, BLANK_CODE, None for unmapped; or a number, None
        for not known}."""
        chosen: dict[str, dict[str, Any]] = {}
        for question in questions:
            key = question["key"]
            chosen[key] = {}
            for index, (normalized, *_rest) in enumerate(question["values"]):
                value = self[value_field_name(key, index)].data
                if question["kind"] == "number":
                    value = int(value.strip()) if value and value.strip() else None
                chosen[key][normalized] = value or (0 if value == 0 else None)
        return chosen


def value_field_name(key: str, index: int) -> str:
    """Name of the field for the ``index``-th distinct answer of question ``key``."""
    return f"value_{key}_{index}"


def _whole_number(low: int, high: int) -> Any:
    def check(form: FlaskForm, field: StringField) -> None:
        text = (field.data or "").strip()
        if text and (not (text.isascii() and text.isdigit()) or not low <= int(text) <= high):
            raise ValidationError(
                _(
                    "Enter a whole number from %(low)s to %(high)s, or leave it empty.",
                    low=low,
                    high=high,
                )
            )

    return check


def value_mapping_form(questions: list[dict[str, Any]], **kwargs: Any) -> ValueMappingForm:
    """A ValueMappingForm with, per distinct answer, a select of the question's codes, or a
    number input (empty: not known), preset from the saved or suggested mapping
    (``crm.data.imports.operations.value_questions``)."""

    class Form(ValueMappingForm):
        pass

    data = {}
    for question in questions:
        key = question["key"]
        for index, (_normalized, raw, _count, code, _how) in enumerate(question["values"]):
            name = value_field_name(key, index)
            if question["kind"] == "number":
                low, high = NUMBER_BOUNDS[key]
                setattr(Form, name, StringField(raw, validators=[_whole_number(low, high)]))
                data[name] = "" if code is None else str(code)
                continue
            options = choices(
                [
                    ("", _l("— not mapped: the row gets an error —")),
                    (BLANK_CODE, _l("No answer")),
                    *value_titles(key).items(),
                ]
            )
            setattr(Form, name, SelectField(raw, choices=options, validators=[Optional()]))
            data[name] = code or ""
    return Form(data=data, **kwargs)


class CommitForm(FlaskForm):
    """Step 4: store the rows."""

    skip_invalid = BooleanField(_l("Import the valid rows and skip the rows listed with errors"))


class TemplateForm(FlaskForm):
    """Save the mapping as a template for the next file with the same headings."""

    name = StringField(
        _l("Template name"),
        description=_l(
            "The next file with the same headings gets this mapping, answers and fixed values."
        ),
        validators=[DataRequired(message=_l("Give the template a name.")), Length(max=100)],
    )


class ConfirmForm(FlaskForm):
    """A button that changes state (discard, undo, continue): CSRF only."""


#: The column selects of step 2, grouped as the questionnaire is; the permission to contact and
#: the consent go with the contact, the comments with the programs, and last what describes the
#: response.
TARGET_GROUPS = (
    (_l("Practice"), SECTIONS["practice"]),
    (_l("Contact"), (*SECTIONS["about_you"], "permission_to_contact")),
    (_l("Programs"), (*SECTIONS["programs"], *SECTIONS["comments"])),
    (_l("Consent"), ("consent", "consent_at")),
    (_l("Response"), tuple(k for k in RESPONSE_TARGETS if k != "consent_at")),
)
IMPORT_STATUS_TITLES = labels.IMPORT_STATUS
