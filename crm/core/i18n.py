"""Locale selection and localized country names (Babel's CLDR data, never a hand-kept table)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import TypeVar

import pycountry
from babel import Locale
from babel.lists import format_list
from flask import g, has_app_context, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import Case, ColumnElement, case

from crm.core.folding import compact_key

#: Locales the product speaks, and the URL segment that selects each (/en /es /pt,
#: ``docs/domain.md#survey``).
LOCALES = ("en", "es", "pt_BR")
URL_SEGMENTS = {"en": "en", "es": "es", "pt": "pt_BR"}
SEGMENT_OF = {locale: segment for segment, locale in URL_SEGMENTS.items()}
#: Endonyms for the language switcher; never translated.
LANGUAGE_NAMES = {"en": "English", "es": "Español", "pt_BR": "Português"}


def normalize_locale(value: str | None) -> str | None:
    """Map a locale-ish string (``pt-BR``, ``pt_br``, ``pt``, ``es-419``) to one of LOCALES.

    Returns None for anything else (``*``, junk, an empty string); never raises.
    """
    if not value:
        return None
    tag = value.strip().replace("-", "_").split("_")
    primary = tag[0].lower()
    if primary == "pt":
        return "pt_BR"
    return primary if primary in LOCALES else None


def locale_from_accept_language(header_values: Iterable[tuple[str, float]]) -> str | None:
    """Best of LOCALES for ``Accept-Language`` pairs (value, quality), matching the language first.

    ``pt-PT`` gets ``pt_BR`` rather than English (a plain match takes ``pt_BR`` for
    ``pt-BR`` only, and would answer a reader from Portugal in English).
    """
    ranked = sorted(header_values, key=lambda pair: pair[1], reverse=True)
    for value, _quality in ranked:
        locale = normalize_locale(value)
        if locale:
            return locale
    return None


def select_locale() -> str:
    """The request's locale: URL segment → explicit choice in session → user → header → en."""
    if not has_request_context():
        return "en"
    if "locale" in g:
        return g.locale
    segment = (request.view_args or {}).get("lang")
    locale = URL_SEGMENTS.get(segment) if segment else None
    if locale is None:
        locale = normalize_locale(session.get("locale"))
    if locale is None and current_user and current_user.is_authenticated:
        locale = normalize_locale(getattr(current_user, "locale", None))
    if locale is None:
        locale = locale_from_accept_language(request.accept_languages)
    g.locale = locale or "en"
    return g.locale


def active_locale() -> str:
    """The locale text is being rendered in: the request's, or one set by ``force_locale``
    (emails in their recipient's language); ``en`` outside an app."""
    if not has_app_context():
        return "en"
    return str(get_locale() or "en")


def localized_list(items: Sequence[str], locale: str | None = None) -> str:
    """``items`` joined as the language writes a list ("a, b and c", "a, b y c", "a, b e c"),
    through Babel's CLDR patterns; ``locale`` defaults to :func:`active_locale`."""
    return format_list(list(items), locale=locale or active_locale())


def country_name(code: str, locale: str | None = None) -> str:
    """The country's name in ``locale`` (default: ``active_locale()``), from CLDR; the code if
    unknown."""
    territories = Locale.parse(locale or active_locale()).territories
    return territories.get(code, code)


def region_name(m49: str | None, locale: str | None = None) -> str:
    """Name of a UN M49 region ("019" → "Americas"/"América") from CLDR; empty for None."""
    if not m49:
        return ""
    return Locale.parse(locale or active_locale()).territories.get(m49, m49)


def collation_key(text: str) -> str:
    """Sort key matching ICU's order for country names in en, es and pt_BR
    (``docs/domain.md#countries``)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def sorted_countries(codes: Iterable[str], locale: str | None = None) -> list[tuple[str, str]]:
    """``(code, localized name)`` pairs sorted by the language's rules."""
    pairs = [(code, country_name(code, locale)) for code in codes]
    return sorted(pairs, key=lambda pair: collation_key(pair[1]))


@cache
def _country_positions(locale: str) -> dict[str, int]:
    # CLDR's two-letter regions: every ISO 3166-1 country and XK (Kosovo), which pycountry lacks.
    codes = (c for c in Locale.parse("en").territories if len(c) == 2 and c.isalpha())
    return {code: n for n, (code, _name) in enumerate(sorted_countries(codes, locale))}


def country_order(column: ColumnElement[str], locale: str | None = None) -> Case:
    """An ORDER BY term putting rows in the alphabetical order of the names of the countries
    in ``column`` (ISO alpha-2) in ``locale`` (default: ``active_locale()``), as
    :func:`sort_by_country` does in Python, for lists the database pages
    (docs/domain.md#countries); an unknown code last."""
    positions = _country_positions(locale or active_locale())
    return case(positions, value=column, else_=len(positions))


_Item = TypeVar("_Item")


def sort_by_country(
    items: Iterable[_Item], code: Callable[[_Item], str | None], locale: str | None = None
) -> list[_Item]:
    """``items`` in the alphabetical order of their countries' names in ``locale`` (default:
    ``active_locale()``), by :func:`collation_key`: every list of countries a person reads
    follows names, never ISO codes (docs/domain.md#countries). ``code`` gives an item's ISO
    code; items without one come first; items of one country keep their order."""

    def key(item: _Item) -> str:
        item_code = code(item)
        return collation_key(country_name(item_code, locale)) if item_code else ""

    return sorted(items, key=key)


#: Codes in use that are not ISO 3166-1: the EU's and Eurostat's for Greece and the UK.
COUNTRY_CODE_ALIASES = {"EL": "GR", "UK": "GB"}
#: Languages whose CLDR country names are recognised in imported files.
COUNTRY_NAME_LOCALES = ("en", "es", "pt", "fr", "de")


@cache
def _country_names() -> dict[str, str]:
    """Normalized country name (any of COUNTRY_NAME_LOCALES) or alpha-3 code → alpha-2 code."""
    names: dict[str, str] = {}
    for locale in COUNTRY_NAME_LOCALES:
        for code, name in Locale.parse(locale).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(compact_key(name), code)
    for country in pycountry.countries:
        names.setdefault(compact_key(country.alpha_3), country.alpha_2)
        names.setdefault(compact_key(country.name), country.alpha_2)
    return names


def country_code_for(text: str | None) -> str | None:
    """ISO alpha-2 code for a country as written in a file: a code (``br``, ``EL`` → ``GR``),
    an alpha-3 code, or a name in English, Spanish, Portuguese, French or German (CLDR:
    ``Alemania``, ``Brasil``, ``Côte d'Ivoire``). None when nothing matches."""
    if not text or not text.strip():
        return None
    value = text.strip()
    if len(value) == 2 and value.isalpha():
        code = value.upper()
        code = COUNTRY_CODE_ALIASES.get(code, code)
        return code if code in Locale.parse("en").territories else None
    return _country_names().get(compact_key(value))
