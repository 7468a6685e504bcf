"""Country names as people write them in survey files (docs/domain.md#imports): ISO codes
(alpha-2 and alpha-3), CLDR's names in English, Spanish, Portuguese, French and German, the
ISO 3166 names and official long forms in those languages (pycountry's translations: "Estados
Unidos Mexicanos", "Republic of Korea", "República Federativa do Brasil"), and a small list of
abbreviations and old or local names (:data:`ALIASES`). Case, accents, punctuation and spacing
are ignored; a name that two countries share is not recognised.
"""

from __future__ import annotations

import gettext
from collections import defaultdict
from functools import cache

import pycountry
from babel import Locale

from crm.core.folding import compact_key, plain_words
from crm.core.i18n import COUNTRY_CODE_ALIASES

#: Languages whose CLDR and ISO names are recognised.
NAME_LANGUAGES = ("en", "es", "pt", "pt_BR", "fr", "de")
#: Abbreviations, old names and local names that neither CLDR nor ISO 3166 give, each checked
#: by hand (docs/domain.md#imports).
ALIASES: dict[str, str] = {
    # Abbreviations
    "USA": "US", "U.S.A.": "US", "U.S.": "US", "EEUU": "US", "EE.UU.": "US", "EUA": "US",
    "E.U.A.": "US", "UK": "GB", "U.K.": "GB", "KSA": "SA", "UAE": "AE", "EAU": "AE",
    "RDC": "CD", "DRC": "CD", "RD Congo": "CD", "Democratic Republic of the Congo": "CD",
    "DR Congo": "CD", "Republic of the Congo": "CG", "PRC": "CN", "ROK": "KR", "RSA": "ZA",
    "R.P. China": "CN",
    # Countries of the United Kingdom, and other parts named for the whole
    "England": "GB", "Inglaterra": "GB", "Scotland": "GB", "Escocia": "GB", "Escócia": "GB",
    "Wales": "GB", "Gales": "GB", "Great Britain": "GB", "Gran Bretaña": "GB",
    "Grã-Bretanha": "GB", "Holland": "NL", "Holanda": "NL", "America": "US",
    "Estados Unidos de Norteamérica": "US", "Norteamérica": "US",
    # Old names
    "Burma": "MM", "Birmania": "MM", "Birmânia": "MM", "Swaziland": "SZ", "Suazilandia": "SZ",
    "Suazilândia": "SZ", "Zaire": "CD", "Persia": "IR", "Pérsia": "IR", "Ceylon": "LK",
    "Ceilán": "LK", "Ceilão": "LK", "Czech Republic": "CZ", "República Checa": "CZ",
    "República Tcheca": "CZ", "Chequia": "CZ", "Turkey": "TR", "Turquía": "TR",
    "Turquia": "TR", "Ivory Coast": "CI", "Costa de Marfil": "CI", "Macedonia": "MK",
    "Macedônia": "MK", "Cape Verde": "CV", "Cabo Verde": "CV", "East Timor": "TL",
    "Timor Oriental": "TL", "Dahomey": "BJ", "Upper Volta": "BF", "Alto Volta": "BF",
    "Rhodesia": "ZW", "Siam": "TH", "Formosa": "TW",
    # Local names and common spellings
    "Méjico": "MX", "Mejico": "MX", "Perú": "PE", "Brasil": "BR", "Deutschland": "DE",
    "España": "ES", "Türkiye": "TR", "Korea": "KR", "South Korea": "KR",
    "Corea": "KR", "Coréia do Sul": "KR", "North Korea": "KP", "Russia": "RU", "Rusia": "RU",
    "Rússia": "RU", "Viet Nam": "VN", "Vietnam": "VN", "Vietnã": "VN", "Laos": "LA",
    "Bolivia": "BO", "Venezuela": "VE", "Iran": "IR", "Irán": "IR", "Irã": "IR",
    "Syria": "SY", "Siria": "SY", "Síria": "SY", "Tanzania": "TZ", "Tanzânia": "TZ",
    "Moldova": "MD", "Moldavia": "MD", "Moldávia": "MD", "Palestine": "PS",
    "Palestina": "PS", "Kosovo": "XK", "Congo-Kinshasa": "CD", "Congo-Brazzaville": "CG",
    "Arabia Saudi": "SA", "Arabia Saudí": "SA", "Emiratos Arabes": "AE",
    "Emirados Árabes": "AE", "Trinidad": "TT", "Guinea Ecuatorial": "GQ",
}  # fmt: skip
#: Words that only say what kind of state a name is (dropped to find "Korea" in "Republic of
#: Korea" when nothing else matches).
_STATE_WORDS = frozenset(
    "republic of the kingdom state united states republica de del la el do da dos das "
    "reino estado estados federal federative federativa plurinational plurinacional "
    "bolivarian bolivariana islamic islamica people s popular democratic democratica "
    "republique royaume etat du des le".split()
)


def _word_key(text: str) -> str:
    """A name without the words that only say what kind of state it is."""
    return "".join(word for word in plain_words(text) if word not in _STATE_WORDS)


def _spellings(name: str) -> set[str]:
    """A name and the forms it hides: ``"Korea, Republic of"`` also as ``"Republic of
    Korea"``; ``"Myanmar (Burma)"`` also as each part; ``"Congo - Kinshasa"`` as a whole."""
    found = {name}
    if ", " in name:
        head, _comma, tail = name.partition(", ")
        found.add(f"{tail} {head}")
    if "(" in name and name.endswith(")"):
        outer, _paren, inner = name[:-1].partition("(")
        found |= {outer.strip(), inner.strip()}
    return found


@cache
def _index() -> dict[str, str]:
    """Normalized name → ISO alpha-2 code, for every name of one country only."""
    codes_by_name: dict[str, set[str]] = defaultdict(set)
    codes = set(Locale.parse("en").territories)

    def add(name: str | None, code: str) -> None:
        if name and code in codes:
            for spelling in _spellings(name):
                codes_by_name[compact_key(spelling)].add(code)

    for language in NAME_LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha():
                add(name, code)
        translation = gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
        )
        translated = translation.gettext  # a name, not a message of ours: kept from extraction
        for country in pycountry.countries:
            for attribute in ("name", "official_name", "common_name"):
                english = getattr(country, attribute, None)
                if english:  # gettext("") would give the catalog's header
                    add(translated(english), country.alpha_2)
    for country in pycountry.countries:
        codes_by_name[compact_key(country.alpha_3)].add(country.alpha_2)
    index = {key: next(iter(found)) for key, found in codes_by_name.items() if len(found) == 1}
    index.update({compact_key(alias): code for alias, code in ALIASES.items()})
    return index


@cache
def _index_without_state_words() -> dict[str, str]:
    """The same names with the words of kinds of state dropped ("Korea" for "Republic of
    Korea"), where that still names one country."""
    found: dict[str, set[str]] = defaultdict(set)
    for language in NAME_LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha():
                for spelling in _spellings(name):
                    found[_word_key(spelling)].add(code)
    return {key: next(iter(codes)) for key, codes in found.items() if key and len(codes) == 1}


def country_for(text: str | None) -> str | None:
    """The ISO alpha-2 code of a country as written in a file, or None when nothing (or more
    than one country) matches: ``"mx"``, ``"MEX"``, ``"EL"`` (Greece, the EU's code),
    ``"Estados Unidos Mexicanos"``, ``"Republic of Korea"``, ``"KSA"``, ``"Perú"``, ``"peru"``,
    ``"Burma"``."""
    if not text or not text.strip():
        return None
    value = " ".join(text.split())
    if len(value) == 2 and value.isalpha():
        code = COUNTRY_CODE_ALIASES.get(value.upper(), value.upper())
        return code if code in Locale.parse("en").territories else None
    found = _index().get(compact_key(value))
    if found is None:
        found = _index_without_state_words().get(_word_key(value))
    return found
