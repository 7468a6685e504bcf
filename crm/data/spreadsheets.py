"""Writing spreadsheets: CSV (UTF-8 with a BOM, so Excel reads the accents) and XLSX, a chunk of
rows at a time (docs/domain.md#exports).

CSV: every cell and heading starting with ``= + - @``, a tab or a line break gets a leading
``'`` (``neutralize``; docs/decisions.md#formula-escaping). XLSX: text is written as typed into
text cells, which a spreadsheet never runs as formulas, numbers as numbers, moments as dates;
the workbook is written by xlsxwriter in ``constant_memory`` mode with fitted column widths, a
filter row, frozen headings, and a README sheet saying when it was exported, with which
filters, and what each column means.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

import xlsxwriter

#: A cell starting with one of these is run as a formula by some spreadsheet
#: (docs/decisions.md#formula-escaping); imports undo the ``'`` our exports put before them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
CSV_BOM = "\ufeff"
#: Rows per XLSX sheet (Excel's limit); more rows continue on a new sheet.
XLSX_MAX_ROWS = 1_048_576
#: Column widths are fitted to the headings and the first rows of a sheet, in characters.
WIDTH_SAMPLE_ROWS = 2000
MIN_WIDTH, MAX_WIDTH = 8, 60
MOMENT_FORMAT = "yyyy-mm-dd hh:mm:ss"
DAY_FORMAT = "yyyy-mm-dd"

# --------------------------------------------------------------------------------------------
# Cells


def neutralize(value: Any) -> Any:
    """A text starting with a formula character gets a leading ``'`` (``"=1+1"`` → ``"'=1+1"``);
    any other value is returned unchanged. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _csv_cell(value: Any) -> Any:
    """One value as a CSV cell: neutralized text, moments ``YYYY-MM-DD HH:MM:SS``, days ISO."""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


# --------------------------------------------------------------------------------------------
# CSV


def csv_lines(cells: Sequence[Any]) -> str:
    """One CSV record (CRLF, quoted where needed), cells written as they are."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()


def csv_stream(
    headings: Sequence[str], chunks: Iterable[Sequence[Sequence[Any]]]
) -> Iterator[bytes]:
    """A CSV file as a stream of UTF-8 chunks: the BOM and the neutralized headings first,
    then one chunk per chunk of rows, every cell neutralized."""
    yield (CSV_BOM + csv_lines([neutralize(c) for c in headings])).encode("utf-8")
    for chunk in chunks:
        if not chunk:
            continue
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(
            [[_csv_cell(value) for value in row] for row in chunk]
        )
        yield out.getvalue().encode("utf-8")


# --------------------------------------------------------------------------------------------
# XLSX


@dataclass(frozen=True)
class Readme:
    """The README sheet of a workbook: a ``title``, ``lines`` of ``(label, value)`` (time of
    export, filters, rows), and ``columns`` of ``(heading, meaning)``; ``headings`` names the
    two columns of that table."""

    title: str
    lines: Sequence[tuple[str, str]] = ()
    columns: Sequence[tuple[str, str]] = ()
    headings: tuple[str, str] = ("Column", "Meaning")
    sheet_name: str = "README"


@dataclass
class _Sheets:
    """The worksheets of one export: a new one, headings first, whenever Excel's row limit is
    reached; each gets its widths fitted, a filter row over what it holds, frozen headings."""

    workbook: Any
    name: str
    headings: list[str]
    cell_kinds: list[str]
    formats: dict[str, Any]
    count: int = 0
    row: int = 0
    widths: list[int] = field(default_factory=list)
    sheet: Any = None

    def start(self) -> None:
        if self.sheet is not None:
            self.finish()
        self.count += 1
        title = self.name if self.count == 1 else f"{self.name} ({self.count})"
        self.sheet = self.workbook.add_worksheet(title[:31])
        # Headings are text as typed, like every text cell: a text cell is never a formula.
        for position, heading in enumerate(self.headings):
            self.sheet.write_string(0, position, str(heading), self.formats["heading"])
        self.sheet.freeze_panes(1, 0)
        self.widths = [_width(h) for h in self.headings]
        self.row = 0

    def finish(self) -> None:
        """Widths, and the filter row over the headings and every row written."""
        for position, width in enumerate(self.widths):
            kind = self.cell_kinds[position]
            fitted = max(width, 19) if kind == "moment" else width
            self.sheet.set_column(position, position, min(max(fitted, MIN_WIDTH), MAX_WIDTH) + 2)
        if self.headings:
            self.sheet.autofilter(0, 0, self.row, len(self.headings) - 1)

    def write(self, values: Sequence[Any]) -> None:
        """One data row, each value in the cell type of its kind."""
        if self.row >= XLSX_MAX_ROWS - 1:
            self.start()
        self.row += 1
        sheet, row, sample = self.sheet, self.row, self.row <= WIDTH_SAMPLE_ROWS
        for position, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                if value:
                    sheet.write_string(row, position, value)
            elif isinstance(value, bool):
                sheet.write_boolean(row, position, value)
            elif isinstance(value, int | float):
                if not (isinstance(value, float) and math.isnan(value)):
                    sheet.write_number(row, position, value)
            elif isinstance(value, datetime):
                sheet.write_datetime(row, position, value, self.formats["moment"])
                continue
            elif isinstance(value, date):
                sheet.write_datetime(row, position, value, self.formats["day"])
                continue
            else:
                sheet.write_string(row, position, str(value))
            if sample:
                self.widths[position] = max(self.widths[position], _width(value))


def _width(value: Any) -> int:
    """Characters a value takes on its longest line."""
    text = str(value)
    return max((len(line) for line in text.split("\n")), default=0) if "\n" in text else len(text)


def write_xlsx(
    headings: Sequence[str],
    chunks: Iterable[Sequence[Sequence[Any]]],
    target: IO[bytes],
    *,
    sheet_name: str,
    cell_kinds: Sequence[str] | None = None,
    readme: Readme | None = None,
) -> int:
    """Write an XLSX workbook to ``target`` a row at a time; returns the number of data rows.

    ``cell_kinds`` (``text``, ``number``, ``moment`` per column) fit the widths of moments;
    values are written by their type: text into text cells (never a formula, never an
    apostrophe added), numbers, naive datetimes as dates and times, days as dates. Past
    Excel's row limit a new sheet continues. ``readme`` adds a README sheet after them.
    xlsxwriter's ``constant_memory`` keeps one row in memory; ``strings_to_formulas``,
    ``strings_to_urls`` and ``strings_to_numbers`` off keep every text as text
    (docs/decisions.md#formula-escaping).
    """
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    formats = {
        "heading": workbook.add_format({"bold": True, "text_wrap": False}),
        "moment": workbook.add_format({"num_format": MOMENT_FORMAT}),
        "day": workbook.add_format({"num_format": DAY_FORMAT}),
    }
    sheets = _Sheets(
        workbook, sheet_name, [str(h) for h in headings], list(cell_kinds or []), formats
    )
    if len(sheets.cell_kinds) < len(headings):
        sheets.cell_kinds += ["text"] * (len(headings) - len(sheets.cell_kinds))
    sheets.start()
    written = 0
    for chunk in chunks:
        for values in chunk:
            sheets.write(values)
            written += 1
    sheets.finish()
    if readme is not None:
        _write_readme(workbook, readme, formats["heading"])
    workbook.close()
    return written


def _write_readme(workbook: Any, readme: Readme, bold: Any) -> None:
    """The README sheet: the title, the ``(label, value)`` lines, then the columns' meanings."""
    sheet = workbook.add_worksheet(readme.sheet_name[:31])
    sheet.write_string(0, 0, readme.title, bold)
    row = 2
    for label, value in readme.lines:
        sheet.write_string(row, 0, str(label), bold)
        sheet.write_string(row, 1, str(value))
        row += 1
    row += 1
    sheet.write_string(row, 0, readme.headings[0], bold)
    sheet.write_string(row, 1, readme.headings[1], bold)
    for heading, meaning in readme.columns:
        row += 1
        sheet.write_string(row, 0, str(heading))
        sheet.write_string(row, 1, str(meaning))
    labels = [str(label) for label, _value in readme.lines] + [h for h, _m in readme.columns]
    sheet.set_column(0, 0, min(max((_width(t) for t in labels), default=10), 50) + 2)
    sheet.set_column(1, 1, 100)
