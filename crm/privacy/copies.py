"""Finding and replacing copies of a person's identifiers in text, in SQL and in Python.

A copy is found whatever its case or accents ("Angela Nunez" typed in a note for "Ángela
Núñez") and whatever its spacing, but only as a whole word or address: "Ana Li" leaves
"Banana Lime" alone, and "ana@x.example" leaves "joana@x.example". SQL narrows the rows
(:func:`contains_any`, a superset: SQL has no word boundaries), Python decides
(:func:`holds`) and replaces (:func:`scrub`). The erasure's rules are in
``docs/decisions.md#erasure-scan``.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, false, func, literal, or_

#: What replaces every copy of an identifier.
ERASED = "[erased]"

#: Combining accents (U+0300–U+036F), dropped when matching: "Núñez" decomposed (NFD) is
#: "Nu\u0301n\u0303ez". Marks of other scripts (Indic vowel signs) tell words apart: kept.
_ACCENT = re.compile("[\u0300-\u036f]")


def _bare(text: str) -> str:
    """``text`` decomposed (NFD) without its Latin accents, as :func:`_pattern` reads it."""
    return _ACCENT.sub("", unicodedata.normalize("NFD", text))


def fold(text: str) -> str:
    """``text`` without Latin accents, its case kept: "Ángela Núñez" → "Angela Nunez"."""
    return unicodedata.normalize("NFC", _bare(text))


#: Where a copy may not begin or end: inside a longer word ("Ana Li" in "Banana Lime", accents
#: of decomposed text included), or for an email inside a longer address ("ana@x.example" in
#: "joana@x.example" or "ana@x.example.org"). Python's ``\w`` is Unicode-aware.
_WORD_BEFORE = "(?<![\\w\u0300-\u036f])"
_WORD_AFTER = "(?![\\w\u0300-\u036f])"
_EMAIL_BEFORE = "(?<![\\w.+\\-\u0300-\u036f])"
_EMAIL_AFTER = "(?![\\w\\-\u0300-\u036f]|\\.\\w)"


def _edges(value: str) -> tuple[str, str]:
    """Look-arounds keeping a match of ``value`` from lying inside a longer token."""
    if "@" in value:
        return _EMAIL_BEFORE, _EMAIL_AFTER
    before = _WORD_BEFORE if re.match(r"\w", value) else ""
    after = _WORD_AFTER if re.search(r"\w$", value) else ""
    return before, after


@functools.lru_cache(maxsize=1024)
def _pattern(value: str) -> re.Pattern[str]:
    """A regular expression finding ``value`` in decomposed (NFD) text in any case, with or
    without accents, and with any spacing: "ÁNGELA  NUNEZ", "angela nuñez", "Angela\nNúñez";
    never inside a longer word or address (:func:`_edges`)."""
    bare = _bare(value)
    parts = []
    for word in bare.split():
        parts.append("".join(re.escape(c) + "[\u0300-\u036f]*" for c in word))
    before, after = _edges(bare.strip())
    return re.compile(before + "\\s+".join(parts) + after, re.IGNORECASE)


@functools.lru_cache(maxsize=1024)
def _exact(value: str) -> re.Pattern[str]:
    """``value`` as typed, in any case (re's IGNORECASE folds Unicode letters too: "ÁNGELA"
    matches "Ángela"), never inside a longer word or address."""
    before, after = _edges(value)
    return re.compile(before + re.escape(value) + after, re.IGNORECASE)


def _variants(values: Iterable[str]) -> set[str]:
    """Each value in the cases people type it, raw and JSON-escaped (JSON columns store
    ``\\uXXXX``). SQLite's ``lower()`` folds ASCII letters only (so does PostgreSQL's under the
    C locale): "ÁNGELA" and "Ángela" only meet through such variants."""
    found = set()
    for value in values:
        for form in {value, fold(value)}:
            for variant in (form, form.lower(), form.upper(), form.title(), form.capitalize()):
                found.update((variant, json.dumps(variant)[1:-1]))
    return found


def _is_name(value: str) -> bool:
    """Whether an identifier is a name (letters, no ``@``), not an email or a phone."""
    return "@" not in value and any(c.isalpha() for c in value)


@dataclass(frozen=True)
class Skeleton:
    """A name as SQL compares it whatever its case, accents and JSON escaping: the text,
    lower-cased, has ``replacements`` applied (each of the name's own non-ASCII letters, in
    either case, raw or ``\\uXXXX``, becomes its unaccented lower-case form; its combining
    accents are dropped), then must be ``LIKE`` ``pattern``: the whole folded name, one
    character allowed between its words ("Ángela Núñez" → ``%angela_nunez%``)."""

    pattern: str
    replacements: tuple[tuple[str, str], ...]


def _letter_replacements(value: str) -> dict[str, str]:
    """Each non-ASCII letter of ``value``, in either case, raw and JSON-escaped → its
    unaccented lower-case form; each combining accent, raw and escaped → nothing."""
    replacements = {}
    for char in set(unicodedata.normalize("NFC", value)):
        if char.isascii() or char.isspace():
            continue
        for form in (char.lower(), char.upper()):
            if len(form) != 1:  # "ß".upper() is "SS": no one-letter form to replace
                continue
            target = fold(form).lower()
            for typed in (form, json.dumps(form)[1:-1]):
                if typed != target:
                    replacements[typed] = target
    for mark in set(_ACCENT.findall(unicodedata.normalize("NFD", value))):
        replacements[mark] = replacements[json.dumps(mark)[1:-1]] = ""
    return replacements


def _skeleton(value: str) -> Skeleton | None:
    """The :class:`Skeleton` of a name; None for an email or a phone (matched exactly, in any
    case: :func:`_variants`)."""
    if not _is_name(value):
        return None
    words = fold(value).lower().split()
    pattern = "%" + "_".join(_like_escaped(word) for word in words) + "%"
    replacements = _letter_replacements(value)
    # Escapes first: "\u00e1" must not have its letters rewritten before it is read whole.
    ordered = sorted(replacements.items(), key=lambda item: (item[0].isascii() is False, item))
    return Skeleton(pattern=pattern, replacements=tuple(ordered))


def contains_any(column: ColumnElement, values: Iterable[str]) -> ColumnElement[bool]:
    """SQL: the column's text may hold one of ``values``: a name in any case and with or
    without accents (:func:`_skeleton`), an email or phone as given, in any case
    (:func:`_variants`). A superset (no word boundaries in SQL): callers check in Python
    (:func:`holds`)."""
    as_text = func.lower(cast(column, Text))
    conditions, exact = [], []
    for value in sorted(values):
        skeleton = _skeleton(value)
        if skeleton is None:
            exact.append(value)
            continue
        folded = as_text
        for typed, target in skeleton.replacements:
            folded = func.replace(folded, typed, target)
        # An explicit escape: PostgreSQL's LIKE reads a backslash (as in \\u00c1) as one.
        conditions.append(folded.like(skeleton.pattern, escape="\\"))
    return or_(
        false(),
        *conditions,
        *(
            as_text.contains(func.lower(literal(_like_escaped(v))), escape="\\")
            for v in sorted(_variants(exact))
        ),
    )


def _like_escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def holds(text: Any, values: Iterable[str]) -> bool:
    """Whether ``text`` (a string, or a JSON value read as its text) holds a copy of one of
    ``values``, as a whole word or address, in any case, with or without accents."""
    text = text if isinstance(text, str) else json.dumps(text, ensure_ascii=False)
    decomposed = unicodedata.normalize("NFD", text)
    return any(_pattern(value).search(decomposed) for value in values)


def scrub(value: Any, values: Iterable[str]) -> Any:
    """``value`` (a string, or lists and dicts of them, as JSON columns hold) with every copy
    of ``values`` replaced by :data:`ERASED`, longest values first; anything else unchanged."""
    if isinstance(value, str):
        for target in sorted(values, key=len, reverse=True):
            value = _replace_ci(value, target)
        return value
    if isinstance(value, list):
        return [scrub(v, values) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v, values) for k, v in value.items()}
    return value


def _replace_ci(text: str, target: str) -> str:
    text = _exact(target).sub(ERASED, text)
    decomposed = unicodedata.normalize("NFD", text)
    replaced = _pattern(target).sub(ERASED, decomposed)
    # Text with no other copy is returned as it was (not recomposed: never a needless write).
    return unicodedata.normalize("NFC", replaced) if replaced != decomposed else text
