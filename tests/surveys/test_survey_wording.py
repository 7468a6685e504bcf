"""The survey's answer options read as a native speaker writes them: every option of a scale
means something different from the others, in every language (docs/domain.md#survey)."""

from __future__ import annotations

import itertools
import re
from html import unescape

import pytest

LANGS = ["en", "es", "pt"]

#: The interest scale (very / somewhat / not very / not at all) as each page shows it.
INTEREST = {
    "en": ["Very interested", "Somewhat interested", "Not very interested", "Not interested"],
    "es": ["Muy interesado", "Moderadamente interesado", "Poco interesado", "Nada interesado"],
    "pt": [
        "Muito interessado",
        "Moderadamente interessado",
        "Pouco interessado",
        "Nada interessado",
    ],
}
TIMEFRAME_QUESTION = {
    "en": "When would your practice like to start?",
    "es": "¿Cuándo le gustaría a su centro empezar a participar?",
    "pt": "Quando o seu serviço gostaria de começar a participar?",
}
#: Wording reported as confusing or wrong; it must not come back.
GONE = {
    "es": ["¿Cuándo le gustaría empezar a su centro?", "Algo interesado"],
    "pt": ["Um pouco interessado", "Qual é o interesse do seu serviço"],
}


def survey_page(client, lang: str) -> str:
    response = client.get(f"/{lang}/survey")
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def options(html: str, field: str) -> list[str]:
    """The texts of a radio group's options, in page order."""
    return re.findall(rf'<label for="{field}-\d+">([^<]*)</label>', html)


def legend(html: str, field: str) -> str:
    fieldset = html[html.index(f'<fieldset class="field" id="{field}"') :]
    return re.search(r"<legend>([^<]*)", fieldset).group(1).strip()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("field", ["interest_qopi", "interest_qcp", "interest_qtp"])
def test_the_four_interest_levels_are_the_agreed_wording(client, lang, field):
    assert options(survey_page(client, lang), field) == INTEREST[lang]


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_no_two_interest_levels_share_their_qualifier(client, lang):
    # "Um pouco interessado" and "Pouco interessado" were distinct strings that read alike:
    # besides the word all levels share, two levels must have no word in common. (English
    # "very" / "not very" is the idiom, read at a glance: not held to this.)
    levels = [
        set(text.casefold().split()) for text in options(survey_page(client, lang), "interest_qopi")
    ]
    common = set.intersection(*levels)
    for first, second in itertools.combinations(levels, 2):
        assert not (first - common) & (second - common), (first, second)


@pytest.mark.parametrize("lang", LANGS)
def test_the_timeframe_options_are_pairwise_distinct(client, lang):
    html = survey_page(client, lang)
    texts = [text.casefold().strip() for text in options(html, "timeframe")]
    assert len(texts) == 4
    assert len(set(texts)) == len(texts)
    assert legend(html, "timeframe") == TIMEFRAME_QUESTION[lang]


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_the_reported_wording_is_gone(client, lang):
    html = survey_page(client, lang)
    for text in GONE[lang]:
        assert text not in html
