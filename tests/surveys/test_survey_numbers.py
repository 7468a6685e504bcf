"""Whole numbers are read in the page's language: grouping only in that language's style, and
anything a reader of another style would read differently is refused with a message next to
the field saying what to type, the text kept (docs/domain.md#numbers)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from crm.responses import questionnaire
from crm.responses.models import SurveyResponse
from surveys.fields import read_whole_number
from tests.surveys.support import error_of, stored_responses, valid_form

NUMBER_FIELDS = sorted(questionnaire.NUMBER_BOUNDS)

#: (URL segment, typed, stored)
READ = [
    ("en", "1500", 1500),
    ("en", "1,500", 1500),
    ("en", " 1,500 ", 1500),
    ("en", "1,500,000", 1_500_000),
    ("es", "1500", 1500),
    ("es", "1.500", 1500),
    ("es", "1.500.000", 1_500_000),
    ("pt", "1500", 1500),
    ("pt", "1.500", 1500),
    ("pt", "2.000.000", 2_000_000),
    ("pt", "0", 0),
    ("es", "١٥٠٠", 1500),
]

#: (URL segment, typed): decimals, the other style's grouping, grouping in the wrong places.
REFUSED = [
    ("en", "1.500"),
    ("en", "1,5"),
    ("en", "1.5"),
    ("en", "1,50"),
    ("en", "15,00"),
    ("en", "1,5000"),
    ("en", "1.500.000"),
    ("en", "1 500"),
    ("en", "1e3"),
    ("en", "1_500"),
    ("en", "NaN"),
    ("es", "1,500"),
    ("es", "1,5"),
    ("es", "1.50"),
    ("es", "1,500,000"),
    ("es", "1.500,0"),
    ("pt", "1,500"),
    ("pt", "1,5"),
    ("pt", "1.5"),
    ("pt", "mil e quinhentos"),
]

#: What a respondent reads next to the field, in each language, with the example grouped in
#: that language's style.
MESSAGE = {
    "en": "Enter a whole number, without decimals, for example 1,500.",
    "es": "Escriba un número entero, sin decimales; por ejemplo, 1.500.",
    "pt": "Digite um número inteiro, sem casas decimais, por exemplo: 1.500.",
}


def stored_answers(db) -> dict:
    return db.session.scalars(select(SurveyResponse)).one().answers


def shown_value(html: str, field: str) -> str:
    """The ``value`` of the field's text input as the page renders it."""
    tag = re.search(rf'<input [^>]*id="{field}"[^>]*>', html).group(0)
    return unescape(re.search(r'value="([^"]*)"', tag).group(1))


@pytest.mark.parametrize(("lang", "typed", "number"), READ)
def test_a_number_in_the_page_language_style_is_stored_as_meant(
    db, post_survey, lang, typed, number
):
    response = post_survey(lang, new_patients_per_year=typed)
    assert response.status_code == 303, error_of(
        response.get_data(as_text=True), "new_patients_per_year"
    )
    assert stored_answers(db)["new_patients_per_year"] == number


@pytest.mark.parametrize(("lang", "typed"), REFUSED)
def test_a_number_another_reader_would_read_otherwise_is_refused_and_kept(post_survey, lang, typed):
    response = post_survey(lang, new_patients_per_year=typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_of(html, "new_patients_per_year") == MESSAGE[lang]
    assert shown_value(html, "new_patients_per_year") == typed.strip()
    assert 'aria-describedby="new_patients_per_year-error"' in html
    assert stored_responses() == 0


@pytest.mark.parametrize("field", NUMBER_FIELDS)
def test_every_number_question_reads_the_page_language(db, post_survey, field):
    refused = post_survey("en", **{field: "1.000"})
    assert refused.status_code == 200
    assert error_of(refused.get_data(as_text=True), field) == MESSAGE["en"]
    assert post_survey("pt", **{field: "1.000"}).status_code == 303
    assert stored_answers(db)[field] == 1000


@pytest.mark.parametrize("field", NUMBER_FIELDS)
def test_number_questions_are_text_inputs_with_a_numeric_keyboard(client, field):
    # type="number" would be read in the browser's locale, and a value it dislikes is sent
    # empty: the respondent's "1.500" would vanish without a message.
    html = client.get("/es/survey").get_data(as_text=True)
    tag = re.search(rf'<input [^>]*id="{field}"[^>]*>', html).group(0)
    assert 'type="text"' in tag
    assert 'inputmode="numeric"' in tag


@pytest.mark.parametrize(
    ("source", "target", "typed", "shown"),
    [
        ("es", "en", "1.500", "1,500"),
        ("en", "es", "1,500", "1.500"),
        ("en", "pt", "1,500,000", "1.500.000"),
        ("pt", "es", "1.500", "1.500"),
        ("es", "en", "1,5", "1,5"),
    ],
)
def test_the_language_switch_shows_numbers_in_the_new_language_style(
    client, source, target, typed, shown
):
    html = client.post(
        f"/{target}/survey/language?from={source}",
        data=valid_form(new_patients_per_year=typed),
    ).get_data(as_text=True)
    assert shown_value(html, "new_patients_per_year") == shown
    assert 'class="error-summary"' not in html
    assert stored_responses() == 0


def test_the_switch_buttons_say_which_language_the_numbers_were_typed_in(client):
    html = client.get("/es/survey").get_data(as_text=True)
    actions = re.findall(r'name="switch_language" value="[^"]+" formaction="([^"]+)"', html)
    assert sorted(actions) == ["/en/survey/language?from=es", "/pt/survey/language?from=es"]


def test_a_number_carried_over_by_the_switch_is_then_stored_as_typed(db, client):
    html = client.post(
        "/en/survey/language?from=es", data=valid_form(new_patients_per_year="1.500")
    ).get_data(as_text=True)
    shown = shown_value(html, "new_patients_per_year")
    assert (
        client.post("/en/survey", data=valid_form(new_patients_per_year=shown)).status_code == 303
    )
    assert stored_answers(db)["new_patients_per_year"] == 1500


@pytest.mark.parametrize(
    ("text", "locale", "number"),
    [
        ("1 500", "fr", 1500),
        ("1\u00a0500", "fr", 1500),
        ("1\u202f500", "fr", 1500),
        ("1,500", "fr", None),
        ("1'500", "de_CH", 1500),
        ("1.500", "de_CH", None),
        ("-5", "en", -5),
    ],
)
def test_spaces_group_where_the_language_groups_with_spaces(text, locale, number):
    assert read_whole_number(text, locale) == number
