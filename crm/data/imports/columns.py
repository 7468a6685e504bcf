"""Suggesting which column of a file holds which answer key, from its heading in the languages
of the survey tools' exports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

from flask_babel import force_locale
from rapidfuzz import fuzz

from crm.core.folding import plain_words
from crm.core.i18n import LOCALES
from crm.data.imports.legacy import OLDER_QUESTIONS
from crm.data.imports.targets import TARGET_TITLES, TARGETS
from crm.data.imports.values import suggest_value
from crm.responses.answers import QUESTIONS
from crm.responses.matching import normalize_key

#: Headings (normalized: lower case, accents and punctuation dropped) that name each target, in
#: the languages of the tools' exports. A single word must equal the heading (or one part of it);
#: several words may appear among more words.
HEADING_SYNONYMS: dict[str, tuple[str, ...]] = {
    "practice_name": (
        "practice name", "practice", "name of practice", "name of your practice",
        "hospital name", "hospital", "facility name", "health facility", "clinic name",
        "clinic", "institution", "institution name", "organization", "organisation",
        "organization name", "nombre de la practica", "nombre de la institucion",
        "nombre del hospital", "nombre de la clinica", "institucion", "consultorio",
        "nome da clinica", "nome da instituicao", "nome do hospital", "instituicao", "clinica",
        "etablissement", "nom de l etablissement", "hopital", "einrichtung", "krankenhaus",
        "klinik", "praxis", "centro", "nombre del centro", "servico", "nome do servico",
    ),
    "country": ("country", "pais", "pays", "land", "country code", "cc", "nation"),
    "city": ("city", "town", "ciudad", "cidade", "ville", "stadt", "ort", "municipio", "localidad"),
    "practice_type": ("practice type", "type of practice", "facility type", "tipo de practica",
                      "tipo de institucion", "tipo de clinica", "tipo de instituicao"),
    "outpatient_hem_onc": ("outpatient hem onc", "outpatient hematology oncology"),
    "oncologists_count": ("oncologists count", "number of oncologists", "oncologists",
                          "numero de oncologos", "oncologos"),
    "new_patients_per_year": ("new patients per year", "new patients", "pacientes nuevos",
                              "novos pacientes"),
    "asco_members_count": ("asco members count", "asco members", "active asco members",
                           "miembros de asco", "membros da asco"),
    "ehr_use": ("ehr use", "electronic health record", "electronic health records", "ehr"),
    "name": ("name", "full name", "your name", "contact name", "respondent name", "nombre",
             "nombre completo", "su nombre", "nome", "nome completo", "seu nome", "nom",
             "nom complet", "firstname and surname", "nom post nom"),
    "role": ("role", "position", "job title", "title", "cargo", "puesto", "funcao", "fonction",
             "poste", "rolle", "funktion"),
    "email": ("email", "e mail", "email address", "e mail address", "emailaddress",
              "recipientemail", "correo", "correo electronico", "courriel", "adresse e mail",
              "endereco de email", "e mail adresse", "mail"),
    "phone": ("phone", "telephone", "tel", "phone number", "telefono", "telefone", "mobile",
              "celular", "telefon", "telefonnummer"),
    "preferred_language": ("preferred language", "idioma preferido", "lingua preferida",
                           "idioma de preferencia", "langue preferee"),
    "interest_qopi": ("interest qopi", "interest in qopi", "qopi interest", "qopi"),
    "interest_qcp": ("interest qcp", "interest in qcp", "qcp interest", "qcp"),
    "interest_qtp": ("interest qtp", "interest in qtp", "qtp interest", "qtp"),
    "qtp_formats": ("qtp formats", "qtp format"),
    "licensing": ("licensing", "licensing interest", "licencias", "licenciamento"),
    "reads_english": ("reads english", "can read english", "english reading"),
    "willing_to_sign_agreement": ("willing to sign agreement", "willing to sign",
                                  "participation agreement"),
    "willing_to_pay_qcp_fee": ("willing to pay qcp fee", "willing to pay", "qcp fee"),
    "timeframe": ("timeframe", "time frame", "plazo", "prazo"),
    "comments": ("comments", "comment", "remarks", "notes", "comentarios", "observaciones",
                 "observacoes", "commentaires", "kommentar", "kommentare", "anmerkungen"),
    "permission_to_contact": ("permission to contact", "may we contact you", "contact permission",
                              "permiso de contacto", "permissao de contato"),
    "submitted_at": ("submitted at", "submitted at utc", "submitdate", "date submitted",
                     "submission date", "submissiondate", "submission time", "submission time",
                     "timestamp", "completion time", "recordeddate", "recorded date",
                     "end date", "enddate", "marca temporal", "carimbo de data hora",
                     "date de soumission", "fecha de envio", "data de envio", "submitted",
                     "abgeschickt", "datum abgeschickt"),
    "language": ("language", "response language", "startlanguage", "start language",
                 "userlanguage", "user language", "idioma", "lingua", "langue",
                 "langue de depart", "sprache", "idioma de inicio"),
    "source_id": ("id", "response id", "responseid", "respondent id", "respondentid",
                  "uuid", "submission id", "instanceid", "meta instanceid", "id de la respuesta",
                  "id da resposta", "id de la reponse", "antwort id"),
    "consent": ("consent", "consentimiento", "consentimento", "privacy notice",
                "aviso de privacidad", "aviso de privacidade", "gdpr consent"),
    "consent_at": ("consent date", "consent time", "consented at", "fecha de consentimiento",
                   "data do consentimento"),
}  # fmt: skip
#: Score (0–100) from which a heading is suggested for a target.
SUGGESTION_THRESHOLD = 90
#: Score from which the question part of an option column is taken for a multiple choice.
OPTION_STEM_THRESHOLD = 80
MULTI_TARGETS = tuple(key for key, kind in TARGETS.items() if kind == "multi")


def heading_key(text: str) -> str:
    """A heading compared for suggestions: lower case, accents dropped, words only."""
    return " ".join(plain_words(text.replace("&amp;", "&")))


def heading_variants(heading: str) -> set[str]:
    """The heading and its parts: LimeSurvey's ``code. text``, the rows of a two- or
    three-row heading (``Question / Option``), ODK/Kobo group paths (``group-field``,
    ``group/field``, ``_field``), each normalized."""
    pieces = {heading, heading.replace("_", " ")}
    if ". " in heading:
        code, text = heading.split(". ", 1)
        pieces |= {code, text}
    if " / " in heading:
        pieces |= set(heading.split(" / "))
    compact = heading.strip()
    if " " not in compact:
        for separator in ("-", "/"):
            if separator in compact:
                last = compact.rsplit(separator, 1)[-1]
                pieces |= {last, last.replace("_", " ")}
    return {key for key in (heading_key(p) for p in pieces) if key}


@cache
def _synonyms(key: str) -> tuple[str, ...]:
    """Normalized headings that name ``key``: the key itself, HEADING_SYNONYMS, older
    questionnaires' questions (``crm.data.imports.legacy``), and the titles the screens and
    the import give it in English, Spanish and Portuguese."""
    found = [heading_key(key), *HEADING_SYNONYMS.get(key, ())]
    found += [heading_key(text) for text in OLDER_QUESTIONS.get(key, ())]
    for locale in LOCALES:
        with force_locale(locale):
            for title in (QUESTIONS.get(key), TARGET_TITLES.get(key)):
                if title is not None:
                    found.append(heading_key(str(title)))
    return tuple(dict.fromkeys(k for k in found if k))


def _heading_score(variants: set[str], synonyms: Iterable[str]) -> int:
    best = 0
    for synonym in synonyms:
        words = synonym.split()
        for variant in variants:
            if variant == synonym:
                return 100
            extra = len(variant.split()) - len(words)
            if len(words) > 1 and set(words) <= set(variant.split()) and extra <= 3:
                # "Your email address" names the email; a long question merely mentioning
                # one (too many other words) does not.
                best = max(best, 95 - extra)
            elif len(words) > 1 or len(variant.split()) > 1:
                best = max(best, int(fuzz.ratio(variant, synonym)))
    return best


def suggest_columns(
    columns: Sequence[str], rows: Sequence[Sequence[str]] = (), *, taken: Iterable[int] = ()
) -> dict[str, int]:
    """Answer key → position of the column most likely to hold it (each column used once).

    Our own exports' headings (the answer keys, ``submitted_at (UTC)``) match exactly, so a
    round trip maps itself. Given the ``rows``, a column with values beats an empty one of the
    same heading (SurveyMonkey's blank ``Email Address`` beside ``Contact information /
    Email``); remaining ties go to the leftmost column. Columns in ``taken`` (one column per
    option of a multiple choice: :func:`suggest_options`) are left alone.
    """
    scored = []
    skipped = set(taken)
    for position, heading in enumerate(columns):
        if position in skipped:
            continue
        variants = heading_variants(heading)
        if not variants:
            continue
        empty = bool(rows) and not any(
            position < len(cells) and cells[position].strip() for cells in rows
        )
        for key in TARGETS:
            score = _heading_score(variants, _synonyms(key))
            if score >= SUGGESTION_THRESHOLD:
                scored.append((-score, empty, position, key))
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for _score, _empty, position, key in sorted(scored):
        if key not in mapping and position not in used:
            mapping[key] = position
            used.add(position)
    return mapping


#: Cells of an option column that mean "not chosen" (besides blank).
NOT_CHOSEN = frozenset({"0", "no", "n", "false", "falso", "nao", "non", "nein", "off"})


def _option_splits(heading: str) -> list[tuple[str, str]]:
    """Ways a heading may be ``question`` + ``option``: LimeSurvey's ``Question [Option]``,
    a two-row heading's ``Question / Option``, Kobo's ``question/option`` (an option label
    may itself hold a ``/``: every place is tried)."""
    splits = []
    match = re.fullmatch(r"(.+?)\s*\[([^\[\]]+)\]\s*", heading, re.S)
    if match:
        splits.append((match.group(1), match.group(2)))
    for separator in (" / ", "/"):
        start = 0
        while (at := heading.find(separator, start)) > 0:
            splits.append((heading[:at], heading[at + len(separator) :]))
            start = at + 1
    return [
        (stem.strip(), option.strip()) for stem, option in splits if stem.strip() and option.strip()
    ]


def suggest_options(columns: Sequence[str]) -> dict[str, dict[str, int]]:
    """For the multiple-choice answers asked one column per option (LimeSurvey
    ``q[SQ001]`` with text headings, Kobo ``group/q/option`` 0/1 columns, SurveyMonkey's
    checkbox columns under a two-row heading): answer key → {option code: column position},
    where a column's question part names the answer and its option part one of its options
    (docs/domain.md#imports)."""
    found: dict[str, dict[str, int]] = {}
    for position, heading in enumerate(columns):
        for stem, option in _option_splits(heading):
            match = _option_of(stem, option)
            if match is not None:
                key, code = match
                found.setdefault(key, {}).setdefault(code, position)
                break
    return found


def _option_of(stem: str, option: str) -> tuple[str, str] | None:
    """``(answer key, option code)`` when ``stem`` names a multiple choice and ``option`` one
    of its options."""
    for key in MULTI_TARGETS:
        code = suggest_value(key, option)
        if code is None:
            continue
        variants = heading_variants(stem) | {heading_key(part) for part in stem.split("/")}
        if _heading_score(variants, _synonyms(key)) >= OPTION_STEM_THRESHOLD:
            return key, code
    return None


def option_chosen(cell: str) -> bool:
    """Whether an option column's cell says the option was chosen: anything but blank, 0 or
    a word for no."""
    return bool(cell.strip()) and normalize_key(cell) not in NOT_CHOSEN
