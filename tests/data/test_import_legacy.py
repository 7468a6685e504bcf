"""Legacy exports of our own questionnaire (docs/domain.md#imports): older wording in Spanish,
Portuguese and English, as LimeSurvey, KoboToolbox, SurveyMonkey, Google Forms and Excel write
it, each imported into an empty CRM with the suggested mapping and no other choice; then the
rows imported, refused and skipped as seen before, and the eligible practices per country."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import func, select

from crm.data.imports import checking, committing, operations
from crm.data.imports.countries import country_for
from crm.data.imports.issues import ImportFileError, ImportLimits
from crm.data.imports.language import guess_language
from crm.data.imports.numbers import read_number
from crm.data.models import ImportBatch, ImportRow
from crm.responses import tallies
from crm.responses.models import SurveyResponse
from tests.data.spreadsheets import NOW, csv_bytes, xlsx_bytes


def run(db, content: bytes, *, fixed=None, header_rows=None, language="en") -> ImportBatch:
    """Stage, keep the proposed mapping (plus ``fixed``), check and commit what can be."""
    batch = operations.stage_import(
        "legacy.csv", content, header_rows=header_rows, language=language,
        limits=ImportLimits(), created_by_id=None, now=NOW,
    )  # fmt: skip
    mapping = batch.mapping
    operations.map_columns(
        batch, mapping["columns"], options=mapping["options"],
        fixed={**mapping["fixed"], **(fixed or {})}, language=mapping["language"],
        date_order="auto",
    )  # fmt: skip
    operations.map_values(batch, batch.mapping["values"])
    checking.start_check(batch)
    checking.check_import(batch, now=NOW)
    db.session.commit()
    if batch.preview["counts"]["valid"]:
        committing.start_commit(batch, skip_invalid=True)
        committing.commit_rows(batch, now=NOW)
        db.session.commit()
    return batch


def notices(db, batch: ImportBatch) -> list[tuple[list[str], list[str]]]:
    """Each row's error codes and notice codes, in file order."""
    rows = db.session.scalars(
        select(ImportRow).where(ImportRow.batch_id == batch.id).order_by(ImportRow.position)
    )
    return [
        ([i["code"] for i in r.check["errors"]], [i["code"] for i in r.check["warnings"]])
        for r in rows
    ]


def eligible() -> dict[str, int]:
    return {
        country: programs.get("QOPI", 0) for country, programs in tallies.eligible_counts().items()
    }


LIMESURVEY_ES = [
    ["id", "submitdate", "startlanguage",
     "Nombre de su consultorio o institución", "País donde se encuentra su consultorio",
     "¿Cuántos miembros activos de ASCO hay en su consultorio?",
     "¿Su personal puede leer y entender inglés?",
     "¿Qué tan interesado está en participar en QOPI?",
     "qtp_formats[six_month]", "qtp_formats[one_day]",
     "He leído y acepto el aviso de privacidad", "Su correo electrónico"],
    ["1", "2019-05-02 10:00:00", "es", "Clínica del Sol", "Estados Unidos Mexicanos",
     "cerca de 3", "Sí", "Muy interesado", "Y", "", "Sí", "sol@clinica.example"],
    ["2", "2019-05-03 11:00:00", "es", "Oncología Norte", "México", "no sabe", "Sí",
     "Muy interesado", "", "Y", "Sí", "norte@onco.example"],
    ["3", "2019-05-04 12:00:00", "es", "Centro Andino", "Perú", "2-3", "Sí",
     "Algo interesado", "", "", "", "andino@centro.example"],
    ["4", "2019-05-05 12:00:00", "es", "Hospital Austral", "Narnia", "5", "Sí",
     "Muy interesado", "", "", "Sí", "austral@hosp.example"],
]  # fmt: skip


def test_limesurvey_in_spanish_with_words_for_numbers_and_long_country_names(db):
    batch = run(db, csv_bytes(LIMESURVEY_ES, encoding="utf-8-sig"))
    assert batch.mapping["language"] == "es"
    assert batch.mapping["columns"]["source_id"] == 0
    assert batch.mapping["options"] == {"qtp_formats": {"six_month": 8, "one_day": 9}}
    assert notices(db, batch) == [
        ([], ["approximate"]),
        ([], ["not_known"]),
        (["no_consent"], ["range"]),
        (["unknown_country"], []),
    ]
    assert batch.result["imported"] == 2
    # "cerca de 3" is 3 members: eligible; "no sabe" is not known: not eligible.
    assert eligible() == {"MX": 1}
    formats = db.session.scalars(select(SurveyResponse.answers).order_by(SurveyResponse.id)).all()
    assert [a.get("qtp_formats") for a in formats] == [["six_month"], ["one_day"]]

    # The same file again: every row is seen before, nothing is stored twice.
    again = run(db, csv_bytes(LIMESURVEY_ES, encoding="utf-8-sig"))
    assert again.preview["counts"]["seen"] == 2
    assert again.result == {}
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 2


KOBO_PT = [
    ["_id", "_uuid", "grupo_clinica/nome_da_clinica", "grupo_clinica/pais",
     "Quantos membros ativos da ASCO há na sua clínica?",
     "Sua equipe consegue ler e entender inglês?", "Qual o seu interesse em participar do QOPI?",
     "licensing/qtp_content", "licensing/quality_symposium",
     "Li e aceito o aviso de privacidade", "Seu e-mail"],
    ["101", "6f1c2a3e-0000-4000-8000-000000000001", "Clínica São Lucas", "Brasil", "mais de 5",
     "Sim", "Muito interessado", "1", "0", "Sim", "lucas@clinica.example"],
    # Kobo's duplicated submission: the same _uuid again.
    ["101", "6f1c2a3e-0000-4000-8000-000000000001", "Clínica São Lucas", "Brasil", "mais de 5",
     "Sim", "Muito interessado", "1", "0", "Sim", "lucas@clinica.example"],
    # A double submission under another id: stored, suggested as a duplicate.
    ["102", "6f1c2a3e-0000-4000-8000-000000000002", "Clínica São Lucas", "Brasil", "mais de 5",
     "Sim", "Muito interessado", "1", "0", "Sim", "lucas@clinica.example"],
    ["103", "6f1c2a3e-0000-4000-8000-000000000003", "Hospital Boa Vista", "Brasil",
     "nenhum membro", "Sim", "Muito interessado", "0", "1", "Sim", "bv@hospital.example"],
]  # fmt: skip


def test_kobotoolbox_in_portuguese_with_option_columns_and_duplicated_submissions(db):
    batch = run(db, xlsx_bytes(KOBO_PT))
    assert batch.mapping["language"] == "pt_BR"
    assert batch.mapping["columns"]["country"] == 3
    assert batch.mapping["options"] == {"licensing": {"qtp_content": 7, "quality_symposium": 8}}
    assert [codes for codes in notices(db, batch)] == [
        ([], ["at_least"]),
        ([], ["seen_in_file", "at_least"]),
        ([], ["at_least", "double_submission"]),
        ([], ["not_known"]),
    ]
    assert (batch.result["imported"], batch.result["already_imported"]) == (3, 1)
    assert batch.result["double"] == 1
    double = db.session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)).all()[1]
    assert double.suggested_practice_id == double.practice_id
    assert eligible() == {"BR": 1}


SURVEYMONKEY_EN = [
    ["Respondent ID", "Collector ID", "Name of your practice", "Country of your practice",
     "How many active ASCO members are in your practice?",
     "Can your staff read and understand English?",
     "How interested are you in participating in QOPI?",
     "Which Quality Training Program formats interest you?", "",
     "I agree to the privacy notice"],
    ["", "", "Response", "Response", "Open-Ended Response", "Response", "Response",
     "Six-month course (5 days in person, over 6 months)", "One-day course", "Response"],
    ["11467923", "2501", "Riyadh Oncology", "KSA", "~40", "Yes", "Very interested",
     "Six-month course (5 days in person, over 6 months)", "", "Yes"],
    ["11467924", "2501", "Seoul Cancer Clinic", "Republic of Korea", "unknown", "Yes",
     "Very interested", "", "One-day course", "Yes"],
    ["11467925", "2501", "Cleveland Oncology", "USA", "12", "Yes", "Somewhat interested",
     "", "", "Yes"],
    ["11467926", "2501", "London Oncology", "UK", "3", "No", "Very interested", "", "", "Yes"],
]  # fmt: skip


def test_surveymonkey_in_english_with_two_heading_rows_and_abbreviated_countries(db):
    batch = run(db, csv_bytes(SURVEYMONKEY_EN))
    assert batch.reading["header_rows"] == 2
    assert batch.mapping["language"] == "en"
    assert batch.mapping["columns"]["source_id"] == 0
    assert batch.mapping["options"] == {"qtp_formats": {"six_month": 7, "one_day": 8}}
    assert [errors for errors, _notices in notices(db, batch)] == [[], [], [], []]
    assert batch.result["imported"] == 4
    assert eligible() == {"SA": 1, "US": 1}


GOOGLE_FORMS_ES = [
    ["Marca temporal", "Nombre del consultorio", "Número de miembros de ASCO",
     "¿Su personal puede leer y entender inglés?", "Interés en QOPI", "Consentimiento"],
    ["9/08/2021 12:23:46", "Clínica Miraflores", "4", "Sí", "Muy interesado", "Acepto"],
    ["10/08/2021 09:00:00", "Oncosalud", "nenhum", "Sí", "Muy interesado", "Acepto"],
]  # fmt: skip


def test_google_forms_without_a_country_column_imports_with_a_fixed_country(db):
    batch = run(db, csv_bytes(GOOGLE_FORMS_ES), fixed={"country": "PE"})
    assert batch.mapping["language"] == "es"
    assert "country" not in batch.mapping["columns"]
    assert batch.result["imported"] == 2
    assert eligible() == {"PE": 1}
    first = db.session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)).first()
    assert first.submitted_at.replace(tzinfo=None).isoformat() == "2021-08-09T12:23:46"


def test_a_file_with_nul_bytes_is_refused_and_says_so(db):
    content = csv_bytes(LIMESURVEY_ES).replace(b"Centro Andino", b"Centro\x00Andino")
    with pytest.raises(ImportFileError) as refused:
        run(db, content)
    assert refused.value.issue.code == "nul_bytes"
    assert "NUL" in refused.value.message


def test_text_is_stored_in_nfc(db):
    composed = "Clínica São José"
    decomposed = unicodedata.normalize("NFD", composed)  # accents as combining marks
    assert decomposed != composed
    rows = [list(KOBO_PT[0]), list(KOBO_PT[1])]
    rows[1][3] = "Brasil"
    rows[1][2] = decomposed
    run(db, xlsx_bytes(rows))
    name = db.session.scalar(select(SurveyResponse.answers)).get("practice_name")
    assert name == composed


@pytest.mark.parametrize(
    ("typed", "value", "how"),
    [
        ("250", 250, "exact"),
        ("cerca de 250", 250, "approximate"),
        ("~40", 40, "approximate"),
        ("mais de 5", 5, "at_least"),
        ("2-3", 2, "range"),
        ("unknown", None, "not_known"),
        ("no sabe", None, "not_known"),
        ("nenhum membro", None, "not_known"),
        ("many", None, "unreadable"),
    ],
)
def test_numbers_as_people_type_them(typed, value, how):
    reading = read_number(typed)
    assert (reading.value, reading.how) == (value, how)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Estados Unidos Mexicanos", "MX"),
        ("Republic of Korea", "KR"),
        ("KSA", "SA"),
        ("USA", "US"),
        ("UK", "GB"),
        ("peru", "PE"),
        ("Perú", "PE"),
        ("Burma", "MM"),
        ("República Federativa do Brasil", "BR"),
        ("Alemania", "DE"),
        ("Narnia", None),
    ],
)
def test_country_names_as_people_write_them(written, code):
    assert country_for(written) == code


@pytest.mark.parametrize(
    ("headings", "language"),
    [
        (["Marca temporal", "Nombre del consultorio", "País"], "es"),
        (["Carimbo de data/hora", "Nome da clínica", "Seu e-mail"], "pt_BR"),
        (["Timestamp", "Name of your practice", "Your email"], "en"),
    ],
)
def test_the_language_is_guessed_from_the_headings(headings, language):
    assert guess_language(headings) == language
