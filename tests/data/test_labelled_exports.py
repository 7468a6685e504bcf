"""Exports people read (docs/domain.md#exports): headings and values as the screens show them
in the language chosen on the export form (the reader's by default), countries by name; the
"codes" choice keeps the machine form; XLSX with fitted widths, a filter row, frozen headings,
dates as dates and a README sheet."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime

import openpyxl
import pytest
from sqlalchemy import select

from crm.audit.models import AuditEvent
from crm.data import spreadsheets
from crm.responses.intake import intake_response

AT = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)


@pytest.fixture
def staff(client, create_user, login):
    login(create_user("staff"))
    return client


def add_response(db, **overrides):
    answers = {
        "name": "Ana Ruiz",
        "email": f"{uuid.uuid4().hex[:8]}@clinica.example",
        "phone": "+57 601 555 0100",
        "practice_name": "Clínica del Sur",
        "country": "UY",
        "city": "=Montevideo",
        "practice_type": "private_practice",
        "interest_qopi": "not_at_all",
        "timeframe": "6_to_12_months",
        "qtp_formats": ["six_month", "one_day"],
        "oncologists_count": 4,
        "consent": True,
        "permission_to_contact": True,
    } | overrides
    intake_response(
        answers,
        language="es",
        submission_token=uuid.uuid4().hex,
        consent_at=AT,
        privacy_notice_version="2026-11-29",
        submitted_at=AT,
    )
    db.session.commit()


def workbook(response) -> openpyxl.Workbook:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return openpyxl.load_workbook(io.BytesIO(response.data))


def first_row(book: openpyxl.Workbook) -> dict[str, object]:
    header, row = list(book.worksheets[0].iter_rows(values_only=True))[:2]
    return dict(zip(header, row, strict=True))


def test_spanish_chosen_gives_spanish_headings_and_labels(staff, db):
    add_response(db)
    row = first_row(workbook(staff.get("/staff/data/export/responses.xlsx?status=all&labels=es")))
    assert row["Interés en QOPI"] == "Nada interesado"
    assert row["Plazo"] == "Entre 6 y 12 meses"
    assert row["Tipo de centro"] == "Consultorio privado"
    assert row["País"] == "Uruguay"
    assert row["Formatos del QTP"] == "Programa de seis meses, Programa de un día"
    assert row["Estado de clasificación"] == "Nueva"
    assert not {"interest_qopi", "not_at_all", "private_practice", "UY"} & (
        set(row) | {v for v in row.values() if isinstance(v, str)}
    )


def test_codes_chosen_gives_the_machine_form(staff, db):
    add_response(db)
    row = first_row(
        workbook(staff.get("/staff/data/export/responses.xlsx?status=all&labels=codes"))
    )
    assert (row["interest_qopi"], row["timeframe"], row["country"], row["language"]) == (
        "not_at_all",
        "6_to_12_months",
        "UY",
        "es",
    )
    assert row["submitted_at (UTC)"] == datetime(2026, 11, 2, 15, 30)


def test_the_readers_language_is_the_default(client, create_user, login, db):
    user = create_user("staff")
    user.locale = "pt_BR"
    db.session.commit()
    login(user)
    add_response(db)
    page = client.get("/staff/data/export/responses?status=all").get_data(as_text=True)
    assert '<option selected value="pt_BR">' in page
    row = first_row(workbook(client.get("/staff/data/export/responses.xlsx?status=all")))
    assert (row["Interesse no QOPI"], row["País"]) == ("Nada interessado", "Uruguai")


def test_moments_are_dates_in_the_organization_zone_named_in_the_heading(staff, db):
    add_response(db)
    book = workbook(staff.get("/staff/data/export/responses.xlsx?status=all&labels=en"))
    sheet = book.worksheets[0]
    headings = [c.value for c in sheet[1]]
    column = headings.index("Submitted (America/New_York)") + 1
    cell = sheet.cell(row=2, column=column)
    assert cell.is_date
    assert cell.value == datetime(2026, 11, 2, 10, 30)


def test_xlsx_has_fitted_widths_a_filter_row_and_frozen_headings(staff, db):
    add_response(db, comments="A comment long enough to need a wider column than the default")
    sheet = workbook(staff.get("/staff/data/export/responses.xlsx?status=all&labels=en")).active
    headings = [c.value for c in sheet[1]]
    letter = openpyxl.utils.get_column_letter(headings.index("Comments") + 1)
    assert sheet.column_dimensions[letter].width >= 60
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(headings))}2"
    assert sheet.freeze_panes == "A2"


def test_every_text_cell_is_a_text_cell_and_keeps_what_was_typed(staff, db):
    add_response(db, comments="=1+1", role="@lead")
    sheet = workbook(staff.get("/staff/data/export/responses.xlsx?status=all&labels=es")).active
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert {c.data_type for c in cells} == {"s"}
    values = {c.value for c in cells}
    assert {"=1+1", "@lead", "+57 601 555 0100", "=Montevideo"} <= values


def test_the_readme_sheet_says_when_with_which_filters_and_what_each_column_means(staff, db):
    add_response(db)
    book = workbook(staff.get("/staff/data/export/responses.xlsx?status=all&country=UY&labels=es"))
    assert book.sheetnames == ["Respuestas", "README"]
    readme = [row for row in book["README"].iter_rows(values_only=True) if any(row)]
    table = readme.index(("Columna", "Significado"))
    lines = {row[0]: row[1] for row in readme[:table]}
    assert lines["Exportado (UTC)"].endswith(" UTC")
    assert "Exportado (America/New_York)" in lines
    assert lines["País"] == "Uruguay"
    assert lines["Estado de clasificación"] == "Todos los estados"
    headings = [c.value for c in book.worksheets[0][1]]
    meanings = {row[0]: row[1] for row in readme[table + 1 :]}
    assert list(meanings) == headings
    assert all(meanings.get(heading) for heading in headings)
    assert "Nada interesado" in meanings["Interés en QOPI"]


def test_codes_readme_lists_each_code_with_its_title(staff, db):
    add_response(db)
    book = workbook(staff.get("/staff/data/export/responses.xlsx?status=all&labels=codes"))
    meanings = {row[0]: row[1] for row in book["README"].iter_rows(values_only=True)}
    assert "not_at_all = Not interested" in meanings["interest_qopi"]


def test_labelled_csv_is_neutralized_too(staff, db):
    add_response(db, comments="+1 more")
    content = staff.get("/staff/data/export/responses.csv?status=all&labels=pt_BR").data
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert all(not cell.startswith(spreadsheets.FORMULA_TRIGGERS) for row in rows for cell in row)
    assert "'+1 more" in rows[1]


def test_contacts_export_with_its_list_filters_is_audited(staff, db):
    add_response(db, country="UY", name="Ana Ruiz")
    add_response(
        db, country="AR", name="Beto Gómez", practice_name="Otra", permission_to_contact=False
    )
    book = workbook(staff.get("/staff/data/export/contacts.xlsx?country=UY&labels=es"))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    assert [dict(zip(header, r, strict=True))["Nombre"] for r in rows[1:]] == ["Ana Ruiz"]
    assert dict(zip(header, rows[1], strict=True))["País"] == "Uruguay"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export.contacts")
    ).one()
    assert event.changes["filters"][1] == {"country": "UY", "labels": "es"}
    denied = staff.get("/staff/data/export/contacts.csv?permission=no&labels=codes")
    assert "Beto Gómez" in denied.get_data(as_text=True)
    assert "Ana Ruiz" not in denied.get_data(as_text=True)


def test_pipeline_in_spanish_reads_as_the_board(client, create_user, login):
    login(create_user("viewer"))
    book = workbook(client.get("/staff/data/export/pipeline.xlsx?region=019&labels=es"))
    rows = {r[0]: r for r in book.worksheets[0].iter_rows(values_only=True)}
    header = rows["País"]
    brazil = dict(zip(header, rows["Brasil"], strict=True))
    assert brazil["QOPI: disponibilidad"] == "Disponible"
    assert brazil["QOPI: preparación"] == "Lanzado"
    assert brazil["QOPI: criterios"].startswith(("Cumplido: ", "No cumplido: "))
    assert list(rows)[1:3] == ["Anguila", "Antigua y Barbuda"]


@pytest.mark.parametrize("kind", ["responses", "practices", "contacts", "pipeline"])
def test_each_export_page_offers_the_language_and_codes(staff, kind):
    page = staff.get(f"/staff/data/export/{kind}").get_data(as_text=True)
    assert 'name="labels"' in page
    assert 'value="codes"' in page
    assert f"/staff/data/export/{kind}.xlsx?" in page
