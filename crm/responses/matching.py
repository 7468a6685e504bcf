"""Practices from survey answers: matching, suggestions, and the current answers
(docs/domain.md#eligible-practices).

A practice carries the answers of its most recent response that is not spam or duplicate;
``refresh_practice`` re-derives them whenever a response is linked, moved or
re-triaged, so readiness counts follow at once.
"""

from __future__ import annotations

import functools
import unicodedata

from rapidfuzz import fuzz, process
from sqlalchemy import Connection, delete, event, insert, inspect, select

from crm.core.extensions import db
from crm.responses import questionnaire
from crm.responses.models import (
    COUNTED_TRIAGE,
    Contact,
    Interest,
    Practice,
    PracticeNameKey,
    SurveyResponse,
)

#: rapidfuzz WRatio score (0..100) from which a close name is suggested to staff. WRatio
#: weighs whole-string and token similarity: "Hosp. Sirio Libanes" / "Hospital Sírio-Libanês"
#: scores 90, while names sharing only a common prefix ("Centro de Cáncer Aguilar" / "... Díaz",
#: 84) stay below it.
SUGGESTION_SCORE = 88.0
#: Most practices read per name key when looking for a suggestion (the most recent ones).
CANDIDATES_PER_KEY = 200
#: Longest keys their columns hold. NFKD and casefolding can make a key longer than the text
#: typed ("ß" → "ss", "ﷺ" → 18 letters), so every key is cut to its column's length, the same
#: way wherever it is computed or compared.
NAME_KEY_LENGTH: int = Practice.__table__.c.name_key.type.length
CITY_KEY_LENGTH: int = Practice.__table__.c.city_key.type.length
EMAIL_KEY_LENGTH: int = Contact.__table__.c.email_key.type.length


def normalize_key(text: str | None, max_length: int = NAME_KEY_LENGTH) -> str:
    """Text compared for matching: Unicode-normalized, case, accents, punctuation and spacing
    dropped (docs/domain.md#eligible-practices), at most ``max_length`` characters (a practice
    name's key by default; ``city_key`` for cities).
    ``"Clínica São-José, S.A."`` → ``"clinicasaojosesa"``."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = (c for c in decomposed.casefold() if not unicodedata.combining(c) and c.isalnum())
    return "".join(kept)[:max_length]


def city_key(city: str | None) -> str:
    """A city's matching key (``normalize_key`` cut to the ``city_key`` column)."""
    return normalize_key(city, CITY_KEY_LENGTH)


def email_key(email: str | None) -> str:
    """An email's matching key (``Contact.email_key``): trimmed, lower-cased, cut to the column
    (lower-casing can lengthen a non-ASCII address: "İ" becomes two characters)."""
    return (email or "").strip().lower()[:EMAIL_KEY_LENGTH]


def find_same_practice(
    country_code: str, name: str, city: str | None, email: str | None
) -> Practice | None:
    """The practice a response belongs to automatically (docs/domain.md#eligible-practices),
    or None.

    In the same country: equal normalized name (and city, where both give one), or a contact
    with the same email (case-insensitive) at a practice there.
    """
    name_key, wanted_city = normalize_key(name), city_key(city)
    candidates = db.session.scalars(
        select(Practice)
        .where(Practice.country_code == country_code, Practice.name_key == name_key)
        .order_by(Practice.id)
    ).all()
    for practice in candidates:
        if not (wanted_city and practice.city_key) or practice.city_key == wanted_city:
            return practice
    if email:
        # Same country here too: one person may advise practices in several countries.
        return db.session.scalar(
            select(Practice)
            .join(Contact, Contact.practice_id == Practice.id)
            .where(Practice.country_code == country_code, Contact.email_key == email_key(email))
            .order_by(Practice.id)
            .limit(1)
        )
    return None


def suggest_practice(country_code: str, name: str) -> tuple[Practice, float] | None:
    """The closest-named practice in the same country when its score reaches SUGGESTION_SCORE.

    Looser than ``find_same_practice`` (abbreviations, typos): a suggestion staff confirm,
    never a silent merge (docs/domain.md#eligible-practices). Returns
    ``(practice, score 0..100)`` or None.

    Only practices sharing a name key with ``name`` are scored (``name_keys``: a word, or the
    first or last four letters of one, so a typo in one place still meets), at most
    CANDIDATES_PER_KEY of the most recent ones per key: a submit reads a bounded number of
    rows however many practices the country has (docs/decisions.md#name-keys). A close name
    that shares only very common words with ``name`` can be missed; an exact match never is
    (``find_same_practice``).
    """
    keys = sorted(name_keys(name))
    if not keys:
        return None
    candidate_ids: set[int] = set()
    for key in keys:
        candidate_ids.update(
            db.session.scalars(
                select(PracticeNameKey.practice_id)
                .where(PracticeNameKey.country_code == country_code, PracticeNameKey.key == key)
                .order_by(PracticeNameKey.practice_id.desc())
                .limit(CANDIDATES_PER_KEY)
            )
        )
    if not candidate_ids:
        return None
    rows = db.session.execute(
        select(Practice.id, Practice.name)
        .where(Practice.id.in_(sorted(candidate_ids)), Practice.country_code == country_code)
        .order_by(Practice.id)
    ).all()
    names = {pid: normalize_name_for_fuzz(pname) for pid, pname in rows}
    best = process.extractOne(
        normalize_name_for_fuzz(name),
        names,
        scorer=fuzz.WRatio,
        score_cutoff=SUGGESTION_SCORE,
    )
    if best is None:
        return None
    _choice, score, practice_id = best
    return db.session.get(Practice, practice_id), float(score)


def name_keys(name: str | None) -> set[str]:
    """The keys under which a practice name is found for suggestions: each word of three or
    more letters (``w:``), and for words of four or more their first and last four letters
    (``p:``, ``s:``). ``"Clínica São José"`` → ``{"w:clinica", "p:clin", "s:nica", "w:sao",
    "w:jose", "p:jose", "s:jose"}``."""
    keys: set[str] = set()
    for word in normalize_name_for_fuzz(name or "").split():
        if len(word) < 3:
            continue
        keys.add("w:" + word[:60])
        if len(word) >= 4:
            keys.update(("p:" + word[:4], "s:" + word[-4:]))
    return keys


def write_name_keys(connection: Connection, practice_id: int, country_code: str, name: str) -> None:
    """Replace a practice's rows in ``practice_name_keys`` (inside the caller's transaction)."""
    table = PracticeNameKey.__table__
    connection.execute(delete(table).where(table.c.practice_id == practice_id))
    rows = [
        {"practice_id": practice_id, "key": key, "country_code": country_code}
        for key in sorted(name_keys(name))
    ]
    if rows:
        connection.execute(insert(table), rows)


@event.listens_for(Practice, "after_insert")
def _index_new_practice(_mapper, connection: Connection, practice: Practice) -> None:
    write_name_keys(connection, practice.id, practice.country_code, practice.name)


@event.listens_for(Practice, "after_update")
def _index_renamed_practice(_mapper, connection: Connection, practice: Practice) -> None:
    state = inspect(practice)
    if any(state.attrs[a].history.has_changes() for a in ("name", "country_code")):
        write_name_keys(connection, practice.id, practice.country_code, practice.name)


@functools.lru_cache(maxsize=65536)
def normalize_name_for_fuzz(text: str) -> str:
    """Words of a name, accents and punctuation dropped, for fuzzy comparison. Kept per process
    for recent names: a suggestion scores the same most recent practices again and again."""
    decomposed = unicodedata.normalize("NFKD", text or "").casefold()
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


def new_practice(answers: dict) -> Practice:
    """A practice built from a response's answers (added to the session, not flushed)."""
    practice = Practice(
        name=answers["practice_name"].strip(),
        name_key=normalize_key(answers["practice_name"]),
        country_code=answers["country"],
        city=(answers.get("city") or "").strip() or None,
        city_key=city_key(answers.get("city")) or None,
    )
    db.session.add(practice)
    return practice


def latest_counted_response(practice_id: int) -> SurveyResponse | None:
    """The practice's most recent response that is neither spam nor duplicate."""
    return db.session.scalar(
        select(SurveyResponse)
        .where(
            SurveyResponse.practice_id == practice_id,
            SurveyResponse.triage_status.in_(COUNTED_TRIAGE),
        )
        .order_by(SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc())
        .limit(1)
    )


def refresh_practice(practice: Practice) -> None:
    """Re-derive the practice's answers and interests from its latest counted response.

    With no counted response left, its interests are removed, so it counts nowhere.
    """
    db.session.flush()
    response = latest_counted_response(practice.id)
    if response is None:
        practice.answers_from = None
        practice.interests.clear()
        return
    apply_answers(practice, response)


def apply_answers(practice: Practice, response: SurveyResponse) -> None:
    """Copy a response's answers onto the practice and set one Interest per program."""
    answers = response.answers
    practice.practice_type = answers.get("practice_type")
    practice.outpatient_hem_onc = questionnaire.yes_no(answers.get("outpatient_hem_onc"))
    practice.oncologists_count = answers.get("oncologists_count")
    practice.new_patients_per_year = answers.get("new_patients_per_year")
    practice.asco_members_count = answers.get("asco_members_count")
    practice.ehr_use = answers.get("ehr_use")
    practice.reads_english = questionnaire.yes_no(answers.get("reads_english"))
    practice.willing_to_sign_agreement = questionnaire.yes_no(
        answers.get("willing_to_sign_agreement")
    )
    practice.answers_from = response.submitted_at
    current = {i.program_code: i for i in practice.interests}
    for program, key in questionnaire.INTEREST_KEYS.items():
        level = answers.get(key)
        if level is None:
            if program in current:
                practice.interests.remove(current[program])
            continue
        interest = current.get(program) or Interest(program_code=program)
        if program not in current:
            practice.interests.append(interest)
        interest.level = level
        interest.timeframe = answers.get("timeframe")
        interest.response_id = response.id
        interest.willing_to_pay_fee = (
            questionnaire.yes_no(answers.get("willing_to_pay_qcp_fee"))
            if program == "QCP"
            else None
        )
        interest.details = (
            {"formats": answers.get("qtp_formats", []), "licensing": answers.get("licensing", [])}
            if program == "QTP"
            else {}
        )


def upsert_contact(practice: Practice, answers: dict, language: str) -> Contact | None:
    """The practice's contact with the response's email, created or updated from the answers.

    Legacy imports may lack an email: the contact is then the practice's email-less contact of
    the same name (case-insensitive). With neither email nor name there is no contact: None.
    """
    email = (answers.get("email") or "").strip()
    name = (answers.get("name") or "").strip()
    if not email and not name:
        return None
    wanted_email = email_key(email)
    candidates = db.session.scalars(
        select(Contact)
        .where(Contact.practice_id == practice.id, Contact.email_key == wanted_email)
        .order_by(Contact.id)
    ).all()
    contact = next(
        (c for c in candidates if wanted_email or c.name.casefold() == name.casefold()), None
    )
    if contact is None:
        contact = Contact(practice=practice, email_key=wanted_email)
        db.session.add(contact)
    contact.name = name
    contact.email = email
    contact.role = (answers.get("role") or "").strip() or None
    contact.phone = (answers.get("phone") or "").strip() or None
    contact.preferred_language = answers.get("preferred_language") or language
    return contact
