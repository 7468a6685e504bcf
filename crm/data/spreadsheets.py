"""Writing spreadsheets: CSV (UTF-8 with a BOM, so Excel reads the accents) and XLSX, from
DataFrames of plain cells, with every cell a spreadsheet would run as a formula neutralized.

Every text cell and heading starting with ``= + - @``, a tab or a line break gets a leading ``'``
(``neutralize``), and XLSX is written by xlsxwriter in ``constant_memory`` mode with strings never
turned into formulas or links (docs/decisions.md#formula-escaping). Times are UTC without a
zone; the heading names the zone ("submitted_at (UTC)").
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import IO, Any

import pandas as pd
import xlsxwriter

#: A cell starting with one of these is run as a formula by some spreadsheet
#: (docs/decisions.md#formula-escaping); imports undo the ``'`` our exports put before them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
CSV_BOM = "\ufeff"
#: Rows per XLSX sheet (Excel's limit); more rows continue on a new sheet.
XLSX_MAX_ROWS = 1_048_576

# --------------------------------------------------------------------------------------------
# Cells


def neutralize(value: Any) -> Any:
    """A text starting with a formula character gets a leading ``'`` (``"=1+1"`` → ``"'=1+1"``);
    any other value is returned unchanged. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    """A stored answer as one cell: lists joined by ``; ``, booleans as ``yes``/``no``,
    datetimes in UTC without a zone (pandas and Excel cannot write aware ones)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    return value


def prepare_frame(records: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """Records as a DataFrame of the given columns, every cell plain and neutralized.

    ``dtype=object`` keeps every cell as given: whole numbers stay whole beside missing values
    (no ``2.0``), midnight times keep their time, nothing is re-inferred.
    """
    return pd.DataFrame(
        [[neutralize(_plain(record.get(c))) for c in columns] for record in records],
        columns=list(columns),
        dtype=object,
    )


# --------------------------------------------------------------------------------------------
# Files


def csv_lines(cells: Sequence[Any]) -> str:
    """One CSV record (CRLF, quoted where needed)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()


def csv_stream(columns: Sequence[str], frames: Iterable[pd.DataFrame]) -> Iterator[bytes]:
    """A CSV file as a stream of UTF-8 chunks: the BOM and headings first, then one chunk per
    frame (frames from ``prepare_frame``: already neutralized)."""
    yield (CSV_BOM + csv_lines([neutralize(c) for c in columns])).encode("utf-8")
    for frame in frames:
        if not frame.empty:
            yield frame.to_csv(header=False, index=False, lineterminator="\r\n").encode("utf-8")


def write_xlsx(
    columns: Sequence[str],
    frames: Iterable[pd.DataFrame],
    target: IO[bytes],
    *,
    sheet_name: str,
) -> int:
    """Write an XLSX workbook to ``target`` a row at a time; returns the number of data rows.

    xlsxwriter's ``constant_memory`` keeps one row in memory; ``strings_to_formulas`` and
    ``strings_to_urls`` off store every text as text (the defaults write live formulas:
    docs/decisions.md#formula-escaping). Datetimes must be naive (UTC). Past Excel's row limit
    a new sheet continues.
    """
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd hh:mm:ss",
        },
    )
    headings = [neutralize(c) for c in columns]
    sheets = _Sheets(workbook, sheet_name, headings)
    written = 0
    for frame in frames:
        for values in frame.itertuples(index=False, name=None):
            sheet, row = sheets.next_row()
            for position, value in enumerate(values):
                if value is None or (isinstance(value, float) and math.isnan(value)):
                    continue
                sheet.write(row, position, value)
            written += 1
    workbook.close()
    return written


class _Sheets:
    """The worksheets of one export: a new one, headings first, whenever Excel's row limit is
    reached."""

    def __init__(self, workbook: Any, name: str, headings: list[Any]) -> None:
        self.workbook, self.name, self.headings = workbook, name, headings
        self.count = 0
        self._start()

    def _start(self) -> None:
        self.count += 1
        title = self.name if self.count == 1 else f"{self.name} ({self.count})"
        self.sheet = self.workbook.add_worksheet(title[:31])
        self.sheet.write_row(0, 0, self.headings)
        self.sheet.freeze_panes(1, 0)
        self.row = 0

    def next_row(self) -> tuple[Any, int]:
        """The sheet and row index to write the next data row at."""
        if self.row >= XLSX_MAX_ROWS - 1:
            self._start()
        self.row += 1
        return self.sheet, self.row
