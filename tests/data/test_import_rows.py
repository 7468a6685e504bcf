"""Checking an imported row into answers (docs/architecture.md#data): errors and warnings,
countries, timestamps and numbers as the tools write them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from crm.data.imports.issues import describe
from crm.data.imports.parsing import detect_date_order, parse_timestamp, parse_whole_number
from crm.data.imports.rows import check_row
from crm.data.imports.values import BLANK_CODE
from tests.data.spreadsheets import GOOD_ROW, NOW

KNOWN = frozenset({"BR", "AR", "GR", "DE", "US"})

MAPPING = {
    "columns": {key: position for position, key in enumerate(
        ["practice_name", "country", "city", "name", "email", "interest_qopi",
         "oncologists_count", "submitted_at", "consent"]
    )},
    "values": {
        "interest_qopi": {"muitointeressado": "very", "nada": BLANK_CODE},
        "consent": {"yes": "yes"},
    },
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
        "consent": True,
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
