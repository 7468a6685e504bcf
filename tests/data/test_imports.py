"""Legacy import (docs/architecture.md#data): reading files of any survey tool, suggestions,
row checks, staging, all-or-nothing commit, and the round trip from our own XLSX export."""

from __future__ import annotations

import codecs
import io
import uuid
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import delete, func, select, update

from crm.audit.models import AuditEvent
from crm.data import exports as reports
from crm.data import spreadsheets
from crm.data.imports import operations as operations
from crm.data.imports.columns import suggest_columns
from crm.data.imports.files import read_table
from crm.data.imports.issues import ImportFileError, ImportLimits, Issue, describe
from crm.data.imports.parsing import detect_date_order, parse_timestamp, parse_whole_number
from crm.data.imports.rows import check_row
from crm.data.imports.targets import TARGETS
from crm.data.imports.values import BLANK_CODE, split_multi, suggest_value
from crm.data.models import ImportBatch
from crm.responses import tallies
from crm.responses.intake import intake_response
from crm.responses.models import Contact, Interest, Practice, SurveyResponse
from tests.data.spreadsheets import (
    GOOD_ROW,
    HEADINGS,
    csv_bytes,
    legacy_rows,
    xlsx_bytes,
    zip_bytes,
)

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
KNOWN = frozenset({"BR", "AR", "GR", "DE", "US"})

# --------------------------------------------------------------------------------------------
# Reading


def test_utf8_bom_is_stripped_from_the_first_heading():
    table = read_table(csv_bytes([["id", "name"], ["1", "Sí"]], encoding="utf-8-sig"))
    assert (table.columns[0], table.encoding, table.rows) == ("id", "UTF-8", [["1", "Sí"]])


def test_utf16_with_bom_and_tabs():
    content = csv_bytes([["name", "city"], ["Γ.Ν.Θ.", "ΘΕΣΣΑΛΟΝΙΚΗ"]], separator="\t")
    table = read_table(codecs.BOM_UTF16_LE + content.decode().encode("utf-16-le"))
    assert (table.encoding, table.separator, table.rows) == (
        "UTF-16",
        "\t",
        [["Γ.Ν.Θ.", "ΘΕΣΣΑΛΟΝΙΚΗ"]],
    )


def test_windows_1252_when_not_utf8():
    content = csv_bytes([["name", "city"], ["Spital", "Zürich"]], separator=";", encoding="cp1252")
    table = read_table(content)
    assert (table.encoding, table.rows) == ("Windows-1252", [["Spital", "Zürich"]])


def test_the_encoding_used_is_said_in_a_note(app):
    table = read_table(csv_bytes([["a", "b"], ["1", "2"]], encoding="cp1252"))
    assert describe(table.notes[0]) == "Read as CSV, text encoding UTF-8, separator “,”."


@pytest.mark.parametrize("separator", [",", ";", "\t", "|"])
def test_separator_is_detected(separator):
    table = read_table(csv_bytes([["a", "b", "c"], ["1", "2", "3"]], separator=separator))
    assert (table.separator, table.columns) == (separator, ["a", "b", "c"])


def test_semicolon_file_with_decimal_commas_is_not_read_as_commas():
    rows = [["id", "lat", "lon"], ["CY_1", "35,127389", "33,377017"], ["CY_2", "35,1", "33,3"]]
    table = read_table(csv_bytes(rows, separator=";"))
    assert (table.separator, table.rows[0]) == (";", ["CY_1", "35,127389", "33,377017"])


def test_quoted_newlines_stay_in_their_cell_and_a_missing_final_newline_loses_nothing():
    content = b'name,address\r\n"A","14 Rose St.\nKenning"\r\n"B","x"'
    table = read_table(content)
    assert table.rows == [["A", "14 Rose St.\nKenning"], ["B", "x"]]


def test_trailing_blank_lines_are_not_rows():
    table = read_table(b"a,b\n1,2\n\n\n")
    assert table.rows == [["1", "2"]]


def test_duplicate_headings_are_kept_apart_by_position():
    table = read_table(csv_bytes([["Q", "Q", "Q"], ["1", "2", "3"]]))
    assert (table.columns, table.rows) == (["Q", "Q", "Q"], [["1", "2", "3"]])


def test_row_numbers_count_the_heading_row():
    table = read_table(b"a,b\n1,2\n\n3,4\n")
    assert table.row_numbers == [2, 4]


def test_short_rows_are_padded_and_noted(app):
    table = read_table(b"a,b,c\n1,2\n3,4\n")
    assert table.rows == [["1", "2", ""], ["3", "4", ""]]
    assert describe(table.notes[-1]).startswith("2 rows had fewer cells")


def test_a_trailing_empty_column_is_dropped():
    table = read_table(b"V1,V2,\n1,2,\n")
    assert table.columns == ["V1", "V2"]


def test_surveymonkey_two_heading_rows_are_combined():
    rows = [
        ["Respondent ID", "Email Address", "Contact information", "", "Which city?"],
        ["", "", "Name", "Email", "Response"],
        ["11", "", "Ana", "ana@x.example", "Recife"],
    ]
    table = read_table(csv_bytes(rows))
    assert table.header_rows == 2
    assert table.columns == [
        "Respondent ID",
        "Email Address",
        "Contact information / Name",
        "Contact information / Email",
        "Which city?",
    ]
    assert table.rows == [["11", "", "Ana", "ana@x.example", "Recife"]]


def test_limesurvey_resaved_question_and_option_rows():
    rows = [
        ["Welchen Hintergrund haben Sie?", "", "Wie oft?"],
        ["Maschinenbau", "Informatik", "Kommunikation"],
        ["Ja", "Nein", "eher häufig"],
    ]
    table = read_table(csv_bytes(rows, separator=";", encoding="utf-8-sig"))
    assert table.columns == [
        "Welchen Hintergrund haben Sie? / Maschinenbau",
        "Welchen Hintergrund haben Sie? / Informatik",
        "Wie oft? / Kommunikation",
    ]
    assert table.rows == [["Ja", "Nein", "eher häufig"]]


def test_qualtrics_three_heading_rows_end_with_the_import_id_row():
    rows = [
        ["StartDate", "Q1"],
        ["Anfangsdatum", "Frage"],
        ['{"ImportId":"startDate"}', '{"ImportId":"QID1"}'],
        ["2017-07-18 08:28:09", "2"],
    ]
    table = read_table(csv_bytes(rows))
    assert (table.header_rows, table.columns, len(table.rows)) == (
        3,
        ["StartDate / Anfangsdatum", "Q1 / Frage"],
        1,
    )


def test_qualtrics_legacy_labels_over_numbers_are_a_heading_row():
    rows = [
        ["V1", "V7", "V8", "Q1", ""],
        ["ResponseID", "Status", "StartDate", "This is a question.", ""],
        ["R_2YP", "0", "2017-07-18 08:28:09", "2", ""],
    ]
    table = read_table(csv_bytes(rows))
    assert (table.header_rows, table.columns[1], len(table.rows)) == (2, "V7 / Status", 1)


def test_a_first_data_row_with_numbers_is_not_taken_for_headings():
    rows = [["id", "submitdate", "name"], ["1", "2024-01-01 10:00:00", "Ana"], ["2", "", "Bo"]]
    assert read_table(csv_bytes(rows)).header_rows == 1


def test_heading_rows_can_be_forced():
    rows = [["Question", ""], ["a", "b"], ["1", "2"]]
    assert read_table(csv_bytes(rows), header_rows=1).rows == [["a", "b"], ["1", "2"]]


def test_our_export_escape_is_undone_on_reading():
    table = read_table(csv_bytes([["'=name", "city"], ["'+1", "'plain"]]))
    assert (table.columns, table.rows) == (["=name", "city"], [["+1", "'plain"]])


def test_xlsx_first_sheet_whatever_its_name_with_dates_and_numbers():
    content = xlsx_bytes(
        [["when", "count", "text"], [datetime(2024, 3, 1, 13, 49, 26), 700000101, "a\nb"]],
        sheet="Artifact Evaluation Survey",
    )
    table = read_table(content)
    assert (table.file_format, table.sheet) == ("xlsx", "Artifact Evaluation Survey")
    assert table.rows == [["2024-03-01 13:49:26", "700000101", "a\nb"]]


def test_xlsx_mixed_column_types_do_not_fail():
    table = read_table(xlsx_bytes([["g2", "x"], [10, "a"], ["Very helpful10", "b"], [1.5, "c"]]))
    assert [row[0] for row in table.rows] == ["10", "Very helpful10", "1.5"]


# The bad files of SPEC §5 / issue 5: each gives its own message.
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


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_file_gives_its_message(app, name):
    content, message = BAD_FILES[name]
    with pytest.raises(ImportFileError) as raised:
        read_table(content)
    assert message in raised.value.message


def test_file_over_the_size_limit(app):
    with pytest.raises(ImportFileError) as raised:
        read_table(b"a,b\n" + b"1,2\n" * 1000, limits=ImportLimits(max_bytes=1000))
    assert raised.value.issue.params == {"size": 4004, "limit": 1000}


def test_sizes_are_said_in_megabytes(app):
    error = ImportFileError("too_large", size=7_500_000, limit=5 * 1024 * 1024)
    assert error.message == "The file is 7.2 MB; the largest file accepted is 5 MB."


def test_zip_that_unpacks_beyond_the_total_limit(app):
    content = zip_bytes({"a.xml": b"x" * 200_000, "b.xml": b"y" * 200_000})
    with pytest.raises(ImportFileError) as raised:
        read_table(content, limits=ImportLimits(max_uncompressed_bytes=300_000))
    assert raised.value.issue.code == "zip_bomb"
    assert "once unpacked it would take" in raised.value.message


def test_too_many_rows(app):
    with pytest.raises(ImportFileError) as raised:
        read_table(b"a,b\n" + b"1,2\n" * 11, limits=ImportLimits(max_rows=10))
    assert raised.value.message.startswith("The file has more than 10 rows")


def test_too_many_columns(app):
    content = csv_bytes([[f"c{i}" for i in range(12)], ["x"] * 12])
    with pytest.raises(ImportFileError) as raised:
        read_table(content, limits=ImportLimits(max_columns=10))
    assert raised.value.message == "The file has 12 columns; at most 10 are accepted."


def test_file_messages_in_the_users_language(app):
    with pytest.raises(ImportFileError) as raised:
        read_table(b"")
    with force_locale("es"):
        assert raised.value.message == "El archivo está vacío."


# --------------------------------------------------------------------------------------------
# Suggestions


def test_our_export_headings_map_themselves():
    mapping = suggest_columns(list(reports.RESPONSE_COLUMNS))
    expected = {
        key: reports.RESPONSE_COLUMNS.index(key)
        for key in TARGETS
        if key in reports.RESPONSE_COLUMNS
    }
    expected["submitted_at"] = reports.RESPONSE_COLUMNS.index("submitted_at (UTC)")
    assert mapping == expected


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("hospital_name", "practice_name"),
        ("Nombre de la institución", "practice_name"),
        ("País", "country"),
        ("cc", "country"),
        ("E-mail", "email"),
        ("Your email address", "email"),
        ("submitdate. Date submitted", "submitted_at"),
        ("Carimbo de data/hora", "submitted_at"),
        ("Marca temporal", "submitted_at"),
        ("startlanguage", "language"),
        ("Cidade", "city"),
    ],
)
def test_headings_of_other_tools_are_suggested(heading, key):
    assert suggest_columns(["something else", heading]) == {key: 1}


def test_a_long_question_that_mentions_an_email_is_not_the_email_column():
    heading = "I agree that the researchers may contact me by e-mail about the results later on"
    assert suggest_columns([heading]) == {}


def test_a_column_with_values_beats_an_empty_one_of_the_same_heading():
    columns = ["Email Address", "Contact information / Email"]
    rows = [["", "ana@x.example"]]
    assert suggest_columns(columns, rows) == {"email": 1}


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        ("interest_qopi", "Very interested", "very"),
        ("interest_qopi", "Muy interesado", "very"),
        ("interest_qopi", "Muito interessada", "very"),
        ("interest_qcp", "not_at_all", "not_at_all"),
        ("reads_english", "Sí", "yes"),
        ("reads_english", "Sim", "yes"),
        ("reads_english", "Oui", "yes"),
        ("reads_english", "No", "no"),
        ("willing_to_pay_qcp_fee", "No sé", "unsure"),
        ("timeframe", "Within 6 months", "within_6_months"),
        ("timeframe", "6_to_12_months", "6_to_12_months"),
        ("practice_type", "Private practice", "private_practice"),
        ("permission_to_contact", "TRUE", "yes"),
        ("language", "es-AR", "es"),
        ("language", "Português", "pt_BR"),
        ("language", "nl-informal", None),
        ("practice_type", "General", None),
    ],
)
def test_answer_suggestions(app, key, value, code):
    assert suggest_value(key, value) == code


@pytest.mark.parametrize(
    ("value", "items"),
    [
        ("Pricing;Operating system;Brand;", ["Pricing", "Operating system", "Brand"]),
        ("Café da manhã, Almoço, Jantar", ["Café da manhã", "Almoço", "Jantar"]),
        ("six_month; one_day", ["six_month", "one_day"]),
    ],
)
def test_multiple_choice_cells_are_split(value, items):
    assert split_multi(value) == items


# --------------------------------------------------------------------------------------------
# Row checks

MAPPING = {
    "columns": {key: position for position, key in enumerate(
        ["practice_name", "country", "city", "name", "email", "interest_qopi",
         "oncologists_count", "submitted_at"]
    )},
    "values": {"interest_qopi": {"muitointeressado": "very", "nada": BLANK_CODE}},
    "language": "pt_BR",
    "date_order": "dmy",
}  # fmt: skip


def check(**changes):
    cells = list(GOOD_ROW)
    for key, value in changes.items():
        cells[MAPPING["columns"][key]] = value
    return check_row(cells, MAPPING, known_countries=KNOWN, now=NOW)


def test_a_good_row_gives_our_answers(app):
    result = check()
    assert result.errors == []
    assert result.answers == {
        "practice_name": "Clínica São José",
        "country": "BR",
        "city": "Recife",
        "name": "Ana Souza",
        "email": "ana@saojose.example",
        "interest_qopi": "very",
        "oncologists_count": 4,
    }
    assert (result.language, result.submitted_at) == (
        "pt_BR",
        datetime(2025, 12, 1, 10, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"practice_name": " "}, "missing", "Practice name is missing."),
        ({"country": ""}, "missing", "Country is missing."),
        (
            {"country": "Narnia"},
            "unknown_country",
            "Country: “Narnia” is not a country code or name we recognise.",
        ),
        (
            {"oncologists_count": "many"},
            "not_a_number",
            "Number of oncologists: “many” is not a whole number.",
        ),
        (
            {"oncologists_count": "20000"},
            "out_of_range",
            "Number of oncologists: 20000 is outside the accepted range 0 to 10,000.",
        ),
        ({"city": "x" * 201}, "too_long", "City is longer than 200 characters."),
        (
            {"practice_name": "- - -"},
            "no_letter_or_digit",
            "Practice name needs at least one letter or digit.",
        ),
        ({"email": "ana@"}, "bad_email", "Contact email: “ana@” is not an email address."),
        (
            {"interest_qopi": "Talvez"},
            "unmapped_value",
            "Interest in QOPI: the answer “Talvez” is not mapped to one of our answers "
            "(values step).",
        ),
        (
            {"submitted_at": "yesterday"},
            "bad_date",
            "Submitted at: “yesterday” is not a date and time that could be read.",
        ),
        (
            {"submitted_at": "01/01/2031"},
            "future_date",
            "Submitted at: 01/01/2031 is in the future.",
        ),
    ],
)
def test_row_errors(app, changes, code, message):
    result = check(**changes)
    assert [issue.code for issue in result.errors] == [code]
    assert describe(result.errors[0]) == message


def test_row_errors_in_the_users_language(app):
    result = check(practice_name="")
    with force_locale("es"):
        assert describe(result.errors[0]) == "Nombre del centro: falta el dato."


@pytest.mark.parametrize(
    ("written", "code"), [("br", "BR"), ("EL", "GR"), ("Alemania", "DE"), ("ARG", "AR")]
)
def test_countries_by_code_alias_name_or_alpha3(app, written, code):
    assert check(country=written).answers["country"] == code


def test_anonymous_is_no_email_and_no_contact_is_a_warning(app):
    result = check(email="anonymous", name="")
    assert "email" not in result.answers
    assert (result.errors, [w.code for w in result.warnings]) == ([], ["no_contact"])


def test_a_blank_submission_time_is_a_warning_not_a_dropped_row(app):
    result = check(submitted_at="")
    assert (result.errors, [w.code for w in result.warnings]) == ([], ["no_timestamp"])


def test_an_answer_mapped_to_no_answer_is_left_out(app):
    assert "interest_qopi" not in check(interest_qopi="Nada").answers


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("9/08/2021 12:23:46", "dmy", datetime(2021, 8, 9, 12, 23, 46, tzinfo=UTC)),
        ("01/12/2022 07:10:40", "dmy", datetime(2022, 12, 1, 7, 10, 40, tzinfo=UTC)),
        ("4/28/21 11:21:47 AM", "mdy", datetime(2021, 4, 28, 11, 21, 47, tzinfo=UTC)),
        ("4/28/21 1:21 PM", "mdy", datetime(2021, 4, 28, 13, 21, tzinfo=UTC)),
        ("2021-12-06T10:00:09.772+06:00", "dmy", datetime(2021, 12, 6, 4, 0, 9, 772000, UTC)),
        ("2019-09-18T08:51:07Z", "dmy", datetime(2019, 9, 18, 8, 51, 7, tzinfo=UTC)),
        ("2025-03-17 21:19:03", "mdy", datetime(2025, 3, 17, 21, 19, 3, tzinfo=UTC)),
        ("15/04/20", "dmy", datetime(2020, 4, 15, tzinfo=UTC)),
        ("31/02/2020", "dmy", None),
    ],
)
def test_timestamps_of_the_tools(text, order, expected):
    assert parse_timestamp(text, order) == expected


@pytest.mark.parametrize(
    ("values", "order"),
    [(["01/12/2022", "13/12/2022"], "dmy"), (["4/28/21"], "mdy"), (["01/02/2022"], "dmy")],
)
def test_date_order_is_detected_from_the_column(values, order):
    assert detect_date_order(values) == order


@pytest.mark.parametrize(
    ("text", "number"),
    [("12", 12), ("12.0", 12), ("1,234", 1234), ("1.234", 1234), ("1 234", 1234), ("x", None)],
)
def test_whole_numbers(text, number):
    assert parse_whole_number(text) == number


# --------------------------------------------------------------------------------------------
# Staging, preview and commit


def counts(db) -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (SurveyResponse, Practice, Contact, Interest)
    }


def stage(db, content: bytes, **kwargs) -> ImportBatch:
    batch = operations.stage_import(
        kwargs.pop("filename", "legacy.csv"),
        content,
        header_rows=kwargs.pop("header_rows", None),
        language="pt_BR",
        limits=ImportLimits(),
        created_by_id=None,
        now=kwargs.pop("now", NOW),
    )
    db.session.commit()
    return batch


def previewed(db, *rows, values=None) -> ImportBatch:
    batch = stage(db, csv_bytes(legacy_rows(*rows)))
    operations.map_columns(batch, batch.mapping["columns"], language="pt_BR", date_order="auto")
    operations.map_values(batch, values or batch.mapping["values"], now=NOW)
    db.session.commit()
    return batch


def row(**changes) -> list[str]:
    cells = list(GOOD_ROW)
    for key, value in changes.items():
        cells[HEADINGS.index(key)] = value
    return cells


def test_staging_keeps_the_table_and_suggestions_but_imports_nothing(db):
    before = counts(db)
    batch = stage(db, csv_bytes(legacy_rows(GOOD_ROW)))
    assert counts(db) == before
    assert batch.status == "uploaded"
    assert batch.rows == [{"n": 2, "cells": GOOD_ROW}]
    assert batch.mapping["columns"] == {
        "practice_name": 0,
        "country": 1,
        "city": 2,
        "name": 3,
        "email": 4,
        "interest_qopi": 5,
        "oncologists_count": 6,
        "submitted_at": 7,
    }
    assert batch.mapping["values"] == {"interest_qopi": {"muitointeressado": "very"}}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_file_stages_nothing(db, name):
    before = counts(db)
    with pytest.raises(ImportFileError):
        stage(db, BAD_FILES[name][0])
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0
    assert counts(db) == before


@pytest.mark.parametrize("missing", ["practice_name", "country"])
def test_mapping_without_a_required_column_is_refused(db, missing):
    batch = stage(db, csv_bytes(legacy_rows(GOOD_ROW)))
    columns = {k: v for k, v in batch.mapping["columns"].items() if k != missing}
    with pytest.raises(ValueError, match=missing):
        operations.map_columns(batch, columns, language="en", date_order="auto")


def test_mapping_one_column_twice_is_refused(db):
    batch = stage(db, csv_bytes(legacy_rows(GOOD_ROW)))
    with pytest.raises(ValueError, match="twice"):
        operations.map_columns(
            batch, {"practice_name": 0, "country": 1, "city": 0}, language="en", date_order="auto"
        )


def test_without_closed_questions_the_rows_are_checked_at_once(db):
    batch = stage(db, csv_bytes(legacy_rows(GOOD_ROW)))
    operations.map_columns(
        batch, {"practice_name": 0, "country": 1}, language="en", date_order="dmy"
    )
    assert batch.status == "previewed"
    assert batch.preview["counts"]["valid"] == 1


def test_closed_columns_list_each_distinct_answer(db):
    batch = stage(db, csv_bytes(legacy_rows(GOOD_ROW, row(**{"Interest in QOPI": "Talvez"}))))
    operations.map_columns(batch, batch.mapping["columns"], language="en", date_order="auto")
    [question] = operations.closed_columns(batch)
    assert question["key"] == "interest_qopi"
    assert question["values"] == [
        ("muitointeressado", "Muito interessado", 1, "very"),
        ("talvez", "Talvez", 1, None),
    ]


def test_an_unknown_code_in_the_value_mapping_is_refused(db):
    batch = stage(db, csv_bytes(legacy_rows(GOOD_ROW)))
    operations.map_columns(batch, batch.mapping["columns"], language="en", date_order="auto")
    with pytest.raises(ValueError, match="unknown code"):
        operations.map_values(batch, {"interest_qopi": {"muitointeressado": "extremely"}})


def test_preview_lists_errors_per_row(db):
    batch = previewed(db, GOOD_ROW, row(Country="Narnia"))
    assert (
        batch.preview["counts"] | {"rows": 2, "valid": 1, "invalid": 1} == batch.preview["counts"]
    )
    second = batch.preview["rows"][1]
    assert (second["n"], second["errors"]) == (
        3,
        [{"code": "unknown_country", "params": {"field": "country", "value": "Narnia"}}],
    )


def add_practice(db, name: str, email: str = "someone@else.example", country: str = "BR"):
    intake_response(
        {
            "practice_name": name,
            "country": country,
            "city": "Recife",
            "name": "Existing",
            "email": email,
        },
        language="pt_BR",
        submission_token=uuid.uuid4().hex,
        consent_at=NOW,
        privacy_notice_version="2026-11",
    )
    db.session.commit()
    return db.session.scalar(select(Practice).where(Practice.name == name))


def test_preview_matches_an_existing_practice(db):
    practice = add_practice(db, "CLINICA SAO JOSE")
    batch = previewed(db, GOOD_ROW)
    assert batch.preview["rows"][0]["match"] == {
        "kind": "existing",
        "practice_id": practice.id,
        "name": "CLINICA SAO JOSE",
    }


def test_preview_only_suggests_a_close_name(db):
    practice = add_practice(db, "Clínica São José Oncologia")
    match = previewed(db, GOOD_ROW).preview["rows"][0]["match"]
    assert (match["kind"], match["practice_id"]) == ("suggested", practice.id)


def test_preview_spots_a_repeated_practice_in_the_file(db):
    batch = previewed(db, GOOD_ROW, row(Email="other@saojose.example"))
    assert [r["match"] for r in batch.preview["rows"]] == [
        {"kind": "new"},
        {"kind": "in_file", "row": 2},
    ]


def test_commit_is_refused_while_a_row_has_errors(db):
    batch = previewed(db, GOOD_ROW, row(Country="Narnia"))
    before = counts(db)
    with pytest.raises(operations.ImportRefused) as refused:
        operations.commit_import(batch, skip_invalid=False, now=NOW)
    db.session.rollback()
    assert (refused.value.invalid, refused.value.total) == (1, 2)
    assert counts(db) == before


def test_commit_can_skip_the_rows_with_errors(db):
    batch = previewed(db, GOOD_ROW, row(Country="Narnia"))
    result = operations.commit_import(batch, skip_invalid=True, now=NOW)
    db.session.commit()
    assert result == {"imported": 1, "already_imported": 0, "skipped": 1, "linked": 0, "new": 1}
    response = db.session.scalar(select(SurveyResponse))
    assert (response.source, response.consent_at, response.submission_token) == (
        "import",
        None,
        f"import-{batch.id}-2",
    )
    assert (response.language, response.submitted_at) == (
        "pt_BR",
        datetime(2025, 12, 1, 10, tzinfo=UTC),
    )


def test_commit_with_every_row_invalid_is_refused_even_when_skipping(db):
    batch = previewed(db, row(Country="Narnia"))
    with pytest.raises(operations.ImportRefused):
        operations.commit_import(batch, skip_invalid=True, now=NOW)


def test_commit_stores_rows_through_intake_and_empties_the_staged_rows(db):
    batch = previewed(db, GOOD_ROW, row(**{"Practice name": "Outra Clínica", "Email": "o@x.br"}))
    operations.commit_import(batch, skip_invalid=False, now=NOW)
    db.session.commit()
    practices = db.session.scalars(select(Practice.name).order_by(Practice.name)).all()
    interests = db.session.scalars(select(Interest.level)).all()
    assert (practices, interests) == (["Clínica São José", "Outra Clínica"], ["very", "very"])
    assert (batch.status, batch.rows, list(batch.preview)) == ("committed", [], ["counts"])


def test_commit_is_one_audit_event_with_counts(db):
    batch = previewed(db, GOOD_ROW)
    operations.commit_import(batch, skip_invalid=False, now=NOW)
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import_batch.commit"))
    assert (event.entity_id, event.changes["imported"], event.changes["skipped"]) == (
        str(batch.id),
        [None, 1],
        [None, 0],
    )


def test_a_second_commit_of_the_same_batch_stores_nothing(db):
    batch = previewed(db, GOOD_ROW)
    operations.commit_import(batch, skip_invalid=False, now=NOW)
    db.session.commit()
    with pytest.raises(operations.ImportStateError):
        operations.commit_import(batch, skip_invalid=False, now=NOW)
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1


def test_rows_already_stored_under_their_token_are_not_stored_again(db):
    batch = previewed(db, GOOD_ROW)
    staged = list(batch.rows)
    operations.commit_import(batch, skip_invalid=False, now=NOW)
    db.session.commit()
    # As if a second request had got past the status check before the first one committed.
    db.session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch.id)
        .values(status="previewed", rows=staged)
    )
    result = operations.commit_import(batch, skip_invalid=False, now=NOW)
    assert (result["imported"], result["already_imported"]) == (0, 1)
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1


def test_a_failure_during_commit_leaves_nothing_behind(db, monkeypatch):
    batch = previewed(db, GOOD_ROW, row(**{"Practice name": "Outra", "Email": "o@x.br"}))
    before = counts(db)
    calls = []

    def failing_intake(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return intake_response(*args, **kwargs)

    monkeypatch.setattr(operations, "intake_response", failing_intake)
    with pytest.raises(RuntimeError):
        operations.commit_import(batch, skip_invalid=False, now=NOW)
    db.session.rollback()
    assert counts(db) == before
    assert db.session.get(ImportBatch, batch.id).status == "previewed"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("C:\\Users\\ana\\legacy.csv", "legacy.csv"),
        ("", "upload"),
        ("leg\x00acy\n.csv", "legacy.csv"),
        ("\x00", "upload"),
    ],
)
def test_only_the_file_name_is_kept(db, sent, kept):
    assert stage(db, csv_bytes(legacy_rows(GOOD_ROW)), filename=sent).filename == kept


def test_discard_deletes_the_staged_file(db):
    batch = stage(db, csv_bytes(legacy_rows(GOOD_ROW)))
    operations.discard_import(batch)
    db.session.commit()
    assert db.session.get(ImportBatch, batch.id) is None


def test_abandoned_uploads_are_deleted_after_the_keep_period(db):
    content = csv_bytes(legacy_rows(GOOD_ROW))
    stage(db, content, filename="old.csv").created_at = datetime(2026, 11, 1, tzinfo=UTC)
    stage(db, content, filename="recent.csv").created_at = datetime(2026, 11, 25, tzinfo=UTC)
    db.session.commit()
    stage(db, content, filename="new.csv", now=NOW)
    names = db.session.scalars(select(ImportBatch.filename).order_by(ImportBatch.filename))
    assert list(names) == ["new.csv", "recent.csv"]


# --------------------------------------------------------------------------------------------
# Round trip: our XLSX export imported into an empty database


ROUND_TRIP_ANSWERS = [
    {
        "name": "Ana Pérez",
        "email": "ana@sanjose.example",
        "practice_name": "Clínica San José",
        "country": "AR",
        "city": "Córdoba",
        "practice_type": "private_practice",
        "outpatient_hem_onc": "yes",
        "oncologists_count": 3,
        "asco_members_count": 1,
        "reads_english": "yes",
        "interest_qopi": "very",
        "interest_qcp": "somewhat",
        "interest_qtp": "very",
        "qtp_formats": ["six_month", "train_the_trainer"],
        "willing_to_pay_qcp_fee": "unsure",
        "timeframe": "6_to_12_months",
        "comments": "=not a formula",
        "permission_to_contact": True,
    },
    {
        "name": "Bruno Lima",
        "email": "bruno@hc.example",
        "practice_name": "Hospital das Clínicas",
        "country": "BR",
        "interest_qopi": "not_very",
        "ehr_use": "partial",
        "licensing": ["quality_symposium"],
        "permission_to_contact": False,
    },
    {
        "name": "Ana Pérez",
        "email": "ANA@sanjose.example",
        "practice_name": "San José (Córdoba)",
        "country": "AR",
        "interest_qopi": "somewhat",
        "asco_members_count": 2,
        "reads_english": "yes",
    },
    {
        "name": "Carla Gómez",
        "email": "carla@onco.example",
        "practice_name": "Onco Sur",
        "country": "CL",
        "new_patients_per_year": 1200,
    },
]


def snapshot(db) -> dict[str, object]:
    practices = {
        p.id: (p.name, p.country_code, p.city, p.practice_type, p.outpatient_hem_onc,
               p.oncologists_count, p.new_patients_per_year, p.asco_members_count, p.ehr_use,
               p.reads_english)
        for p in db.session.scalars(select(Practice))
    }  # fmt: skip
    return {
        "practices": sorted(practices.values(), key=str),
        "interests": sorted(
            (
                practices[i.practice_id][0],
                i.program_code,
                i.level,
                i.timeframe,
                i.willing_to_pay_fee,
                repr(sorted(i.details.items())),
            )
            for i in db.session.scalars(select(Interest))
        ),  # fmt: skip
        "contacts": sorted(
            (c.name, c.email_key, c.permission_to_contact)
            for c in db.session.scalars(select(Contact))
        ),
        "responses": sorted(
            (
                r.country_code,
                r.language,
                r.triage_status,
                r.submitted_at,
                repr(sorted((k, v) for k, v in r.answers.items() if k != "consent")),
            )
            for r in db.session.scalars(select(SurveyResponse))
        ),  # fmt: skip
    }


def empty_the_crm(db) -> None:
    for model in (Interest, SurveyResponse, Contact, Practice):
        db.session.execute(delete(model))
    # Bulk deletes bypass the maintained tallies: recount them from the (now empty) rows.
    tallies.rebuild(db.session.connection())
    db.session.commit()


def test_round_trip_from_our_xlsx_export(db):
    for number, values in enumerate(ROUND_TRIP_ANSWERS):
        intake_response(
            {**values, "consent": True},
            language=("es", "pt_BR", "es", "en")[number],
            submission_token=uuid.uuid4().hex,
            consent_at=NOW,
            privacy_notice_version="2026-11",
            submitted_at=datetime(2026, 10, 1 + number, 8, 30, tzinfo=UTC),
        )
    db.session.commit()
    before = snapshot(db)
    eligible_before = tallies.eligible_counts()
    assert eligible_before  # the answers make eligible practices: readiness has counts to keep
    exported = io.BytesIO()
    spreadsheets.write_xlsx(
        reports.RESPONSE_COLUMNS,
        reports.response_frames(reports.ResponseFilters(status=None)),
        exported,
        sheet_name="responses",
    )
    empty_the_crm(db)

    batch = stage(db, exported.getvalue())
    operations.map_columns(batch, batch.mapping["columns"], language="en", date_order="auto")
    if batch.status == "mapped":
        operations.map_values(batch, batch.mapping["values"], now=NOW)
    assert batch.preview["counts"]["invalid"] == 0
    operations.commit_import(batch, skip_invalid=False, now=NOW)
    db.session.commit()

    assert snapshot(db) == before
    assert tallies.eligible_counts() == eligible_before


def test_issue_round_trips_through_json():
    issue = Issue("missing", {"field": "country"})
    assert Issue(**issue.as_json()) == issue
