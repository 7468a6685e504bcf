"""Practices from survey answers: matching, suggestions, and the current answers
(docs/domain.md#eligible-practices).

A practice carries the answers of its most recent response that is not spam or duplicate;
``refresh_practice`` re-derives them whenever a response is linked, moved or
re-triaged, so readiness counts follow at once.
"""

from __future__ import annotations

import functools

from rapidfuzz import fuzz, process
from sqlalchemy import (
    Connection,
    Select,
    bindparam,
    delete,
    event,
    insert,
    inspect,
    select,
    union_all,
)

from crm.core.extensions import db
from crm.core.folding import compact_key, plain_words
from crm.responses import questionnaire, similarity
from crm.responses.models import (
    COUNTED_TRIAGE,
    Contact,
    Interest,
    Practice,
    PracticeNameKey,
    SurveyResponse,
)

#: Score (0..100) from which a close practice is suggested to staff, once its name reaches
#: ``similarity.NAME_FLOOR``: city, email domain and phone move it (docs/domain.md#suggestions).
SUGGESTION_SCORE = similarity.SUGGESTION_SCORE
#: Most practices read per name key when looking for a suggestion (the most recent ones).
CANDIDATES_PER_KEY = 200
#: Closest names whose city, email domain and phone are then compared.
CANDIDATES_COMPARED = 10
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
    return compact_key(text)[:max_length]


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


def suggest_practice(
    country_code: str,
    name: str,
    city: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> tuple[Practice, float] | None:
    """The practice of the same country most like the one described, when it is alike enough
    to show staff (docs/domain.md#suggestions): its name, once short forms are read as words
    ("Hosp." as "Hospital"), reaches ``similarity.NAME_FLOOR``, and its score, moved by the
    same or a different city, email domain and phone, reaches SUGGESTION_SCORE. Returns
    ``(practice, score 0..100)`` or None.

    Looser than ``find_same_practice`` (abbreviations, typos, words in another order): a
    suggestion staff confirm, never a silent merge (docs/domain.md#eligible-practices).

    Only practices sharing a name key with ``name`` or with a spelling of one of its words are
    scored (:func:`search_keys`), at most CANDIDATES_PER_KEY of the most recent ones per key:
    a submit reads a bounded number of rows however many practices the country has
    (docs/decisions.md#name-keys). A close name that shares only very common words with
    ``name`` can be missed; an exact match never is (``find_same_practice``).
    """
    found = closest_practices(country_code, name, similarity.facts(name, city, [email], [phone]))
    if not found:
        return None
    practice, alike = found[0]
    return practice, alike.score


def closest_practices(
    country_code: str, name: str, facts: similarity.PracticeFacts, exclude: int | None = None
) -> list[tuple[Practice, similarity.Similarity]]:
    """Practices of the country alike enough to suggest for ``facts`` (see
    :func:`suggest_practice`), best first, leaving out the practice ``exclude``."""
    names = {
        pid: " ".join(similarity.canonical_words(pname))
        for pid, pname in _candidates(country_code, name)
        if pid != exclude
    }
    if not names:
        return []
    closest = process.extract(
        " ".join(similarity.canonical_words(name)),
        names,
        scorer=fuzz.WRatio,
        limit=CANDIDATES_COMPARED,
        score_cutoff=similarity.NAME_FLOOR,
    )
    practices = {p.id: p for p in db.session.scalars(
        select(Practice).where(Practice.id.in_([pid for _c, _s, pid in closest]))
    )}  # fmt: skip
    known = practices_facts(list(practices.values()))
    alike = [(practices[pid], similarity.compare(facts, known[pid])) for pid in practices]
    kept = [(p, a) for p, a in alike if similarity.suggests(a)]
    return sorted(kept, key=lambda pair: (-pair[1].score, -pair[1].name_score, pair[0].id))


def practices_facts(practices: list[Practice]) -> dict[int, similarity.PracticeFacts]:
    """Practice id → what is compared of it: name, city, its contacts' email domains and
    phones (one query for all of them)."""
    emails: dict[int, list[str]] = {p.id: [] for p in practices}
    phones: dict[int, list[str | None]] = {p.id: [] for p in practices}
    ids = sorted(emails)
    for start in range(0, len(ids), 500):
        for practice_id, email, phone in db.session.execute(
            select(Contact.practice_id, Contact.email, Contact.phone).where(
                Contact.practice_id.in_(ids[start : start + 500])
            )
        ):
            emails[practice_id].append(email)
            phones[practice_id].append(phone)
    return {p.id: similarity.facts(p.name, p.city, emails[p.id], phones[p.id]) for p in practices}


def answers_facts(answers: dict) -> similarity.PracticeFacts:
    """What is compared of the practice a response describes (its answers)."""
    return similarity.facts(
        answers.get("practice_name") or "",
        answers.get("city"),
        [answers.get("email")],
        [answers.get("phone")],
    )


def search_keys(name: str | None) -> set[str]:
    """The name keys a suggestion looks practices up by: those of ``name``
    (:func:`name_keys`) and of every other spelling of its words ("Hosp." also looks under
    "hospital"; ``similarity.SHORT_FORMS``)."""
    keys = name_keys(name)
    for word in plain_words(name):
        for form in similarity.variants(word):
            if form != word:
                keys |= name_keys(form)
    return keys


def _candidates(country_code: str, name: str) -> list[tuple[int, str]]:
    """``(id, name)`` of the most recent practices of the country under each of
    :func:`search_keys`, in one statement (a statement per key, then one for the names, made
    half of an import's time: docs/decisions.md#import-chunks)."""
    keys = sorted(search_keys(name))
    if not keys:
        return []
    parameters = {"country": country_code, "per_key": CANDIDATES_PER_KEY}
    parameters |= {f"key_{n}": key for n, key in enumerate(keys)}
    rows = db.session.execute(_candidates_statement(len(keys)), parameters)
    return [(pid, pname) for pid, pname, country in rows if country == country_code]


@functools.lru_cache(maxsize=128)
def _candidates_statement(key_count: int) -> Select:
    """The practices (id, name, country) found by a UNION ALL of one index range of
    ``practice_name_keys`` per key, for ``key_count`` keys bound as ``key_0``… and at most
    ``per_key`` rows each; built once per count, as building it cost more than running it
    (every value is bound, none kept in the cache)."""
    per_key = (
        select(PracticeNameKey.practice_id)
        .where(
            PracticeNameKey.country_code == bindparam("country"),
            PracticeNameKey.key == bindparam(f"key_{n}"),
        )
        .order_by(PracticeNameKey.practice_id.desc())
        .limit(bindparam("per_key"))
        .subquery()
        for n in range(key_count)
    )
    found = union_all(*(select(part.c.practice_id) for part in per_key))
    # The country is compared by the caller: in SQL, SQLite read every practice of the
    # country by its index (10 ms for Brazil at 1M responses) instead of the found ids.
    return (
        select(Practice.id, Practice.name, Practice.country_code)
        .where(Practice.id.in_(found))
        .order_by(Practice.id)
    )


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
    return " ".join(plain_words(text))


def new_practice(answers: dict) -> Practice:
    """A practice built from a response's answers (added to the session, not flushed)."""
    practice = Practice(
        name=answers["practice_name"].strip(),
        name_key=normalize_key(answers["practice_name"]),
        country_code=answers["country"],
        city=(answers.get("city") or "").strip() or None,
        city_key=city_key(answers.get("city")) or None,
        interests=[],  # known empty: reading it after the flush would query
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
    candidates = (
        db.session.scalars(
            select(Contact)
            .where(Contact.practice_id == practice.id, Contact.email_key == wanted_email)
            .order_by(Contact.id)
        ).all()
        if practice.id is not None  # a practice not stored yet has no contacts
        else []
    )
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
