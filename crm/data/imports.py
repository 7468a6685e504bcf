"""Legacy import of survey responses (SPEC §5): any survey tool's CSV or XLSX export into a table
of columns × rows, suggested column and value mappings onto ``crm.questionnaire``'s answer keys,
and a check of every row before anything is stored.

Plain functions over bytes, lists and dicts; staging, practice matching and the commit live in
``crm.operations.imports``. Problems are :class:`Issue` codes with parameters, rendered in the
reader's language by :func:`describe`, so a preview checked once reads in each viewer's language.
The shapes handled here are those of ``import-samples/SOURCES.md`` (LimeSurvey, KoboToolbox, ODK,
Google Forms, SurveyMonkey, Qualtrics, REDCap, Microsoft Forms, Excel-saved lists).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

import openpyxl
from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale, format_decimal, ngettext
from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz

from crm import labels
from crm.core.i18n import LOCALES, country_code_for, normalize_locale
from crm.responses import questionnaire
from crm.responses.matching import normalize_key

# --------------------------------------------------------------------------------------------
# Limits and messages


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
    "no_contact": _l("No contact name or email: the practice is imported without a contact."),
    "no_timestamp": _l("No submission time (an incomplete response?): the import time is used."),
}


@dataclass(frozen=True)
class Issue:
    """A problem or note: a MESSAGES code and its parameters (plain JSON values)."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
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
    for name in ("limit", "count", "low", "high"):
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
        return describe(self.issue)


# --------------------------------------------------------------------------------------------
# Reading a file into a table

#: A spreadsheet runs a cell starting with one of these as a formula (PITFALLS.md, exports).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
SEPARATORS = (",", ";", "\t", "|")
SEPARATOR_NAMES = {",": ",", ";": ";", "\t": "TAB", "|": "|"}
#: Sub-headings SurveyMonkey puts under every single-column question: they add nothing.
GENERIC_SUBHEADINGS = frozenset({"response", "open-ended response"})
_NUMERIC_LIKE = re.compile(r"[\d\s.,:/+\-TZ]+(\s*[AaPp][Mm])?")


@dataclass
class Table:
    """A file read into columns × rows of text (blank cells are ``""``).

    ``columns`` are the headings by position, duplicates kept apart by their position;
    ``rows`` the data rows, each as long as ``columns``; ``row_numbers`` each row's number in the
    file (1-based, header rows counted, as a spreadsheet shows it). ``notes`` say how it was read.
    """

    columns: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    file_format: str
    encoding: str | None = None
    separator: str | None = None
    header_rows: int = 1
    sheet: str | None = None
    notes: list[Issue] = field(default_factory=list)

    def reading(self) -> dict[str, Any]:
        """JSON description of how the file was read (stored with the import)."""
        return {
            "format": self.file_format,
            "encoding": self.encoding,
            "separator": self.separator,
            "header_rows": self.header_rows,
            "sheet": self.sheet,
            "notes": [note.as_json() for note in self.notes],
        }


def read_table(
    content: bytes, *, header_rows: int | None = None, limits: ImportLimits | None = None
) -> Table:
    """Read an uploaded CSV/TXT or XLSX file (told apart by content, not by name) into a Table.

    ``header_rows`` forces how many rows hold headings (1–3); None detects it. Raises
    ImportFileError for an empty, oversized, undecodable, corrupt or unsafe file, or one with
    too many rows or columns, or a single column.
    """
    limits = limits or ImportLimits()
    if not content.strip():
        raise ImportFileError("empty")
    if len(content) > limits.max_bytes:
        raise ImportFileError("too_large", size=len(content), limit=limits.max_bytes)
    if content.startswith(b"PK\x03\x04"):
        records, sheet = read_xlsx_records(content, limits)
        table = _tabulate(records, header_rows, limits, file_format="xlsx")
        table.sheet = sheet
        table.notes.insert(0, Issue("read_xlsx", {"sheet": sheet}))
        return table
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError("old_excel")
    text, encoding = decode_text(content)
    separator = sniff_separator(text)
    records = read_csv_records(text, separator)
    table = _tabulate(records, header_rows, limits, file_format="csv")
    table.encoding, table.separator = encoding, separator
    table.notes.insert(
        0,
        Issue(
            "read_as",
            {"format": "CSV", "encoding": encoding, "separator": SEPARATOR_NAMES[separator]},
        ),
    )
    return table


def decode_text(content: bytes) -> tuple[str, str]:
    """``(text, encoding name)``: a BOM decides (UTF-8, UTF-16); else UTF-8, then Windows-1252.

    Raises ImportFileError("bad_encoding") when neither gives text (binary, or control
    characters that no spreadsheet writes).
    """
    candidates: list[tuple[str, str]]
    if content.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", "UTF-8")]
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", "UTF-16")]
    elif b"\x00" in content[:4096]:
        # UTF-16 without a BOM: the NULs sit in the high byte of ASCII characters.
        head = content[:4096]
        little = head[1::2].count(0) > head[0::2].count(0)
        candidates = [("utf-16-le", "UTF-16") if little else ("utf-16-be", "UTF-16")]
    else:
        candidates = [("utf-8", "UTF-8"), ("cp1252", "Windows-1252")]
    for codec, name in candidates:
        try:
            text = content.decode(codec)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text, name
    raise ImportFileError("bad_encoding")


def _looks_like_text(text: str) -> bool:
    sample = text[:65536]
    controls = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\r\n\f\v")
    return "\x00" not in sample and controls <= len(sample) / 1000


def sniff_separator(text: str) -> str:
    """The field separator among `,` `;` TAB `|`: the one whose records most often have as many
    cells as the heading row (more cells breaking ties). Excel's `;` files with decimal commas
    and ragged ODK rows both come out right."""
    sample = text[:65536]
    cut = len(sample) < len(text)
    best, best_score = ",", (-1.0, 0)
    for separator in SEPARATORS:
        try:
            records = [
                r
                for r in csv.reader(io.StringIO(sample, newline=""), delimiter=separator)
                if _has_content(r)
            ]
        except csv.Error:
            continue
        if cut:
            records = records[:-1]
        records = records[:200]
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        score = (sum(1 for r in records if len(r) == width) / len(records), width)
        if score > best_score:
            best, best_score = separator, score
    return best


def read_csv_records(text: str, separator: str) -> list[tuple[int, list[str]]]:
    """``(row number, cells)`` of every record, blank records left out; quoted newlines stay
    inside their cell; a missing final newline loses nothing."""
    records = []
    try:
        for number, cells in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=separator), start=1
        ):
            if _has_content(cells):
                records.append((number, [_unescape(c) for c in cells]))
    except csv.Error as error:
        raise ImportFileError("unreadable_csv", detail=str(error)) from error
    return records


def read_xlsx_records(content: bytes, limits: ImportLimits) -> tuple[list, str]:
    """``(records, sheet title)`` of the workbook's first sheet, whatever its name.

    The zip is checked before openpyxl opens it (zip bomb: total unpacked size, compression
    ratio, member count); openpyxl parses XML through defusedxml. Raises ImportFileError.
    """
    guard_zip(content, limits)
    records = []
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it skips; they do not matter here.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                title = sheet.title
                # Some writers (Microsoft Forms) declare a wrong sheet size: read every row.
                sheet.reset_dimensions()
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    cells = _trim_blank_tail([_cell_text(v) for v in values])
                    if _has_content(cells):
                        records.append((number, cells))
                    if len(records) > limits.max_rows + 3:
                        break
            finally:
                workbook.close()
    except ImportFileError:
        raise
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise ImportFileError("corrupt_xlsx") from error
    return records, title


def guard_zip(content: bytes, limits: ImportLimits) -> None:
    """Refuse a zip that is damaged or unpacks to more than the limits allow (zip bomb).

    Python's zipfile never returns more than a member's declared size, so checking the
    declared sizes bounds what openpyxl can be made to unpack.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImportFileError("corrupt_xlsx") from error
    if len(members) > limits.max_zip_members:
        raise ImportFileError("zip_ratio")
    total = sum(member.file_size for member in members)
    if total > limits.max_uncompressed_bytes:
        raise ImportFileError("zip_bomb", size=total, limit=limits.max_uncompressed_bytes)
    for member in members:
        if member.file_size > 1_000_000 and (
            member.file_size > limits.max_compression_ratio * max(member.compress_size, 1)
        ):
            raise ImportFileError("zip_ratio")


def _cell_text(value: object) -> str:
    """A spreadsheet cell as text: ISO dates and times, whole floats without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _unescape(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _unescape(text: str) -> str:
    """Undo our exports' formula escaping (a ``'`` before a formula character)."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def _has_content(cells: Sequence[str]) -> bool:
    return any(c.strip() for c in cells)


def _trim_blank_tail(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def _tabulate(
    records: list[tuple[int, list[str]]],
    header_rows: int | None,
    limits: ImportLimits,
    *,
    file_format: str,
) -> Table:
    """Split records into headings and rows; pad short rows, drop wholly blank tail columns."""
    if not records:
        raise ImportFileError("empty")
    cells_only = [cells for _number, cells in records[:60]]
    depth = header_rows or detect_header_rows(cells_only)
    depth = max(1, min(depth, len(records)))
    head, body = records[:depth], records[depth:]
    if not body:
        raise ImportFileError("no_rows")
    if len(body) > limits.max_rows:
        raise ImportFileError("too_many_rows", limit=limits.max_rows)
    width = max(len(cells) for _number, cells in records)
    # A column with neither a heading nor any value (a trailing separator) is dropped.
    while width and not any(
        len(cells) >= width and cells[width - 1].strip() for _n, cells in records
    ):
        width -= 1
    if width > limits.max_columns:
        raise ImportFileError("too_many_columns", count=width, limit=limits.max_columns)
    if width < 2:
        raise ImportFileError("too_few_columns")
    heading_width = max(len(_trim_blank_tail(cells)) for _n, cells in head)
    # XLSX rows end at their last value; only a CSV row can be short of cells.
    short = (
        sum(1 for _n, cells in body if len(cells) < heading_width) if file_format == "csv" else 0
    )
    table = Table(
        columns=combine_headings([cells for _n, cells in head], width),
        rows=[(cells + [""] * width)[:width] for _n, cells in body],
        row_numbers=[number for number, _cells in body],
        file_format=file_format,
        header_rows=depth,
    )
    if depth > 1:
        table.notes.append(Issue("header_rows", {"count": depth}))
    if short:
        table.notes.append(Issue("short_rows", {"count": short}))
    return table


def detect_header_rows(records: Sequence[Sequence[str]]) -> int:
    """How many of the first records are headings (1–3), as the survey tools write them:

    - a row of ``{"ImportId": ...}`` closes Qualtrics' three-row header;
    - a second row that fills the blanks of a first row spanning its block (SurveyMonkey,
      LimeSurvey re-saved by Excel: question, then option labels);
    - a second row of text over columns whose rows below are all numbers or dates (Qualtrics'
      legacy ``V1…``/labels header).
    """
    for index in (1, 2):
        if index < len(records) and _is_import_id_row(records[index]):
            return index + 1
    if len(records) < 2:
        return 1
    if _continues_headings(records[0], records[1]) or _labels_over_data(records[1], records[2:52]):
        return 2
    return 1


def _is_import_id_row(cells: Sequence[str]) -> bool:
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and all(c.startswith('{"ImportId"') for c in filled)


def _is_numeric_like(text: str) -> bool:
    text = text.strip()
    return bool(text) and any(c.isdigit() for c in text) and bool(_NUMERIC_LIKE.fullmatch(text))


def _continues_headings(first: Sequence[str], second: Sequence[str]) -> bool:
    started = False
    continued = []
    for index, cell in enumerate(first):
        if cell.strip():
            started = True
        elif started:
            continued.append(index)
    if not continued:
        return False
    if not all(index < len(second) and second[index].strip() for index in continued):
        return False
    filled = [c for c in second if c.strip()]
    return sum(1 for c in filled if _is_numeric_like(c)) < len(filled) / 2


def _labels_over_data(second: Sequence[str], below: Sequence[Sequence[str]]) -> bool:
    if not below:
        return False
    text_over_numbers = numbers_over_numbers = 0
    for index, label in enumerate(second):
        values = [r[index] for r in below if index < len(r) and r[index].strip()]
        if not values or not all(_is_numeric_like(v) for v in values):
            continue
        if _is_numeric_like(label):
            numbers_over_numbers += 1
        elif label.strip():
            text_over_numbers += 1
    return text_over_numbers >= 2 and numbers_over_numbers == 0


def combine_headings(header_rows: Sequence[Sequence[str]], width: int) -> list[str]:
    """One name per column from 1–3 header rows: an upper row's heading spans the blanks to its
    right where a lower row has a label (``Contact information / Email``); Qualtrics' ImportId
    row is skipped; SurveyMonkey's generic ``Response`` sub-heading is dropped."""
    rows = [list(r) + [""] * (width - len(r)) for r in header_rows if not _is_import_id_row(r)]
    rows = [r[:width] for r in rows] or [[""] * width]
    spans = []
    for depth, row in enumerate(rows):
        lower = rows[depth + 1 :]
        filled, last = [], ""
        for index, cell in enumerate(row):
            if cell.strip():
                last = cell
                filled.append(cell)
            elif last and any(r[index].strip() for r in lower):
                filled.append(last)
            else:
                filled.append("")
        spans.append(filled)
    names = []
    for index in range(width):
        parts: list[str] = []
        for depth, row in enumerate(spans):
            part = row[index]
            if not part.strip() or part in parts:
                continue
            if depth and parts and part.strip().casefold() in GENERIC_SUBHEADINGS:
                continue
            parts.append(part)
        names.append(" / ".join(parts))
    return names


# --------------------------------------------------------------------------------------------
# Targets: the answer keys a column can be mapped to

#: Answer key → kind of value. ``submitted_at`` and ``language`` describe the response itself.
TARGETS: dict[str, str] = {
    "practice_name": "text",
    "country": "country",
    "city": "text",
    "practice_type": "choice",
    "outpatient_hem_onc": "choice",
    "oncologists_count": "number",
    "new_patients_per_year": "number",
    "asco_members_count": "number",
    "ehr_use": "choice",
    "name": "text",
    "role": "text",
    "email": "email",
    "phone": "text",
    "preferred_language": "choice",
    "interest_qopi": "choice",
    "interest_qcp": "choice",
    "interest_qtp": "choice",
    "qtp_formats": "multi",
    "licensing": "multi",
    "reads_english": "choice",
    "willing_to_sign_agreement": "choice",
    "willing_to_pay_qcp_fee": "choice",
    "timeframe": "choice",
    "comments": "text",
    "permission_to_contact": "choice",
    "submitted_at": "datetime",
    "language": "choice",
}
REQUIRED_TARGETS = ("practice_name", "country")
#: Allowed codes of every closed target (``crm.questionnaire`` plus the import-only ones).
TARGET_CHOICES: dict[str, tuple[str, ...]] = {
    **questionnaire.CHOICES,
    **questionnaire.MULTI_CHOICES,
    "permission_to_contact": questionnaire.YES_NO,
    "language": LOCALES,
}
TARGET_TITLES = {
    "practice_name": _l("Practice name"),
    "country": _l("Country"),
    "city": _l("City"),
    "practice_type": _l("Type of practice"),
    "outpatient_hem_onc": _l("Outpatient hematology-oncology"),
    "oncologists_count": _l("Number of oncologists"),
    "new_patients_per_year": _l("New patients per year"),
    "asco_members_count": _l("Active ASCO members"),
    "ehr_use": _l("Electronic health record use"),
    "name": _l("Contact name"),
    "role": _l("Contact role"),
    "email": _l("Contact email"),
    "phone": _l("Contact phone"),
    "preferred_language": _l("Contact's preferred language"),
    "interest_qopi": _l("Interest in QOPI"),
    "interest_qcp": _l("Interest in QCP"),
    "interest_qtp": _l("Interest in QTP"),
    "qtp_formats": _l("QTP formats"),
    "licensing": _l("Licensing interest"),
    "reads_english": _l("Can read QOPI measures in English"),
    "willing_to_sign_agreement": _l("Willing to sign a participation agreement"),
    "willing_to_pay_qcp_fee": _l("Willing to pay the QCP fee"),
    "timeframe": _l("Timeframe"),
    "comments": _l("Comments"),
    "permission_to_contact": _l("Permission to contact"),
    "submitted_at": _l("Submitted at"),
    "language": _l("Response language"),
}
LANGUAGE_TITLES = {"en": _l("English"), "es": _l("Spanish"), "pt_BR": _l("Portuguese")}
#: Titles of closed answers that ``crm.labels`` does not carry (labels live with the forms).
EXTRA_VALUE_TITLES: dict[str, Mapping[str, Any]] = {
    "yes_no": {"yes": _l("Yes"), "no": _l("No"), "unsure": _l("Not sure")},
    "ehr_use": {
        "full": _l("Electronic health records used throughout"),
        "partial": _l("Electronic health records used in part"),
        "none": _l("No electronic health records"),
    },
    "qtp_formats": {
        "six_month": _l("Six-month program"),
        "one_day": _l("One-day program"),
        "train_the_trainer": _l("Train-the-trainer"),
    },
    "licensing": {
        "qtp_content": _l("Licensing QTP content"),
        "quality_symposium": _l("Licensing the Quality of Care Symposium"),
    },
}

#: Headings (normalized: lower case, accents and punctuation dropped) that name each target, in
#: the languages of the tools' exports. A single word must equal the heading (or one part of it);
#: several words may appear among more words.
HEADING_SYNONYMS: dict[str, tuple[str, ...]] = {
    "practice_name": (
        "practice name", "practice", "name of practice", "name of your practice",
        "hospital name", "hospital", "facility name", "health facility", "clinic name",
        "clinic", "institution", "institution name", "organization", "organisation",
        "organization name", "nombre de la practica", "nombre de la institucion",
        "nombre del hospital", "nombre de la clinica", "institucion", "consultorio",
        "nome da clinica", "nome da instituicao", "nome do hospital", "instituicao", "clinica",
        "etablissement", "nom de l etablissement", "hopital", "einrichtung", "krankenhaus",
        "klinik", "praxis", "centro", "nombre del centro", "servico", "nome do servico",
    ),
    "country": ("country", "pais", "pays", "land", "country code", "cc", "nation"),
    "city": ("city", "town", "ciudad", "cidade", "ville", "stadt", "ort", "municipio", "localidad"),
    "practice_type": ("practice type", "type of practice", "facility type", "tipo de practica",
                      "tipo de institucion", "tipo de clinica", "tipo de instituicao"),
    "outpatient_hem_onc": ("outpatient hem onc", "outpatient hematology oncology"),
    "oncologists_count": ("oncologists count", "number of oncologists", "oncologists",
                          "numero de oncologos", "oncologos"),
    "new_patients_per_year": ("new patients per year", "new patients", "pacientes nuevos",
                              "novos pacientes"),
    "asco_members_count": ("asco members count", "asco members", "active asco members",
                           "miembros de asco", "membros da asco"),
    "ehr_use": ("ehr use", "electronic health record", "electronic health records", "ehr"),
    "name": ("name", "full name", "your name", "contact name", "respondent name", "nombre",
             "nombre completo", "su nombre", "nome", "nome completo", "seu nome", "nom",
             "nom complet", "firstname and surname", "nom post nom"),
    "role": ("role", "position", "job title", "title", "cargo", "puesto", "funcao", "fonction",
             "poste", "rolle", "funktion"),
    "email": ("email", "e mail", "email address", "e mail address", "emailaddress",
              "recipientemail", "correo", "correo electronico", "courriel", "adresse e mail",
              "endereco de email", "e mail adresse", "mail"),
    "phone": ("phone", "telephone", "tel", "phone number", "telefono", "telefone", "mobile",
              "celular", "telefon", "telefonnummer"),
    "preferred_language": ("preferred language", "idioma preferido", "lingua preferida",
                           "idioma de preferencia", "langue preferee"),
    "interest_qopi": ("interest qopi", "interest in qopi", "qopi interest", "qopi"),
    "interest_qcp": ("interest qcp", "interest in qcp", "qcp interest", "qcp"),
    "interest_qtp": ("interest qtp", "interest in qtp", "qtp interest", "qtp"),
    "qtp_formats": ("qtp formats", "qtp format"),
    "licensing": ("licensing", "licensing interest", "licencias", "licenciamento"),
    "reads_english": ("reads english", "can read english", "english reading"),
    "willing_to_sign_agreement": ("willing to sign agreement", "willing to sign",
                                  "participation agreement"),
    "willing_to_pay_qcp_fee": ("willing to pay qcp fee", "willing to pay", "qcp fee"),
    "timeframe": ("timeframe", "time frame", "plazo", "prazo"),
    "comments": ("comments", "comment", "remarks", "notes", "comentarios", "observaciones",
                 "observacoes", "commentaires", "kommentar", "kommentare", "anmerkungen"),
    "permission_to_contact": ("permission to contact", "may we contact you", "contact permission",
                              "permiso de contacto", "permissao de contato"),
    "submitted_at": ("submitted at", "submitted at utc", "submitdate", "date submitted",
                     "submission date", "submissiondate", "submission time", "submission time",
                     "timestamp", "completion time", "recordeddate", "recorded date",
                     "end date", "enddate", "marca temporal", "carimbo de data hora",
                     "date de soumission", "fecha de envio", "data de envio", "submitted",
                     "abgeschickt", "datum abgeschickt"),
    "language": ("language", "response language", "startlanguage", "start language",
                 "userlanguage", "user language", "idioma", "lingua", "langue",
                 "langue de depart", "sprache", "idioma de inicio"),
}  # fmt: skip
#: Score (0–100) from which a heading is suggested for a target.
SUGGESTION_THRESHOLD = 90


def heading_key(text: str) -> str:
    """A heading compared for suggestions: lower case, accents dropped, words only."""
    decomposed = unicodedata.normalize("NFKD", text.replace("&amp;", "&")).casefold()
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


def heading_variants(heading: str) -> set[str]:
    """The heading and its parts: LimeSurvey's ``code. text``, ``Question / Option``,
    ODK/Kobo group paths (``group-field``, ``_field``), each normalized."""
    pieces = {heading, heading.replace("_", " ")}
    if ". " in heading:
        code, text = heading.split(". ", 1)
        pieces |= {code, text}
    if " / " in heading:
        pieces |= set(heading.split(" / "))
    if "-" in heading and " " not in heading.strip():
        pieces.add(heading.rsplit("-", 1)[-1])
    return {key for key in (heading_key(p) for p in pieces) if key}


def _heading_score(variants: set[str], synonyms: Iterable[str]) -> int:
    best = 0
    for synonym in synonyms:
        words = synonym.split()
        for variant in variants:
            if variant == synonym:
                return 100
            extra = len(variant.split()) - len(words)
            if len(words) > 1 and set(words) <= set(variant.split()) and extra <= 3:
                # "Your email address" names the email; a long question merely mentioning
                # one (too many other words) does not.
                best = max(best, 95 - extra)
            elif len(words) > 1 or len(variant.split()) > 1:
                best = max(best, int(fuzz.ratio(variant, synonym)))
    return best


def suggest_columns(columns: Sequence[str], rows: Sequence[Sequence[str]] = ()) -> dict[str, int]:
    """Answer key → position of the column most likely to hold it (each column used once).

    Our own exports' headings (the answer keys, ``submitted_at (UTC)``) match exactly, so a
    round trip maps itself. Given the ``rows``, a column with values beats an empty one of the
    same heading (SurveyMonkey's blank ``Email Address`` beside ``Contact information /
    Email``); remaining ties go to the leftmost column.
    """
    scored = []
    for position, heading in enumerate(columns):
        variants = heading_variants(heading)
        if not variants:
            continue
        empty = bool(rows) and not any(
            position < len(cells) and cells[position].strip() for cells in rows
        )
        for key in TARGETS:
            synonyms = (heading_key(key), *HEADING_SYNONYMS.get(key, ()))
            score = _heading_score(variants, synonyms)
            if score >= SUGGESTION_THRESHOLD:
                scored.append((-score, empty, position, key))
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for _score, _empty, position, key in sorted(scored):
        if key not in mapping and position not in used:
            mapping[key] = position
            used.add(position)
    return mapping


# --------------------------------------------------------------------------------------------
# Values of closed questions

#: Answers written the same way in many tools and languages (normalized by ``normalize_key``).
VALUE_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "yes_no": {
        "yes": ("yes", "y", "si", "sim", "s", "oui", "ja", "true", "verdadero", "verdadeiro",
                "1", "x", "checked", "ndio"),
        "no": ("no", "n", "nao", "non", "nein", "false", "falso", "0", "hapana"),
        "unsure": ("unsure", "notsure", "dontknow", "idontknow", "maybe", "nose", "nolose",
                   "talvez", "quizas", "naosei", "jenesaispas", "weissnicht", "unknown"),
    },
    "interest_level": {
        "very": ("veryinterested", "extremelyinterested", "muyinteresado", "muyinteresada",
                 "muitointeressado", "muitointeressada", "tresinteresse", "sehrinteressiert"),
        "somewhat": ("somewhatinterested", "moderatelyinterested", "interested",
                     "algointeresado", "algointeresada", "interesado", "interesada",
                     "interessado", "interessada", "moderadamenteinteressado"),
        "not_very": ("notveryinterested", "slightlyinterested", "pocointeresado",
                     "pocointeresada", "poucointeressado", "poucointeressada"),
        "not_at_all": ("notinterested", "notatallinterested", "nadainteresado",
                       "nadainteresada", "nointeresado", "nointeresada", "naointeressado",
                       "naointeressada", "nadainteressado", "pasinteresse"),
    },
    "language": {
        "en": ("english", "ingles", "anglais", "englisch"),
        "es": ("spanish", "espanol", "castellano", "espagnol", "spanisch", "espanhol"),
        "pt_BR": ("portuguese", "portugues", "portugais", "portugiesisch", "portuguesbrasil"),
    },
}  # fmt: skip
BLANK_CODE = "__blank__"
#: Placeholders some tools write in an email column; they mean "no email", not a bad one.
NO_EMAIL_VALUES = frozenset({"anonymous", "anonyme", "anonimo", "na", "none", "noemail"})


def value_vocabulary(key: str) -> str:
    """Which vocabulary a closed target's answers use (``yes_no``, ``interest_level``, …)."""
    if TARGET_CHOICES.get(key) in (questionnaire.YES_NO, questionnaire.YES_NO_UNSURE):
        return "yes_no"
    return {
        "interest_qopi": "interest_level",
        "interest_qcp": "interest_level",
        "interest_qtp": "interest_level",
        "preferred_language": "language",
        "language": "language",
    }.get(key, key)


def value_titles(key: str) -> dict[str, str]:
    """Code → translated title of each allowed answer of a closed target (current locale)."""
    vocabulary = value_vocabulary(key)
    titles: Mapping[str, Any] = (
        LANGUAGE_TITLES
        if vocabulary == "language"
        else labels.ALL.get(vocabulary) or EXTRA_VALUE_TITLES.get(vocabulary, {})
    )
    return {code: str(titles.get(code, code)) for code in TARGET_CHOICES[key]}


@cache
def _value_index(key: str) -> dict[str, str]:
    """Normalized answer → code: the codes, their titles in en/es/pt_BR, and common synonyms."""
    allowed = TARGET_CHOICES[key]
    index: dict[str, str] = {}
    for locale in LOCALES:
        with force_locale(locale):
            for code, title in value_titles(key).items():
                index.setdefault(normalize_key(title), code)
    for code, words in VALUE_SYNONYMS.get(value_vocabulary(key), {}).items():
        if code in allowed:
            for word in words:
                index.setdefault(word, code)
    for code in allowed:
        index[normalize_key(code)] = code
    return index


def suggest_value(key: str, value: str) -> str | None:
    """The code a raw answer most likely means (``"Sí"`` → ``yes``), or None when unsure."""
    normalized = value_key(value)
    if not normalized:
        return None
    code = _value_index(key).get(normalized)
    if code is None and value_vocabulary(key) == "language":
        code = normalize_locale(value.strip())
    return code


def value_key(value: str) -> str:
    """How an answer is compared and stored in the value mapping (see ``normalize_key``)."""
    return normalize_key(value)


def split_multi(value: str) -> list[str]:
    """Items of a multiple-choice cell: ``;``-joined (Microsoft Forms, with a trailing ``;``)
    or ``, ``-joined (Google Forms); blanks dropped."""
    parts = value.split(";") if ";" in value else value.split(", ")
    return [p.strip() for p in parts if p.strip()]


def distinct_values(
    rows: Iterable[Sequence[str]], position: int, *, multi: bool, limit: int = 200
) -> list[tuple[str, str, int]]:
    """``(value key, first raw spelling, count)`` of the answers in a column, in order of first
    appearance, at most ``limit`` of them."""
    seen: dict[str, list] = {}
    for cells in rows:
        raw = cells[position].strip() if position < len(cells) else ""
        for item in split_multi(raw) if multi else ([raw] if raw else []):
            normalized = value_key(item)
            if not normalized:
                continue
            if normalized in seen:
                seen[normalized][2] += 1
            elif len(seen) < limit:
                seen[normalized] = [normalized, item, 1]
    return [tuple(v) for v in seen.values()]  # type: ignore[misc]


def suggest_values(table_rows: Sequence[Sequence[str]], columns: Mapping[str, int]) -> dict:
    """For each mapped closed target: value key → suggested code (unknown answers left out)."""
    suggestions: dict[str, dict[str, str]] = {}
    for key, position in columns.items():
        if TARGETS.get(key) not in ("choice", "multi"):
            continue
        multi = TARGETS[key] == "multi"
        found = {}
        for normalized, raw, _count in distinct_values(table_rows, position, multi=multi):
            code = suggest_value(key, raw)
            if code is not None:
                found[normalized] = code
        suggestions[key] = found
    return suggestions


# --------------------------------------------------------------------------------------------
# Checking one row

_SLASH_DATE = re.compile(
    r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?\s*([AaPp][Mm])?)?"
)
DATE_ORDERS = ("dmy", "mdy")


def detect_date_order(values: Iterable[str]) -> str:
    """``dmy`` or ``mdy`` for a column of ``a/b/yyyy`` dates: a first part above 12 means day
    first, a second part above 12 month first; undecided columns are read day first."""
    for value in values:
        match = _SLASH_DATE.fullmatch(value.strip())
        if not match or len(match.group(1)) == 4:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 >= second:
            return "dmy"
        if second > 12 >= first:
            return "mdy"
    return "dmy"


def parse_timestamp(text: str, date_order: str = "dmy") -> datetime | None:
    """A timestamp as written by survey tools, as an aware UTC datetime; None if unreadable.

    ISO 8601 (with or without offset or ``Z``), ``YYYY-MM-DD HH:MM:SS``, ``D/MM/YYYY H:MM:SS``
    (day or month first as ``date_order`` says), two-digit years, AM/PM. Times without a zone
    are read as UTC.
    """
    text = text.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = _parse_slash_date(text, date_order)
    if parsed is None:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _parse_slash_date(text: str, date_order: str) -> datetime | None:
    match = _SLASH_DATE.fullmatch(text)
    if not match:
        return None
    a, b, c, hour, minute, second, meridiem = match.groups()
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    elif date_order == "mdy":
        month, day, year = int(a), int(b), int(c)
    else:
        day, month, year = int(a), int(b), int(c)
    if len(c) <= 2 and len(a) != 4:
        year += 2000 if year < 70 else 1900
    hours = int(hour or 0)
    if meridiem:
        hours = hours % 12 + (12 if meridiem.lower() == "pm" else 0)
    try:
        return datetime(year, month, day, hours, int(minute or 0), int(second or 0))
    except ValueError:
        return None


def parse_whole_number(text: str) -> int | None:
    """``"1,234"``, ``"1.234"``, ``"1 234"``, ``"12"``, ``"12.0"`` → int; None otherwise."""
    compact = re.sub(r"[\s\u00a0\u202f']", "", text)
    if re.fullmatch(r"[+-]?\d{1,3}([.,]\d{3})+", compact):
        return int(re.sub(r"[.,]", "", compact))
    match = re.fullmatch(r"([+-]?\d+)(?:[.,]0+)?", compact)
    return int(match.group(1)) if match else None


@dataclass
class RowCheck:
    """One row checked: the answers it would store, or the errors that stop it."""

    index: int
    row_number: int
    answers: dict[str, Any]
    language: str
    submitted_at: datetime | None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


def check_row(
    cells: Sequence[str],
    mapping: Mapping[str, Any],
    *,
    index: int = 0,
    row_number: int = 0,
    known_countries: frozenset[str] | set[str],
    now: datetime | None = None,
) -> RowCheck:
    """Answers of one row under ``mapping`` (``columns``: key → position, ``values``: key →
    {value key: code or BLANK_CODE}, ``language``: default response language, ``date_order``),
    with per-row errors: a required answer missing (practice name, country), a number not
    whole or out of ``questionnaire.NUMBER_BOUNDS``, text over ``TEXT_LIMITS``, a bad email,
    an unknown country, an unmapped closed answer, an unreadable or future timestamp."""
    now = now or datetime.now(UTC)
    values_map: Mapping[str, Mapping[str, str]] = mapping.get("values", {})
    default_language = mapping.get("language") or "en"
    check = RowCheck(index, row_number, {}, default_language, None)
    for key, position in mapping.get("columns", {}).items():
        raw = cells[position].strip() if 0 <= position < len(cells) else ""
        if raw:
            _check_answer(check, key, raw, values_map.get(key, {}), mapping, known_countries, now)
    answers = check.answers
    for key in REQUIRED_TARGETS:
        if not answers.get(key) and not any(i.params.get("field") == key for i in check.errors):
            check.errors.append(Issue("missing", {"field": key}))
    if not answers.get("email") and not answers.get("name"):
        check.warnings.append(Issue("no_contact"))
    time_mapped = "submitted_at" in mapping.get("columns", {})
    time_failed = any(i.params.get("field") == "submitted_at" for i in check.errors)
    if time_mapped and not (check.submitted_at or time_failed):
        check.warnings.append(Issue("no_timestamp"))
    if "language" in answers:
        check.language = answers.pop("language")
    return check


def _check_answer(
    check: RowCheck,
    key: str,
    raw: str,
    values: Mapping[str, str],
    mapping: Mapping[str, Any],
    known_countries: frozenset[str] | set[str],
    now: datetime,
) -> None:
    kind = TARGETS.get(key)
    error = None
    if kind == "text":
        limit = questionnaire.TEXT_LIMITS.get(key, 5000)
        if len(raw) > limit:
            error = Issue("too_long", {"field": key, "limit": limit})
        elif key == "practice_name" and not normalize_key(raw):
            # As on the survey: punctuation alone has no matching key and would merge with
            # every such practice of its country.
            error = Issue("no_letter_or_digit", {"field": key})
        else:
            check.answers[key] = raw
    elif kind == "email":
        if value_key(raw) in NO_EMAIL_VALUES:
            return
        try:
            validate_email(raw, check_deliverability=False)
        except EmailNotValidError:
            error = Issue("bad_email", {"field": key, "value": raw[:100]})
        else:
            check.answers[key] = raw
    elif kind == "country":
        code = country_code_for(raw)
        if code is None or code not in known_countries:
            error = Issue("unknown_country", {"field": key, "value": raw[:100]})
        else:
            check.answers[key] = code
    elif kind == "number":
        number = parse_whole_number(raw)
        low, high = questionnaire.NUMBER_BOUNDS[key]
        if number is None:
            error = Issue("not_a_number", {"field": key, "value": raw[:100]})
        elif not low <= number <= high:
            error = Issue("out_of_range", {"field": key, "value": number, "low": low, "high": high})
        else:
            check.answers[key] = number
    elif kind == "datetime":
        parsed = parse_timestamp(raw, mapping.get("date_order") or "dmy")
        if parsed is None:
            error = Issue("bad_date", {"field": key, "value": raw[:100]})
        elif parsed > now + timedelta(days=1):
            error = Issue("future_date", {"field": key, "value": raw[:100]})
        else:
            check.submitted_at = parsed
    elif kind in ("choice", "multi"):
        error = _check_closed(check, key, raw, values, multi=kind == "multi")
    if error is not None:
        check.errors.append(error)


def _check_closed(
    check: RowCheck, key: str, raw: str, values: Mapping[str, str], *, multi: bool
) -> Issue | None:
    codes = []
    for item in split_multi(raw) if multi else [raw]:
        code = values.get(value_key(item))
        if code is None:
            return Issue("unmapped_value", {"field": key, "value": item[:100]})
        if code != BLANK_CODE:
            codes.append(code)
    if not codes:
        return None
    if multi:
        check.answers[key] = sorted(set(codes), key=TARGET_CHOICES[key].index)
    elif key == "permission_to_contact":
        check.answers[key] = codes[0] == "yes"
    else:
        check.answers[key] = codes[0]
    return None


def issues_as_json(issues: Iterable[Issue]) -> list[dict[str, Any]]:
    """Issues in their stored form."""
    return [issue.as_json() for issue in issues]


def iter_batch_rows(rows: Iterable[Mapping[str, Any]]) -> Iterator[tuple[int, int, list[str]]]:
    """``(index, row number, cells)`` of rows in their stored form ``{"n": ..., "cells": ...}``."""
    for index, row in enumerate(rows):
        yield index, row["n"], row["cells"]
