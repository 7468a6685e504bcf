"""A country's name in a sentence reads right whatever the country (docs/domain.md#countries).

Brazilian Portuguese contracts a preposition with the article most country names take ("no
Brasil", "na Argentina", "nos Estados Unidos", "do Egito") but not all ("em Portugal", "de
Cuba"), and CLDR's names carry no article: a translation that puts a preposition right before
a country's placeholder reads wrong for most countries ("pronto para lançamento em Brasil").
Such sentences name the country after a colon, in brackets, or after "país" ("no país
%(country)s"). Spanish names take no article ("en Brasil", "de El Salvador"), so a Spanish
translation must not add one ("del %(country)s", "en el %(country)s").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent

#: Placeholders the code fills with a country's name (or a list of them): ``country``
#: everywhere, ``countries`` (survey's EU list), ``place`` (activity/task headings, a country or
#: a practice), ``other`` (duplicate reasons: the country the email and phone point to).
COUNTRY_PLACEHOLDERS = ("country", "countries", "place", "other")
_PLACEHOLDER = r"%\((?:" + "|".join(COUNTRY_PLACEHOLDERS) + r")\)s"

PT_PREPOSITIONS = (
    "em", "de", "no", "na", "nos", "nas", "do", "da", "dos", "das", "para", "pra", "por",
    "pelo", "pela", "a", "ao", "aos", "à", "às", "com", "sobre", "até", "entre", "desde",
)  # fmt: skip
ES_ARTICLES = ("del", "al", "el", "la", "los", "las")

GLUED = {
    "pt_BR": re.compile(r"(?<!\w)(" + "|".join(PT_PREPOSITIONS) + r")\s+" + _PLACEHOLDER, re.I),
    "es": re.compile(r"(?<!\w)(" + "|".join(ES_ARTICLES) + r")\s+" + _PLACEHOLDER, re.I),
}


def catalog(locale: str):
    path = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def glued(locale: str) -> list[tuple[str, str]]:
    found = []
    for message in catalog(locale):
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found += [(msgid, s) for s in strings if s and GLUED[locale].search(s)]
    return found


def test_the_patterns_catch_what_they_are_for():
    assert GLUED["pt_BR"].search("pronto para lançamento em %(country)s.")
    assert GLUED["pt_BR"].search("Adicionar uma tarefa a %(place)s")
    assert GLUED["pt_BR"].search("respostas à pesquisa de %(country)s")
    assert not GLUED["pt_BR"].search("%(country)s: pronto para lançamento")
    assert not GLUED["pt_BR"].search("Buscar no país %(country)s")
    assert not GLUED["pt_BR"].search("o acordo com %(counterparty)s (%(country)s)")
    assert GLUED["es"].search("de la revisión del %(country)s")
    assert not GLUED["es"].search("disponible en %(country)s hoy")


@pytest.mark.parametrize("locale", ["pt_BR", "es"])
def test_no_translation_puts_a_preposition_or_an_article_before_a_country(locale):
    assert glued(locale) == []


def test_the_placeholders_are_the_ones_the_code_fills_with_a_country():
    """Every keyword given ``country_name(...)`` for a message's placeholder is listed above."""
    call = re.compile(r"\b(\w+)\s*=\s*country_name\(")
    filled = set()
    for path in [*(ROOT / "crm").rglob("*.py"), *(ROOT / "templates").rglob("*.*")]:
        text = path.read_text(encoding="utf-8")
        for match in call.finditer(text):
            message = text[max(0, match.start() - 400) : match.start()]
            if f"%({match.group(1)})s" in message:
                filled.add(match.group(1))
    assert filled, filled
    assert filled <= set(COUNTRY_PLACEHOLDERS), filled
