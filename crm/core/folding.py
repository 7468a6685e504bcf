"""Text compared as people mean it: accents, case and punctuation set aside, one way for every
comparison (search, duplicate suggestions, import headings and country names;
docs/domain.md#eligible-practices)."""

from __future__ import annotations

import unicodedata


def folded(text: str | None) -> str:
    """``text`` decomposed (NFKD: "ﬁ" → "fi", "²" → "2"), case-folded, accents dropped;
    punctuation and spaces kept. ``"Clínica São-José"`` → ``"clinica sao-jose"``."""
    decomposed = unicodedata.normalize("NFKD", text or "").casefold()
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def plain_words(text: str | None) -> list[str]:
    """The words of :func:`folded` ``text``, anything not a letter or digit a separator:
    ``"Clín. São-José"`` → ``["clin", "sao", "jose"]``."""
    return "".join(c if c.isalnum() else " " for c in folded(text)).split()


def compact_key(text: str | None) -> str:
    """The letters and digits of :func:`folded` ``text`` run together:
    ``"Clínica São-José, S.A."`` → ``"clinicasaojosesa"``."""
    return "".join(c for c in folded(text) if c.isalnum())
