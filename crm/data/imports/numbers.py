"""Number answers as people type them in a survey's free-text box (docs/domain.md#imports):
"cerca de 250", "~40", "mais de 5", "2-3", "unknown", "no sabe", "nenhum membro".

Each answer is read into a :class:`NumberReading`: a whole number, exact or read from an
approximation or a range (the smaller end: a count is never overstated), or "not known" for a
word that means none or unknown. The import's values step shows these readings as suggestions
staff can change; none of them is a row error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crm.core.folding import folded
from crm.data.imports.parsing import parse_whole_number

#: Words that mean none or unknown, in the survey's languages: the answer imports as not known
#: (a practice whose count is not known is not eligible: docs/domain.md#eligible-practices).
NOT_KNOWN_WORDS = frozenset(
    """
    none no nobody zero nil nothing n/a na nk unknown unsure dk dont don't know idk
    ninguno ninguna ningun nadie cero nada desconocido desconocida sabe se no_se nose ns nr
    ns/nr ns/nc sin
    nenhum nenhuma ninguem ninguém zero nada desconhecido desconhecida sei nao não
    aucun aucune inconnu keine kein unbekannt
    """.split()
)
#: Words that say the number is only about right.
APPROXIMATE_WORDS = frozenset(
    """
    about around approximately approx approx. roughly nearly almost some circa ca ca.
    cerca alrededor aproximadamente aprox aprox. unos unas casi como mas_o_menos
    aproximadamente cerca quase uns umas mais_ou_menos em_torno
    environ vers etwa ungefahr ungefähr rund
    """.split()
)
#: Words that put the number as a floor ("more than 5": at least 5).
AT_LEAST_WORDS = frozenset(
    "more over above least mais mas acima encima sobre plus mehr minimo".split()
)
#: Phrases that say "at least" with a word that alone says "less" ("pelo menos 5").
AT_LEAST_PHRASES = ("al menos", "por lo menos", "pelo menos", "ao menos", "at least")
#: Words that put the number as a ceiling ("less than 3": at most 2).
LESS_THAN_WORDS = frozenset("less fewer under below menos abaixo debajo moins weniger".split())
#: Whole numbers written as words, 0–20, in the survey's languages.
NUMBER_WORDS: dict[str, int] = {
    word: value
    for value, words in enumerate(
        [
            "zero cero",
            "one uno una um uma",
            "two dos dois duas",
            "three tres três",
            "four cuatro quatro",
            "five cinco",
            "six seis",
            "seven siete sete",
            "eight ocho oito",
            "nine nueve nove",
            "ten diez dez",
            "eleven once onze",
            "twelve doce doze",
            "thirteen trece treze",
            "fourteen catorce catorze quatorze",
            "fifteen quince quinze",
            "sixteen dieciseis dezesseis",
            "seventeen diecisiete dezessete",
            "eighteen dieciocho dezoito",
            "nineteen diecinueve dezenove",
            "twenty veinte vinte",
        ]
    )
    for word in words.split()
}
_NUMBER = r"\d{1,3}(?:[.,\s]\d{3})+|\d+(?:[.,]\d+)?"
_RANGE = re.compile(rf"({_NUMBER})\s*(?:-|–|—|a|to|y|e|and|ou|or|/)\s*({_NUMBER})")
_FIRST_NUMBER = re.compile(_NUMBER)

#: How an answer was read (the notice a row gets).
EXACT, APPROXIMATE, RANGE, AT_LEAST, AT_MOST, NOT_KNOWN, UNREADABLE = (
    "exact",
    "approximate",
    "range",
    "at_least",
    "at_most",
    "not_known",
    "unreadable",
)


@dataclass(frozen=True)
class NumberReading:
    """An answer read as a whole number: ``value`` (None: not known) and ``how`` it was read
    (EXACT, APPROXIMATE, RANGE, AT_LEAST, AT_MOST, NOT_KNOWN, or UNREADABLE: no number and no
    word that says none or unknown)."""

    value: int | None
    how: str


def _plain_words(text: str) -> list[str]:
    return re.findall(r"[a-z/']+\.?|~|>|<|\+", folded(text).replace("’", "'"))


def _whole(text: str) -> int | None:
    """A number as typed, rounded down to a whole one ("2,5" → 2); None if none."""
    exact = parse_whole_number(text)
    if exact is not None:
        return exact
    match = re.fullmatch(r"(\d+)[.,](\d+)", text.strip())
    return int(match.group(1)) if match else None


def read_number(text: str) -> NumberReading:
    """A number answer read (see the module's docstring). ``"250"`` → 250 exact;
    ``"cerca de 250"`` and ``"~40"`` → approximate; ``"2-3"`` → 2, a range; ``"mais de 5"`` →
    5, at least; ``"menos de 3"`` → 2, at most; ``"unknown"``, ``"no sabe"``,
    ``"nenhum membro"`` → not known; ``"cinco"`` → 5; anything else → unreadable."""
    text = text.strip()
    exact = parse_whole_number(text)
    if exact is not None:
        return NumberReading(exact, EXACT)
    words = _plain_words(text)
    digits = _RANGE.search(text)
    if digits:
        low, high = sorted((_whole(digits.group(1)) or 0, _whole(digits.group(2)) or 0))
        return NumberReading(low, RANGE)
    number = _FIRST_NUMBER.search(text)
    value = _whole(number.group()) if number else None
    spelled = value is None
    if spelled:
        value = next((NUMBER_WORDS[w] for w in words if w in NUMBER_WORDS), None)
    if value is None:
        if any(w.strip(".") in NOT_KNOWN_WORDS or w == "?" for w in words) or "?" in text:
            return NumberReading(None, NOT_KNOWN)
        return NumberReading(None, UNREADABLE)
    plain = " ".join(words)
    if any(phrase in plain for phrase in AT_LEAST_PHRASES):
        return NumberReading(value, AT_LEAST)
    if any(w in LESS_THAN_WORDS for w in words) or "<" in words:
        return NumberReading(max(value - 1, 0), AT_MOST)
    if any(w in AT_LEAST_WORDS for w in words) or ">" in words or "+" in words:
        return NumberReading(value, AT_LEAST)
    if spelled and not any(w.strip(".") in APPROXIMATE_WORDS or w == "~" for w in words):
        return NumberReading(value, EXACT)
    return NumberReading(value, APPROXIMATE)
