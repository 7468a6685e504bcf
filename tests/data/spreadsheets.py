"""Small files of the shapes survey tools write, built inside the tests (the real samples stay
out of the repository)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence

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


def xlsx_bytes(rows: Sequence[Sequence[object]], *, sheet: str = "Sheet1") -> bytes:
    """Rows as an Excel workbook with one sheet."""
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
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
]
