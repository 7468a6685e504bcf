"""Reading files of any survey tool into a table (docs/architecture.md#data): encodings,
separators, heading rows, the shapes of the tools' exports, and the files refused with a
message."""

from __future__ import annotations

import codecs
import csv
from datetime import datetime

import pytest
from flask_babel import force_locale

from crm.data.imports.files import read_table
from crm.data.imports.issues import ImportFileError, ImportLimits, Issue, describe
from tests.data.spreadsheets import (
    BAD_FILES,
    csv_bytes,
    with_declared_size,
    xlsx_bytes,
    zip_bytes,
)


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


# The shapes of the survey tools' exports (the real samples stay out of the repository; these
# small files are built to the same shapes).


def test_utf16_little_endian_without_a_bom_and_tabs():
    content = "name\tcity\r\nБелград\tΘΕΣΣΑΛΟΝΙΚΗ\r\n".encode("utf-16-le")
    table = read_table(content)
    assert (table.encoding, table.separator, table.rows) == (
        "UTF-16",
        "\t",
        [["Белград", "ΘΕΣΣΑΛΟΝΙΚΗ"]],
    )


def test_semicolon_windows_1252_with_crlf_and_minimal_quoting():
    rows = [["name", "city", "lat"], ["Spital; Süd", "Zürich", "47,37"], ["Hospital", "CÓRDOBA"]]
    content = csv_bytes(rows, separator=";", encoding="cp1252")
    assert b'"Spital; S\xfcd";Z\xfcrich;47,37\r\n' in content  # Excel's shape: bytes, not UTF-8
    table = read_table(content)
    assert (table.encoding, table.separator) == ("Windows-1252", ";")
    assert table.rows == [["Spital; Süd", "Zürich", "47,37"], ["Hospital", "CÓRDOBA", ""]]


def test_unquoted_and_quoted_empty_cells_are_both_blank():
    table = read_table(b'"id","a","b","c"\r\n"1",,"","x"\r\n')
    assert table.rows == [["1", "", "", "x"]]


def test_blank_lines_inside_a_quoted_cell_stay_in_it():
    content = b'record_id,address,comments\n1,"14 Rose St.\n\nKenning","a\n\n"\n2,x,y\n'
    table = read_table(content)
    assert table.rows == [["1", "14 Rose St.\n\nKenning", "a\n\n"], ["2", "x", "y"]]
    # Numbered as a spreadsheet shows the records, whatever the lines inside a cell.
    assert table.row_numbers == [2, 3]


def test_headings_with_a_tab_brackets_or_a_newline_are_kept_intact():
    rows = [["id", "P5[O1]", "Which one?\t(choose)", "Curso\nmatriculado"], ["1", "Sí", "a", "b"]]
    table = read_table(csv_bytes(rows, encoding="utf-8-sig", quoting=csv.QUOTE_ALL))
    assert table.separator == ","
    assert table.columns == ["id", "P5[O1]", "Which one?\t(choose)", "Curso\nmatriculado"]


def test_crlf_records_without_a_final_newline_keep_the_last_one():
    content = b"Marca temporal,Edad\r\n9/08/2021 12:23:46,21\r\n10/08/2021 09:01:02,35"
    table = read_table(content)
    assert table.rows == [["9/08/2021 12:23:46", "21"], ["10/08/2021 09:01:02", "35"]]


def test_ragged_rows_of_different_lengths_are_padded():
    table = read_table(b"a,b,c,d\n1,2,3,4\n5\n6,7\n")
    assert table.rows == [["1", "2", "3", "4"], ["5", "", "", ""], ["6", "7", "", ""]]


def test_xlsx_reads_only_the_first_sheet_whatever_the_others():
    content = xlsx_bytes(
        [["name", "country"], ["Itaka HC", "TZ"]],
        sheet="UNICEF Tz- GRREAT Endline - Hea",
        more_sheets={"Sheet1": [["other", "data"], ["x", "y"]]},
    )
    table = read_table(content)
    assert (table.sheet, table.columns, table.rows) == (
        "UNICEF Tz- GRREAT Endline - Hea",
        ["name", "country"],
        [["Itaka HC", "TZ"]],
    )


def test_xlsx_with_a_wrong_declared_size_is_read_whole():
    rows = [["ID", "Email", "Which?"], [1, "anonymous", "Pricing;Brand;"], [2, "anonymous", "x"]]
    table = read_table(with_declared_size(xlsx_bytes(rows), "A1"))
    assert table.columns == ["ID", "Email", "Which?"]
    assert table.rows == [["1", "anonymous", "Pricing;Brand;"], ["2", "anonymous", "x"]]


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


def test_issue_round_trips_through_json():
    issue = Issue("missing", {"field": "country"})
    assert Issue(**issue.as_json()) == issue
