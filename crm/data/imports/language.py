"""Guessing the language a file was answered in from its headings and answers
(docs/domain.md#imports): English, Spanish or Portuguese, whichever of their common words the
file holds most of ("Marca temporal" is Spanish, "Carimbo de data/hora" Portuguese). The guess
is what the wizard proposes; staff can change it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from crm.core.folding import folded

#: Words frequent in one of the survey's languages and rare in the other two (accents dropped).
WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the of your you what how many yes and or with in is are does do would which when "
        "name country city email phone practice interested interest agree timestamp "
        "submitted none unknown about more than per year staff members not very somewhat "
        "start date response".split()
    ),
    "es": frozenset(
        "el la los las del su sus usted cual cuantos cuantas si y con una uno en es son "
        "nombre ciudad correo electronico telefono consultorio acepto marca temporal "
        "ninguno ninguna nada sabe muy algo fecha respuesta ano anos".split()
    ),
    "pt": frozenset(
        "do dos das seu sua voce quantos quantas sim nao uma um com em ou cidade "
        "servico aceito concordo carimbo nenhum nenhuma sei mais equipe muito pouco "
        "resposta ao aos pela pelo".split()
    ),
}
#: Letters only Spanish or only Portuguese writes.
LETTERS = {"es": "ñ¿¡", "pt": "ãõç"}
#: The product's locale of each language.
LOCALE_OF = {"en": "en", "es": "es", "pt": "pt_BR"}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", folded(text))


def guess_language(
    headings: Sequence[str], rows: Iterable[Sequence[str]] = (), *, sample: int = 200
) -> str | None:
    """The locale (en, es, pt_BR) whose common words the headings and the first ``sample``
    rows' answers hold most of; None when nothing tells (no such word at all). Headings
    count three times: they are the questionnaire's own words."""
    scores: Counter[str] = Counter()
    texts = [(text, 3) for text in headings]
    for index, cells in enumerate(rows):
        if index >= sample:
            break
        texts += [(cell, 1) for cell in cells if cell and not cell.strip().isdigit()]
    for text, weight in texts:
        folded = text.casefold()
        for language, letters in LETTERS.items():
            scores[language] += weight * 2 * sum(folded.count(c) for c in letters)
        for word in _words(text):
            for language, common in WORDS.items():
                if word in common:
                    scores[language] += weight
    if not scores or max(scores.values()) == 0:
        return None
    best = max(WORDS, key=lambda language: scores[language])
    return LOCALE_OF[best]
