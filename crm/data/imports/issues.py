"""Limits of an upload and the problems an import reports: :class:`Issue` codes with parameters,
rendered in the reader's language by :func:`describe`, so a preview checked once reads in each
viewer's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_decimal, ngettext
from flask_babel import lazy_gettext as _l

from crm.data.imports.targets import TARGET_TITLES


@dataclass(frozen=True)
class ImportLimits:
    """Largest file accepted, in bytes, rows and columns; for XLSX (a zip), the largest total
    size once unpacked and the strongest compression ratio of one member (zip-bomb guard)."""

    max_bytes: int = 5 * 1024 * 1024
    max_rows: int = 20_000
    max_columns: int = 500
    max_uncompressed_bytes: int = 100 * 1024 * 1024
    max_compression_ratio: int = 200
    max_zip_members: int = 1_000

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ImportLimits:
        """Limits from the app's settings (``MAX_CONTENT_LENGTH``, ``IMPORT_MAX_*``)."""
        default = cls()
        return cls(
            max_bytes=config.get("MAX_CONTENT_LENGTH") or default.max_bytes,
            max_rows=config.get("IMPORT_MAX_ROWS", default.max_rows),
            max_columns=config.get("IMPORT_MAX_COLUMNS", default.max_columns),
            max_uncompressed_bytes=config.get(
                "IMPORT_MAX_UNCOMPRESSED_BYTES", default.max_uncompressed_bytes
            ),
            max_compression_ratio=config.get(
                "IMPORT_MAX_COMPRESSION_RATIO", default.max_compression_ratio
            ),
        )


#: Issue code → message template (named placeholders; ``field`` is a target's translated title).
MESSAGES = {
    # The file as a whole
    "empty": _l("The file is empty."),
    "no_rows": _l("The file has headings but no rows of answers."),
    "too_large": _l("The file is %(size)s; the largest file accepted is %(limit)s."),
    "upload_too_large": _l("The file is larger than the largest file accepted, %(limit)s."),
    "too_many_rows": _l(
        "The file has more than %(limit)s rows of answers. Split it into smaller files."
    ),
    "too_many_columns": _l("The file has %(count)s columns; at most %(limit)s are accepted."),
    "too_few_columns": _l(
        "The file has a single column. An import needs at least a practice name column and a "
        "country column: check that the file is a table of responses."
    ),
    "nul_bytes": _l(
        "The file holds NUL characters (bytes of value 0), which a CSV file never does: it "
        "may be damaged, or be another kind of file named .csv. Open it in a spreadsheet and "
        "save it again as “CSV UTF-8”."
    ),
    "bad_encoding": _l(
        "The file's text is in an encoding that could not be recognised. Save it as "
        "“CSV UTF-8” and upload it again."
    ),
    "unreadable_csv": _l("The file could not be read as a table (CSV): %(detail)s."),
    "corrupt_xlsx": _l(
        "The spreadsheet could not be opened: it is damaged or not an Excel workbook (.xlsx)."
    ),
    "old_excel": _l(
        "This is an old Excel file (.xls) or a password-protected workbook. Save it as .xlsx "
        "or “CSV UTF-8” without a password and upload it again."
    ),
    "zip_bomb": _l(
        "The spreadsheet was refused as unsafe: once unpacked it would take %(size)s, more than "
        "the %(limit)s accepted."
    ),
    "zip_ratio": _l(
        "The spreadsheet was refused as unsafe: it is compressed far more strongly than a "
        "normal workbook."
    ),
    # Notes on how the file was read
    "read_as": _l("Read as %(format)s, text encoding %(encoding)s, separator “%(separator)s”."),
    "read_xlsx": _l("Read the first sheet, “%(sheet)s”, of the workbook."),
    "header_rows": _l("The headings span %(count)s rows; they were combined into one name."),
    # One row
    "missing": _l("%(field)s is missing."),
    "too_long": _l("%(field)s is longer than %(limit)s characters."),
    "no_letter_or_digit": _l("%(field)s needs at least one letter or digit."),
    "not_a_number": _l("%(field)s: “%(value)s” is not a whole number."),
    "out_of_range": _l("%(field)s: %(value)s is outside the accepted range %(low)s to %(high)s."),
    "bad_email": _l("%(field)s: “%(value)s” is not an email address."),
    "unknown_country": _l("%(field)s: “%(value)s” is not a country code or name we recognise."),
    "unmapped_value": _l(
        "%(field)s: the answer “%(value)s” is not mapped to one of our answers (values step)."
    ),
    "bad_date": _l("%(field)s: “%(value)s” is not a date and time that could be read."),
    "future_date": _l("%(field)s: %(value)s is in the future."),
    "approximate": _l("%(field)s: “%(value)s” imported as %(number)s (an approximation)."),
    "range": _l("%(field)s: “%(value)s” imported as %(number)s, the smaller end of the range."),
    "at_least": _l("%(field)s: “%(value)s” imported as %(number)s (at least that many)."),
    "at_most": _l("%(field)s: “%(value)s” imported as %(number)s (at most that many)."),
    "chosen_number": _l("%(field)s: “%(value)s” imported as %(number)s (values step)."),
    "not_known": _l("%(field)s: “%(value)s” imported as not known."),
    "no_consent": _l(
        "No consent to the privacy notice is recorded for this row: map the column that "
        "holds it, or, if consent was collected outside the file, give the same value for "
        "every row."
    ),
    "consent_refused": _l(
        "%(field)s: “%(value)s” does not say the respondent accepted the privacy notice."
    ),
    "seen_before": _l(
        "Submission “%(value)s” was imported before: the row is skipped, not stored twice."
    ),
    "seen_in_file": _l(
        "Submission “%(value)s” is the same as row %(row)s: the row is skipped, not stored twice."
    ),
    "double_submission": _l(
        "Same answers from the same person as %(where)s, under another submission id: "
        "imported and suggested as a duplicate."
    ),
    "not_fixed": _l(
        "%(field)s differs from row to row: it cannot take the same value for every row."
    ),
    "no_contact": _l("No contact name or email: the practice is imported without a contact."),
    "no_timestamp": _l("No submission time (an incomplete response?): the import time is used."),
}


@dataclass(frozen=True)
class Issue:
    """A problem or note: a MESSAGES code and its parameters (plain JSON values)."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """``{"code", "params"}``, as stored with a batch."""
        return {"code": self.code, "params": dict(self.params)}


def describe(issue: Issue | Mapping[str, Any]) -> str:
    """The issue's sentence in the current locale. Accepts an Issue or its ``as_json`` form.

    ``field`` holds an answer key and is shown as that target's title; sizes in bytes (``size``,
    ``limit`` of the size codes) are shown in megabytes; numbers are formatted for the locale.
    """
    if isinstance(issue, Issue):
        issue = issue.as_json()
    code, params = issue["code"], dict(issue.get("params") or {})
    if "field" in params:
        params["field"] = str(TARGET_TITLES.get(params["field"], params["field"]))
    if code in {"too_large", "upload_too_large", "zip_bomb"}:
        params = {k: _megabytes(v) for k, v in params.items()}
    if code == "short_rows":
        return ngettext(
            "%(num)d row had fewer cells than there are headings; the missing cells were read "
            "as blank.",
            "%(num)d rows had fewer cells than there are headings; the missing cells were read "
            "as blank.",
            params["count"],
        )
    if code == "double_submission":
        row = params.pop("row", None)
        params["where"] = (
            _l("row %(row)s", row=row) if row is not None else _l("a response already stored")
        )
    for name in ("limit", "count", "low", "high", "number"):
        if isinstance(params.get(name), int):
            params[name] = format_decimal(params[name])
    return str(MESSAGES[code]) % params


def _megabytes(size: int) -> str:
    return f"{format_decimal(size / 1_048_576, format='#,##0.#')} MB"


class ImportFileError(ValueError):
    """The uploaded file cannot be imported at all; ``issue`` says why (see :func:`describe`)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.issue = Issue(code, params)

    @property
    def message(self) -> str:
        """The issue's sentence in the current locale."""
        return describe(self.issue)


def issues_as_json(issues: Iterable[Issue]) -> list[dict[str, Any]]:
    """Issues in their stored form."""
    return [issue.as_json() for issue in issues]
