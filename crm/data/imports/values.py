"""The answers of closed questions: their codes' titles, the spellings survey tools write them in,
and suggested codes for the answers found in a file's column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from crm import labels
from crm.core.i18n import LANGUAGE_NAMES, LOCALES, normalize_locale
from crm.data.imports.legacy import OLDER_OPTION_LABELS
from crm.data.imports.targets import CLOSED_KINDS, TARGET_CHOICES, TARGETS
from crm.responses import questionnaire
from crm.responses.matching import normalize_key

#: The languages named in the reader's language, for reading a file's answers ("Spanish",
#: "Espanhol", "Inglés": the values step's index reads them in every locale). Screens name
#: languages by their own names, ``crm.core.i18n.LANGUAGE_NAMES``.
LANGUAGE_TITLES = {"en": _l("English"), "es": _l("Spanish"), "pt_BR": _l("Portuguese")}
#: Titles of closed answers that ``crm.labels`` does not carry (labels live with the forms).
EXTRA_VALUE_TITLES: dict[str, Mapping[str, Any]] = {
    "consent": {
        "yes": _l("Accepted the privacy notice"),
        "no": _l("Did not accept the privacy notice"),
    },
    "yes_no": {"yes": _l("Yes"), "no": _l("No"), "unsure": _l("Not sure")},
    "ehr_use": {
        "full": _l("Electronic health records used throughout"),
        "partial": _l("Electronic health records used in part"),
        "none": _l("No electronic health records"),
    },
    "qtp_formats": {
        "six_month": _l("Six-month program"),
        "one_day": _l("One-day program"),
        "train_the_trainer": _l("Train-the-trainer"),
    },
    "licensing": {
        "qtp_content": _l("Licensing QTP content"),
        "quality_symposium": _l("Licensing the Quality of Care Symposium"),
    },
}

#: Answers written the same way in many tools and languages (normalized by ``normalize_key``).
VALUE_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "yes_no": {
        "yes": ("yes", "y", "si", "sim", "s", "oui", "ja", "true", "verdadero", "verdadeiro",
                "1", "x", "checked", "ndio"),
        "no": ("no", "n", "nao", "non", "nein", "false", "falso", "0", "hapana"),
        "unsure": ("unsure", "notsure", "dontknow", "idontknow", "maybe", "nose", "nolose",
                   "talvez", "quizas", "naosei", "jenesaispas", "weissnicht", "unknown"),
    },
    "interest_level": {
        "very": ("veryinterested", "extremelyinterested", "muyinteresado", "muyinteresada",
                 "muitointeressado", "muitointeressada", "tresinteresse", "sehrinteressiert"),
        "somewhat": ("somewhatinterested", "moderatelyinterested", "interested",
                     "algointeresado", "algointeresada", "interesado", "interesada",
                     "interessado", "interessada", "moderadamenteinteressado"),
        "not_very": ("notveryinterested", "slightlyinterested", "pocointeresado",
                     "pocointeresada", "poucointeressado", "poucointeressada"),
        "not_at_all": ("notinterested", "notatallinterested", "nadainteresado",
                       "nadainteresada", "nointeresado", "nointeresada", "naointeressado",
                       "naointeressada", "nadainteressado", "pasinteresse"),
    },
    "consent": {
        "yes": ("acepto", "aceito", "concordo", "agree", "iagree", "accept", "accepted",
                "iaccept", "deacuerdo", "aceptado", "aceitei", "consiento", "consinto",
                "doyminconsentimiento", "douomeuconsentimento", "igivemyconsent"),
        "no": ("noacepto", "naoaceito", "naoconcordo", "disagree", "idonotagree",
               "declined", "rechazado", "recusado"),
    },
    "language": {
        "en": ("english", "ingles", "anglais", "englisch"),
        "es": ("spanish", "espanol", "castellano", "espagnol", "spanisch", "espanhol"),
        "pt_BR": ("portuguese", "portugues", "portugais", "portugiesisch", "portuguesbrasil"),
    },
}  # fmt: skip
BLANK_CODE = "__blank__"
#: Placeholders some tools write in an email column; they mean "no email", not a bad one.
NO_EMAIL_VALUES = frozenset({"anonymous", "anonyme", "anonimo", "na", "none", "noemail"})


def value_vocabulary(key: str) -> str:
    """Which vocabulary a closed target's answers use (``yes_no``, ``interest_level``, …)."""
    if key == "consent":
        return "consent"
    if TARGET_CHOICES.get(key) in (questionnaire.YES_NO, questionnaire.YES_NO_UNSURE):
        return "yes_no"
    if key in questionnaire.INTEREST_KEYS.values():
        return "interest_level"
    if key in ("preferred_language", "language"):
        return "language"
    return key


def value_titles(key: str) -> dict[str, str]:
    """Code → translated title of each allowed answer of a closed target (current locale);
    languages by their own names, as every language choice shows them (``LANGUAGE_NAMES``)."""
    vocabulary = value_vocabulary(key)
    titles: Mapping[str, Any] = (
        LANGUAGE_NAMES
        if vocabulary == "language"
        else labels.ALL.get(vocabulary) or EXTRA_VALUE_TITLES.get(vocabulary, {})
    )
    return {code: str(titles.get(code, code)) for code in TARGET_CHOICES[key]}


@cache
def _value_index(key: str) -> dict[str, str]:
    """Normalized answer → code: the codes, their titles in en/es/pt_BR, older questionnaires'
    labels, and common synonyms."""
    allowed = TARGET_CHOICES[key]
    index: dict[str, str] = {}
    for locale in LOCALES:
        with force_locale(locale):
            for code, title in value_titles(key).items():
                index.setdefault(normalize_key(title), code)
            if value_vocabulary(key) == "language":  # "Spanish", "Espanhol" in a file
                for code, title in LANGUAGE_TITLES.items():
                    index.setdefault(normalize_key(str(title)), code)
    for code, older in OLDER_OPTION_LABELS.get(key, {}).items():
        for label in older:
            index.setdefault(normalize_key(label), code)
    vocabularies = [value_vocabulary(key)] + (["yes_no"] if key == "consent" else [])
    for vocabulary in vocabularies:
        for code, words in VALUE_SYNONYMS.get(vocabulary, {}).items():
            if code in allowed:
                for word in words:
                    index.setdefault(word, code)
    for code in allowed:
        index[normalize_key(code)] = code
    return index


@cache
def known_labels(key: str) -> tuple[str, ...]:
    """Option labels of a multiple choice as respondents saw them (our titles in en/es/pt_BR
    and older questionnaires' labels), longest first: what a cell is split by."""
    labels_seen: set[str] = set()
    for locale in LOCALES:
        with force_locale(locale):
            labels_seen.update(value_titles(key).values())
    for older in OLDER_OPTION_LABELS.get(key, {}).values():
        labels_seen.update(older)
    return tuple(sorted(labels_seen, key=len, reverse=True))


def suggest_value(key: str, value: str) -> str | None:
    """The code a raw answer most likely means (``"Sí"`` → ``yes``), or None when unsure."""
    normalized = value_key(value)
    if not normalized:
        return None
    code = _value_index(key).get(normalized)
    if code is None and value_vocabulary(key) == "language":
        code = normalize_locale(value.strip())
    return code


def value_key(value: str) -> str:
    """How an answer is compared and stored in the value mapping (see ``normalize_key``)."""
    return normalize_key(value)


def split_multi(value: str, known: Iterable[str] = ()) -> list[str]:
    """Items of a multiple-choice cell: ``;``-joined (Microsoft Forms, with a trailing ``;``)
    or ``, ``-joined (Google Forms), an option label among ``known`` kept whole even when it
    holds commas; blanks dropped."""
    if ";" in value:
        return [p.strip() for p in value.split(";") if p.strip()]
    labels = [(label.casefold(), len(label)) for label in known]
    items, rest = [], value.strip()
    while rest:
        folded = rest.casefold()
        size = next(
            (n for label, n in labels if folded.startswith(label)
             and (len(rest) == n or rest[n:].lstrip().startswith(","))),
            None,
        )  # fmt: skip
        if size is None:
            head, _sep, rest = rest.partition(", ")
        else:
            head, rest = rest[:size], rest[size:].lstrip().removeprefix(",")
        items.append(head.strip())
        rest = rest.strip()
    return [item for item in items if item]


def distinct_values(
    rows: Iterable[Sequence[str]],
    position: int,
    *,
    multi: bool,
    known: Iterable[str] = (),
    limit: int = 200,
) -> list[tuple[str, str, int]]:
    """``(value key, first raw spelling, count)`` of the answers in a column, in order of first
    appearance, at most ``limit`` of them; a multiple choice's cells split by ``known``
    labels (see :func:`split_multi`)."""
    seen: dict[str, list] = {}
    for cells in rows:
        raw = cells[position].strip() if position < len(cells) else ""
        for item in split_multi(raw, known) if multi else ([raw] if raw else []):
            normalized = value_key(item)
            if not normalized:
                continue
            if normalized in seen:
                seen[normalized][2] += 1
            elif len(seen) < limit:
                seen[normalized] = [normalized, item, 1]
    return [tuple(v) for v in seen.values()]  # type: ignore[misc]


def suggest_values(table_rows: Sequence[Sequence[str]], columns: Mapping[str, int]) -> dict:
    """For each mapped closed target: value key → suggested code (unknown answers left out)."""
    suggestions: dict[str, dict[str, str]] = {}
    for key, position in columns.items():
        if TARGETS.get(key) not in CLOSED_KINDS:
            continue
        multi = TARGETS[key] == "multi"
        found = {}
        known = known_labels(key) if multi else ()
        for normalized, raw, _count in distinct_values(
            table_rows, position, multi=multi, known=known
        ):
            code = suggest_value(key, raw)
            if code is not None:
                found[normalized] = code
        suggestions[key] = found
    return suggestions
