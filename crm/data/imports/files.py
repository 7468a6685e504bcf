"""Reading an uploaded file into a :class:`Table` of columns × rows of text: CSV or TXT in any
of the encodings and separators spreadsheets and survey tools write, or XLSX (first sheet);
heading rows detected and combined (``crm.data.imports.headings``).
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import openpyxl

from crm.data.imports.headings import combine_headings, detect_header_rows, trim_blank_tail
from crm.data.imports.issues import ImportFileError, ImportLimits, Issue
from crm.data.spreadsheets import FORMULA_TRIGGERS

SEPARATORS = (",", ";", "\t", "|")
SEPARATOR_NAMES = {",": ",", ";": ";", "\t": "TAB", "|": "|"}


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

    Raises ImportFileError("nul_bytes") for NUL characters in a file that is not UTF-16, and
    ImportFileError("bad_encoding") when no encoding gives text (binary, or control
    characters that no spreadsheet writes).
    """
    candidates: list[tuple[str, str]]
    if content.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", "UTF-8")]
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", "UTF-16")]
    elif _utf16_without_bom(content[:4096]):
        # UTF-16 without a BOM: the NULs sit in the high byte of ASCII characters.
        head = content[:4096]
        little = head[1::2].count(0) > head[0::2].count(0)
        candidates = [("utf-16-le", "UTF-16") if little else ("utf-16-be", "UTF-16")]
    elif b"\x00" in content:
        # Text with NULs in it says so; bytes that are no text at all are another kind of file.
        rest = content.replace(b"\x00", b"").decode("cp1252", errors="replace")
        raise ImportFileError("nul_bytes" if _looks_like_text(rest) else "bad_encoding")
    else:
        candidates = [("utf-8", "UTF-8"), ("cp1252", "Windows-1252")]
    for codec, name in candidates:
        try:
            text = content.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise ImportFileError("nul_bytes")
        if _looks_like_text(text):
            return text, name
    raise ImportFileError("bad_encoding")


def _utf16_without_bom(head: bytes) -> bool:
    """Whether the first bytes look like UTF-16 text: a NUL in most even or most odd bytes
    (the high byte of Latin characters), not a few NULs in a text of another encoding."""
    if len(head) < 4:
        return False
    even, odd = head[0::2].count(0), head[1::2].count(0)
    most, least = max(even, odd), min(even, odd)
    return most >= max(2, len(head) // 32) and most >= 4 * least


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
                    cells = trim_blank_tail([_cell_text(v) for v in values])
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
    """A cell's text in Unicode NFC (docs/domain.md#imports), with our exports' formula
    escaping undone (a ``'`` before a formula character)."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def _has_content(cells: Sequence[str]) -> bool:
    return any(c.strip() for c in cells)


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
    width = _table_width(records, limits)
    heading_width = max(len(trim_blank_tail(cells)) for _n, cells in head)
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


def _table_width(records: list[tuple[int, list[str]]], limits: ImportLimits) -> int:
    """How many columns the table has: as many as the longest record, less the columns at the
    end with neither a heading nor any value (a trailing separator). Raises ImportFileError
    for more columns than the limits allow, or a single column."""
    width = max(len(cells) for _number, cells in records)
    while width and not any(
        len(cells) >= width and cells[width - 1].strip() for _n, cells in records
    ):
        width -= 1
    if width > limits.max_columns:
        raise ImportFileError("too_many_columns", count=width, limit=limits.max_columns)
    if width < 2:
        raise ImportFileError("too_few_columns")
    return width
