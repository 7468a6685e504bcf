"""Exports in codes, the machine form (docs/domain.md#exports): formula neutralization, BOM,
UTC timestamps, filters, chunks, pipeline. Labelled exports: tests/data/test_labelled_exports.py."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import openpyxl
import pytest

from crm.data import exports as reports
from crm.data import filters as export_filters
from crm.data import spreadsheets
from crm.data.columns import CODES, layout
from crm.readiness import rules as readiness
from crm.readiness import wording
from crm.responses.intake import intake_response

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
DANGEROUS = {
    "comments": '=HYPERLINK("http://x","y")',
    "name": "+1",
    "role": "-2",
    "city": "@SUM(A1)",
    "phone": "\t=1+1",
}


def answers(**overrides) -> dict:
    base = {
        "name": "Ana Pérez",
        "email": f"{uuid.uuid4().hex[:8]}@clinica.example",
        "practice_name": f"Clínica {uuid.uuid4().hex[:6]}",
        "country": "BR",
        "city": "Recife",
        "oncologists_count": 4,
        "interest_qopi": "very",
        "qtp_formats": ["six_month", "one_day"],
        "consent": True,
        "permission_to_contact": True,
    }
    return base | overrides


def add_response(db, at: datetime = T0, language: str = "pt_BR", **overrides):
    result = intake_response(
        answers(**overrides),
        language=language,
        submission_token=uuid.uuid4().hex,
        consent_at=at,
        privacy_notice_version="2026-11",
        submitted_at=at,
    )
    db.session.commit()
    return result.response


def csv_cells(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


EVERY = export_filters.ResponseFilters(status=None)


def coded(fields, chunks):
    """Chunks of stored values as written in codes."""
    resolved = layout(fields, CODES, timezone="America/New_York", reader="en")
    return (resolved.rows(chunk) for chunk in chunks)


def export_csv(filters=None, **kwargs) -> list[list[str]]:
    chunks = coded(reports.RESPONSE_FIELDS, reports.response_rows(filters or EVERY, **kwargs))
    return csv_cells(b"".join(spreadsheets.csv_stream(reports.RESPONSE_COLUMNS, chunks)))


def export_xlsx(columns, chunks) -> openpyxl.Workbook:
    target = io.BytesIO()
    spreadsheets.write_xlsx(columns, chunks, target, sheet_name="responses")
    target.seek(0)
    return openpyxl.load_workbook(target)


def sheet_values(workbook: openpyxl.Workbook) -> list[list[object]]:
    return [list(row) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)]


def response_xlsx(filters=None) -> openpyxl.Workbook:
    chunks = coded(reports.RESPONSE_FIELDS, reports.response_rows(filters or EVERY))
    return export_xlsx(reports.RESPONSE_COLUMNS, chunks)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("plain = text", "plain = text"),
        ("", ""),
        (-2, -2),
        (1.5, 1.5),
        (None, None),
    ],
)
def test_neutralize(value, expected):
    assert spreadsheets.neutralize(value) == expected


def test_csv_cells_never_start_with_a_formula_character(db):
    add_response(db, **DANGEROUS)
    rows = export_csv()
    assert all(not cell.startswith(spreadsheets.FORMULA_TRIGGERS) for row in rows for cell in row)


def test_csv_keeps_the_dangerous_values_after_the_quote(db):
    add_response(db, **DANGEROUS)
    header, row = export_csv()
    exported = dict(zip(header, row, strict=True))
    assert {key: exported[key].removeprefix("'") for key in DANGEROUS} == DANGEROUS


def test_xlsx_text_is_written_as_typed_into_text_cells_never_formulas(db):
    add_response(db, **DANGEROUS)
    workbook = response_xlsx()
    cells = [cell for row in workbook.active.iter_rows() for cell in row if cell.value is not None]
    texts = {c.coordinate: c.value for c in cells if isinstance(c.value, str)}
    # Every text cell is a string cell ("s"): none is a formula ("f").
    assert {c.coordinate: c.data_type for c in cells if c.coordinate in texts} == dict.fromkeys(
        texts, "s"
    )
    header, row = sheet_values(workbook)
    exported = dict(zip(header, row, strict=True))
    assert {key: exported[key] for key in DANGEROUS} == DANGEROUS


def test_a_phone_number_comes_out_of_the_xlsx_as_typed(db):
    add_response(db, phone="+57 601 555 0100")
    sheet = response_xlsx().active
    column = [c.value for c in sheet[1]].index("phone") + 1
    cell = sheet.cell(row=2, column=column)
    assert (cell.value, cell.data_type) == ("+57 601 555 0100", "s")


def test_headings_are_neutralized_in_csv_and_typed_text_in_xlsx():
    rows = [["x", "y"]]
    header = csv_cells(b"".join(spreadsheets.csv_stream(["=cmd", "@who"], [rows])))[0]
    workbook = export_xlsx(["=cmd", "@who"], [rows])
    assert header == ["'=cmd", "'@who"]
    assert [(c.value, c.data_type) for c in workbook.active[1]] == [("=cmd", "s"), ("@who", "s")]


def test_csv_starts_with_a_bom_and_names_the_time_zone(db):
    add_response(db)
    chunks = coded(reports.RESPONSE_FIELDS, reports.response_rows(EVERY))
    content = b"".join(spreadsheets.csv_stream(reports.RESPONSE_COLUMNS, chunks))
    assert content.startswith(b"\xef\xbb\xbfresponse_id,submitted_at (UTC),")


def test_submission_time_is_written_in_utc(db):
    add_response(db, at=datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=-3))))
    header, row = export_csv()
    assert row[header.index("submitted_at (UTC)")] == "2026-03-02 12:30:00"


def test_xlsx_submission_time_is_a_utc_date(db):
    add_response(db, at=datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=-3))))
    header, row = sheet_values(response_xlsx())
    assert row[header.index("submitted_at (UTC)")] == datetime(2026, 3, 2, 12, 30)


def test_lists_booleans_and_numbers_are_written_plainly(db):
    add_response(db)
    header, row = export_csv()
    exported = dict(zip(header, row, strict=True))
    assert (exported["qtp_formats"], exported["consent"], exported["oncologists_count"]) == (
        "six_month; one_day",
        "yes",
        "4",
    )


def test_missing_numbers_stay_blank_not_nan(db):
    add_response(db, oncologists_count=None)
    add_response(db)
    header, *rows = export_csv()
    assert [r[header.index("oncologists_count")] for r in rows] == ["", "4"]


def test_chunks_cover_every_row_once(db):
    ids = [add_response(db).id for _ in range(5)]
    chunks = list(reports.response_rows(EVERY, chunk_size=2))
    assert [len(c) for c in chunks] == [2, 2, 1]
    assert [row[0] for c in chunks for row in c] == ids


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({}, {"AR", "BR"}),
        ({"status": "all"}, {"AR", "BR", "CL"}),
        ({"status": "spam"}, {"CL"}),
        ({"status": "junk"}, {"AR", "BR"}),
        ({"status": "all", "country": "br"}, {"BR"}),
        ({"country": "AR"}, {"AR"}),
        ({"language": "es"}, {"AR"}),
        ({"status": "linked"}, set()),
        ({"status": "all", "language": "xx"}, {"AR", "BR", "CL"}),
        ({"status": "all", "suggested": "y"}, {"CL"}),
    ],
)
def test_filters_select_the_rows_shown_on_screen(db, args, expected):
    add_response(db, country="BR")
    add_response(db, country="AR", language="es")
    chile = add_response(db, country="CL")
    chile.triage_status, chile.suggested_practice_id = "spam", chile.practice_id
    db.session.commit()
    header, *rows = export_csv(export_filters.ResponseFilters.from_args(args))
    assert {row[header.index("country")] for row in rows} == expected


def test_date_range_uses_the_organization_calendar(db):
    # 2026-11-02 01:00 UTC is still 1 November in New York.
    add_response(db, at=datetime(2026, 11, 2, 1, 0, tzinfo=UTC), city="late")
    add_response(db, at=datetime(2026, 11, 2, 6, 0, tzinfo=UTC), city="next day")
    filters = export_filters.ResponseFilters.from_args(
        {"status": "all", "from": "2026-11-01", "to": "2026-11-01"}, timezone="America/New_York"
    )
    header, *rows = export_csv(filters)
    assert [row[header.index("city")] for row in rows] == ["late"]


@pytest.mark.parametrize(
    "args",
    [
        {"status": "new", "country": "BR", "language": "es", "from": "2026-01-01"},
        {"status": "all", "suggested": "y", "to": "2026-02-01"},
    ],
)
def test_filters_round_trip_through_query_arguments(args):
    assert export_filters.ResponseFilters.from_args(args).as_args() == args


def test_practice_export_carries_current_interests(db):
    response = add_response(db, interest_qcp="somewhat", willing_to_pay_qcp_fee="yes")
    chunks = coded(reports.PRACTICE_FIELDS, reports.practice_rows(export_filters.PracticeFilters()))
    header, row = csv_cells(b"".join(spreadsheets.csv_stream(reports.PRACTICE_COLUMNS, chunks)))
    exported = dict(zip(header, row, strict=True))
    assert exported["practice_id"] == str(response.practice_id)
    assert (exported["interest_qopi"], exported["interest_qcp"], exported["interest_qtp"]) == (
        "very",
        "somewhat",
        "",
    )
    assert (exported["willing_to_pay_qcp_fee"], exported["contacts"]) == ("yes", "1")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"program": "QOPI"}, 1),
        ({"program": "qcp"}, 0),
        ({}, 2),
        ({"q": "sao jose"}, 1),
        ({"q": "São-José", "program": "QOPI"}, 0),
        ({"country": "AR"}, 0),
    ],
)
def test_practice_filters_of_the_list(db, args, expected):
    add_response(db, country="BR")
    add_response(db, country="BR", interest_qopi="not_at_all", practice_name="Clínica São José")
    filters = export_filters.PracticeFilters.from_args(args)
    assert reports.count_practices(filters) == expected
    assert sum(len(c) for c in reports.practice_rows(filters)) == expected


def test_xlsx_continues_on_a_new_sheet_past_the_row_limit(db, monkeypatch):
    monkeypatch.setattr(spreadsheets, "XLSX_MAX_ROWS", 3)
    for _ in range(5):
        add_response(db)
    workbook = response_xlsx()
    assert [sheet.title for sheet in workbook.worksheets] == [
        "responses",
        "responses (2)",
        "responses (3)",
    ]
    assert [sheet.max_row for sheet in workbook.worksheets] == [3, 3, 2]


def pipeline_rows() -> list[dict]:
    facts = readiness.CountryFacts(
        country="BR",
        availability={"QOPI": "available", "QCP": "available", "QTP": "available"},
        thresholds={"QOPI": 5, "QCP": 3},
    )
    chile = readiness.CountryFacts(
        country="CL",
        availability={"QOPI": "available"},
        privacy_reviews=(readiness.ReviewFact("in_review", frozenset({"QCP"})),),
        eligible={"QCP": 1},
        thresholds={"QOPI": 5, "QCP": 3},
    )
    results = readiness.assess([facts, chile], today=date(2026, 11, 1), qcp_capacity=6)
    return [wording.as_dict(r) for r in results]


def pipeline_table(availability, **kwargs) -> dict[str, dict[str, object]]:
    """The pipeline's rows in codes, by country code, as heading → value."""
    rows = reports.pipeline_rows(pipeline_rows(), availability, codes=True, **kwargs)
    (written,) = coded(reports.PIPELINE_FIELDS, [rows])
    return {row[0]: dict(zip(reports.PIPELINE_COLUMNS, row, strict=True)) for row in written}


def test_pipeline_has_one_row_per_country_with_every_program():
    table = pipeline_table({"BR": {"QTP": "available"}, "AR": {"QOPI": "available"}})
    assert list(table) == ["AR", "BR", "CL"]
    brazil = table["BR"]
    assert (brazil["QOPI readiness"], brazil["QCP readiness"], brazil["QTP availability"]) == (
        "launched",
        "launched",
        "available",
    )


def test_pipeline_explains_each_criterion():
    chile = pipeline_table({})["CL"]
    assert chile["QCP readiness"] == "blocked"
    assert "not met: Eligible practices: 1 of 3" in chile["QCP criteria"]
    assert chile["QOPI availability"] == "available"
    assert chile["QTP availability"] == "not_available"


def test_pipeline_writes_to_csv_and_xlsx():
    rows = list(pipeline_table({}).values())
    cells = [list(row.values()) for row in rows]
    header, *written = csv_cells(
        b"".join(spreadsheets.csv_stream(reports.PIPELINE_COLUMNS, [cells]))
    )
    workbook = export_xlsx(reports.PIPELINE_COLUMNS, [cells])
    assert header == list(reports.PIPELINE_COLUMNS)
    assert len(written) == len(sheet_values(workbook)) - 1 == 2


def test_viewer_downloads_the_country_pipeline(client, create_user, login):
    import csv
    import io

    login(create_user("viewer"))
    response = client.get("/staff/data/export/pipeline.csv?labels=codes")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    brazil = next(r for r in rows if r["country"] == "BR")
    assert (brazil["QOPI availability"], brazil["QOPI readiness"]) == ("available", "launched")
    assert len(rows) == 250


def test_the_pipeline_export_takes_the_country_list_filters(client, create_user, login):
    import csv
    import io

    login(create_user("viewer"))
    query = "program=QCP&availability=available"
    listed = client.get(f"/staff/countries/?{query}").get_data(as_text=True)
    assert "/staff/data/export/pipeline.csv?program=QCP&amp;availability=available" in listed
    response = client.get(f"/staff/data/export/pipeline.csv?{query}&labels=codes")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    # As seeded (docs/domain.md#availability, #home): QCP is open in Brazil, Greece, Romania,
    # Saudi Arabia and Spain, and in the United States, its home.
    assert sorted(r["country"] for r in rows) == ["BR", "ES", "GR", "RO", "SA", "US"]
    americas = client.get("/staff/data/export/pipeline.csv?region=019&labels=codes").get_data(
        as_text=True
    )
    assert "\nBR," in americas
    assert "\nGR," not in americas


def test_viewer_cannot_download_personal_data(client, create_user, login):
    login(create_user("viewer"))
    assert client.get("/staff/data/export/responses.csv").status_code == 403


def test_the_lists_link_to_their_exports_with_the_filters(client, create_user, login):
    login(create_user("staff"))
    html = client.get("/staff/responses?country=CO&status=all").get_data(as_text=True)
    assert "/staff/data/export/responses.csv?" in html
    assert "country=CO" in html
