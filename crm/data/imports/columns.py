"""Suggesting which column of a file holds which answer key, from its heading in the languages
of the survey tools' exports.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz

from crm.data.imports.targets import TARGETS

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
}  # fmt: skip
#: Score (0–100) from which a heading is suggested for a target.
SUGGESTION_THRESHOLD = 90


def heading_key(text: str) -> str:
    """A heading compared for suggestions: lower case, accents dropped, words only."""
    decomposed = unicodedata.normalize("NFKD", text.replace("&amp;", "&")).casefold()
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


def heading_variants(heading: str) -> set[str]:
    """The heading and its parts: LimeSurvey's ``code. text``, ``Question / Option``,
    ODK/Kobo group paths (``group-field``, ``_field``), each normalized."""
    pieces = {heading, heading.replace("_", " ")}
    if ". " in heading:
        code, text = heading.split(". ", 1)
        pieces |= {code, text}
    if " / " in heading:
        pieces |= set(heading.split(" / "))
    if "-" in heading and " " not in heading.strip():
        pieces.add(heading.rsplit("-", 1)[-1])
    return {key for key in (heading_key(p) for p in pieces) if key}


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


def suggest_columns(columns: Sequence[str], rows: Sequence[Sequence[str]] = ()) -> dict[str, int]:
    """Answer key → position of the column most likely to hold it (each column used once).

    Our own exports' headings (the answer keys, ``submitted_at (UTC)``) match exactly, so a
    round trip maps itself. Given the ``rows``, a column with values beats an empty one of the
    same heading (SurveyMonkey's blank ``Email Address`` beside ``Contact information /
    Email``); remaining ties go to the leftmost column.
    """
    scored = []
    for position, heading in enumerate(columns):
        variants = heading_variants(heading)
        if not variants:
            continue
        empty = bool(rows) and not any(
            position < len(cells) and cells[position].strip() for cells in rows
        )
        for key in TARGETS:
            synonyms = (heading_key(key), *HEADING_SYNONYMS.get(key, ()))
            score = _heading_score(variants, synonyms)
            if score >= SUGGESTION_THRESHOLD:
                scored.append((-score, empty, position, key))
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for _score, _empty, position, key in sorted(scored):
        if key not in mapping and position not in used:
            mapping[key] = position
            used.add(position)
    return mapping
