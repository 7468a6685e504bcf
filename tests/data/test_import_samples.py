"""The importer reads twenty real exports of survey tools (LimeSurvey, KoboToolbox, ODK, Google
Forms, SurveyMonkey, Qualtrics, REDCap, Microsoft Forms, Excel-saved lists) as their sources
describe them.

The files stay out of the repository (several carry no licence): the folder named by
IMPORT_SAMPLES_DIR, else ``shared/import-samples`` beside the repository (where CI lays it out).
Without it these tests are skipped, and the skip names the folder. Every shape they exercise is
also built in by tests/data/test_import_files.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crm.data.imports.columns import suggest_columns
from crm.data.imports.files import read_table
from crm.data.imports.issues import ImportLimits

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = Path(os.environ.get("IMPORT_SAMPLES_DIR") or ROOT.parent / "shared" / "import-samples")

#: File → (rows, columns or None when its source states none, header rows, a (row, column,
#: value) cell its quirks call for, or None).
EXPECTED = {
    "limesurvey_csv_codes_es_AR.csv": (25, 189, 1, (0, 0, "28")),
    "limesurvey_csv_fulltext_bom_multilingual.csv": (7, 71, 1, (1, 3, "nl-informal")),
    "limesurvey_csv_fulltext_fr_crlf.csv": (20, 205, 1, (0, 9, "Gaston Mulumbwa")),
    "limesurvey_csv_code_and_text_headings_en.csv": (12, 148, 1, (0, 3, "en")),
    "limesurvey_excel_codes.xlsx": (257, 227, 1, (0, 1, "2019-06-28 09:05:58")),
    "limesurvey_resaved_de_semicolon_two_header_rows.csv": (45, 38, 2, (0, 7, "eher häufig")),
    "kobotoolbox_xlsx_labels_sw_health_facility.xlsx": (14, 133, 1, None),
    "kobotoolbox_csv_semicolon_xml_names.csv": (27, 88, 1, (0, 0, "2021-12-06T10:00:09.772+06:00")),
    "odk_central_csv_group_hyphen_paths.csv": (2, 31, 1, (0, 30, "")),
    "google_forms_csv_pt_BR_carimbo.csv": (63, 32, 1, (0, 0, "01/12/2022 07:10:40")),
    "google_forms_csv_es_marca_temporal.csv": (169, 34, 1, (0, 0, "9/08/2021 12:23:46")),
    "surveymonkey_csv_two_header_rows.csv": (8, 41, 2, None),
    "qualtrics_csv_three_header_rows_de.csv": (1, None, 3, None),
    "qualtrics_legacy_csv_two_header_rows_bom.csv": (1, None, 2, None),
    "redcap_data_dictionary.csv": (16, None, 1, (0, 0, "record_id")),
    "redcap_records_raw.csv": (5, 24, 1, None),
    "msforms_excel_export.xlsx": (28, 14, 1, (0, 3, "anonymous")),
    "hospitals_eu_mixed_scripts_utf8.csv": (36, 25, 1, (0, 9, "ΘΕΣΣΑΛΟΝΙΚΗ")),
    "hospitals_excel_csv_semicolon_cp1252.csv": (19, 25, 1, (0, 3, "35,127389")),
    "hospitals_excel_unicode_text_utf16le.txt": (36, 25, 1, (0, 9, "ΘΕΣΣΑΛΟΝΙΚΗ")),
}

if not SAMPLES.is_dir():
    pytest.skip(
        f"import samples not found at {SAMPLES} (outside the repository; set IMPORT_SAMPLES_DIR)",
        allow_module_level=True,
    )


def read(name: str):
    return read_table((SAMPLES / name).read_bytes(), limits=ImportLimits())


def test_every_sample_file_is_listed():
    present = {p.name for p in SAMPLES.iterdir() if p.name != "SOURCES.md"}
    assert present == set(EXPECTED)


@pytest.mark.parametrize("name", EXPECTED)
def test_sample_reads_to_the_stated_rows_and_columns(name):
    rows, columns, header_rows, _cell = EXPECTED[name]
    table = read(name)
    assert len(table.rows) == rows
    if columns is not None:
        assert len(table.columns) == columns
    assert table.header_rows == header_rows
    assert all(len(row) == len(table.columns) for row in table.rows)


@pytest.mark.parametrize("name", [n for n, e in EXPECTED.items() if e[3] is not None])
def test_sample_cell_reads_as_written(name):
    row, column, value = EXPECTED[name][3]
    assert read(name).rows[row][column] == value


def test_bom_is_not_part_of_the_first_heading():
    assert read("limesurvey_csv_codes_es_AR.csv").columns[0] == "id"


def test_bracketed_and_tab_headings_are_kept_intact():
    codes = read("limesurvey_csv_codes_es_AR.csv").columns
    long_headings = read("limesurvey_csv_fulltext_bom_multilingual.csv").columns
    assert "P5[O1]" in codes
    assert any("\t" in heading for heading in long_headings)


@pytest.mark.parametrize(
    ("name", "repeats"),
    [
        # 5, 4 and 3 columns share a heading: 4 + 3 + 2 repeats.
        ("limesurvey_csv_fulltext_fr_crlf.csv", 9),
        ("google_forms_csv_pt_BR_carimbo.csv", 2),
        ("kobotoolbox_xlsx_labels_sw_health_facility.xlsx", 1),
    ],
)
def test_duplicate_headings_stay_separate_columns(name, repeats):
    columns = read(name).columns
    assert len(columns) - len(set(columns)) >= repeats


@pytest.mark.parametrize(
    ("name", "encoding", "separator"),
    [
        ("hospitals_excel_csv_semicolon_cp1252.csv", "Windows-1252", ";"),
        ("hospitals_excel_unicode_text_utf16le.txt", "UTF-16", "\t"),
        ("kobotoolbox_csv_semicolon_xml_names.csv", "UTF-8", ";"),
        ("limesurvey_resaved_de_semicolon_two_header_rows.csv", "UTF-8", ";"),
    ],
)
def test_encoding_and_separator_are_detected(name, encoding, separator):
    table = read(name)
    assert (table.encoding, table.separator) == (encoding, separator)


def test_windows_1252_text_is_intact():
    cities = {row[9].strip() for row in read("hospitals_excel_csv_semicolon_cp1252.csv").rows}
    assert {"Zürich", "CÓRDOBA"} <= cities


def test_surveymonkey_headings_are_combined():
    columns = read("surveymonkey_csv_two_header_rows.csv").columns
    assert "Contact information / Email" in columns


def test_limesurvey_two_row_headings_are_combined():
    columns = read("limesurvey_resaved_de_semicolon_two_header_rows.csv").columns
    assert columns[0] == "Welchen fachlichen Hintergrund haben Sie? / Maschinenbau"


def test_embedded_newlines_stay_in_their_cell():
    address = read("redcap_records_raw.csv").rows[0][3]
    assert address.startswith("14 Rose Cottage St.\n")


def test_hospital_lists_suggest_practice_country_city_and_email():
    table = read("hospitals_eu_mixed_scripts_utf8.csv")
    suggested = suggest_columns(table.columns, table.rows)
    named = {key: table.columns[position] for key, position in suggested.items()}
    assert named | {"practice_name": "hospital_name", "city": "city", "email": "email"} == named
    assert named["country"] in ("cc", "country")


def test_google_forms_gets_past_the_mapping_with_a_fixed_country(db):
    from crm.data.imports import checking, operations
    from crm.data.imports.headings import choice_labels

    content = (SAMPLES / "google_forms_csv_es_marca_temporal.csv").read_bytes()
    batch = operations.stage_import(
        "respuestas.csv", content, header_rows=None, language="en",
        limits=ImportLimits(), created_by_id=None,
    )  # fmt: skip
    # "Marca temporal" and the answers are Spanish; each long grid heading keeps its own end.
    assert batch.mapping["language"] == "es"
    labels = choice_labels(batch.columns)
    assert len(set(labels)) == len(labels)
    assert any(label.endswith("[Me preocupa mucho el medio ambiente]") for label in labels)
    assert "country" not in batch.mapping["columns"]
    operations.map_columns(
        batch, batch.mapping["columns"],
        fixed={"country": "PE", "practice_name": "Universidad de Lima"},
        language="es", date_order="auto",
    )  # fmt: skip
    operations.map_values(batch, batch.mapping["values"])
    checking.start_check(batch)
    counts = checking.check_import(batch)
    # Past the mapping, every row is checked; with no consent in the file, each says so.
    assert counts["rows"] == 169
    assert counts["invalid"] == 169
