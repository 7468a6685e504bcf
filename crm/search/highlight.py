"""What matched, marked: the words of a result that start with a word typed, whatever their
accents and case ("nunez" marks "Núñez")."""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape

from crm.core.folding import folded

_WORD = re.compile(r"\w+")


def highlight(text: str | None, words: Iterable[str]) -> Markup:
    """``text`` escaped, each of its words that starts with one of ``words`` (already plain:
    ``crm.search.index.terms``) inside ``<mark>``."""
    wanted = tuple(words)
    text = text or ""
    if not wanted:
        return escape(text)
    parts, last = [], 0
    for match in _WORD.finditer(text):
        if folded(match.group()).startswith(wanted):
            parts.append(escape(text[last : match.start()]))
            parts.append(Markup("<mark>%s</mark>") % match.group())
            last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)
