"""Small files of the shapes survey tools write, built inside the tests (the real samples stay
out of the repository)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime

import openpyxl


def csv_bytes(
    rows: Sequence[Sequence[object]],
    *,
    separator: str = ",",
    encoding: str = "utf-8",
    newline: str = "\r\n",
    quoting: int = csv.QUOTE_MINIMAL,
) -> bytes:
    """Rows as a CSV file (``encoding="utf-8-sig"`` or ``"utf-16"`` write a BOM)."""
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator=newline, quoting=quoting).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(
    rows: Sequence[Sequence[object]],
    *,
    sheet: str = "Sheet1",
    more_sheets: dict[str, Sequence[Sequence[object]]] | None = None,
) -> bytes:
    """Rows as an Excel workbook: a first sheet named ``sheet``, then ``more_sheets``."""
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(list(row))
    for title, other_rows in (more_sheets or {}).items():
        other = workbook.create_sheet(title)
        for row in other_rows:
            other.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_declared_size(content: bytes, ref: str) -> bytes:
    """The workbook with its first sheet declaring the size ``ref`` (``A1``), as some writers
    (Microsoft Forms) declare a wrong one."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), data)
            archive.writestr(member, data)
    return out.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A zip file (deflated) with the given members."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


HEADINGS = [
    "Practice name",
    "Country",
    "City",
    "Contact name",
    "Email",
    "Interest in QOPI",
    "Number of oncologists",
    "Timestamp",
    "I agree to the privacy notice",
]


def legacy_rows(*rows: Sequence[object]) -> list[list[object]]:
    """HEADINGS and the given rows."""
    return [HEADINGS, *[list(r) for r in rows]]


GOOD_ROW = [
    "Clínica São José",
    "Brasil",
    "Recife",
    "Ana Souza",
    "ana@saojose.example",
    "Muito interessado",
    "4",
    "01/12/2025 10:00:00",
    "Yes",
]


def changed_row(**changes: str) -> list[str]:
    """GOOD_ROW with the cells under the given HEADINGS changed."""
    cells = list(GOOD_ROW)
    for heading, value in changes.items():
        cells[HEADINGS.index(heading)] = value
    return cells


#: The time rows are checked at in these tests (UTC).
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

#: Files that cannot be imported at all: name → (content, what the message says).
BAD_FILES = {
    "empty": (b"", "The file is empty."),
    "blank": (b"\r\n\r\n  \n", "The file is empty."),
    "headings only": (b"Practice name,Country\r\n", "The file has headings but no rows"),
    "one column": (b"Practice name\r\nA\r\n", "The file has a single column."),
    "bad encoding": (bytes(range(256)) * 4, "encoding that could not be recognised"),
    "corrupt xlsx": (b"PK\x03\x04" + b"\x00garbage" * 50, "The spreadsheet could not be opened"),
    "zip, not a workbook": (
        zip_bytes({"hello.txt": b"hi"}),
        "The spreadsheet could not be opened",
    ),
    "zip bomb": (
        zip_bytes({"xl/worksheets/sheet1.xml": b"\0" * 5_000_000}),
        "compressed far more strongly than a normal workbook",
    ),
    "old xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old Excel file (.xls)"),
}
