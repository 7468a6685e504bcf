"""Data-subject requests (GDPR, LGPD): find, export and erase what is held about an email.

Erasure anonymizes the person, not the practice: contacts and raw answers lose every personal
field, while practices, interests and triage stay, so readiness counts are unchanged (issue 6).
Then a sweep replaces any remaining copy of the email, name or phone in every text or JSON
column of every table (audit trail included), so no table keeps a copy; a name or phone that
another person also bears (a namesake, a shared switchboard) stays in that person's own rows.
The sweep matches a copy whatever its case or accents ("Angela Nunez" typed in a note for
"Ángela Núñez"), only as a whole word or address ("Ana Li" leaves "Banana Lime" alone, and
"ana@x.example" leaves "joana@x.example"), and the matching keys of every practice whose name
or city it changed are computed again, so no key keeps the name in its folded form
("angelanunez").
"""

from __future__ import annotations

import functools
import json
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    Integer,
    String,
    Table,
    Text,
    cast,
    delete,
    false,
    func,
    literal,
    or_,
    select,
    update,
)

from crm.audit import operations as audit
from crm.audit.models import AuditEvent
from crm.core.columns import utcnow
from crm.core.database import reading_transaction
from crm.core.extensions import db
from crm.outreach.models import Invitation, OutboxMessage
from crm.outreach.queries import invitation_status
from crm.responses.intake import file_accepted
from crm.responses.matching import city_key, email_key, normalize_key, write_name_keys
from crm.responses.models import Contact, Practice, SurveyResponse

logger = logging.getLogger(__name__)

ERASED = "[erased]"
#: Answer keys that identify a person; everything else describes the practice.
PERSONAL_ANSWERS = ("name", "email", "phone", "role", "comments")
#: Staff accounts are not data subjects of the survey: a colleague's login must survive.
NOT_SWEPT = frozenset(
    {"staff_users", "roles", "api_tokens", "practice_name_keys", "interest_tally_entries"}
)


@dataclass
class SubjectRecords:
    """Everything held about one email address."""

    email: str
    contacts: list[Contact] = field(default_factory=list)
    responses: list[SurveyResponse] = field(default_factory=list)
    #: Email sent or waiting to be sent to the address, oldest first.
    emails: list[OutboxMessage] = field(default_factory=list)
    #: Invitations of the person's contacts, with their status (``crm.invitations``).
    invitations: list[tuple[Invitation, str]] = field(default_factory=list)

    @property
    def practices(self) -> list[Practice]:
        """Practices the person is a contact of, each once."""
        seen: dict[int, Practice] = {}
        for contact in self.contacts:
            if contact.practice is not None:
                seen.setdefault(contact.practice.id, contact.practice)
        return list(seen.values())

    @property
    def is_empty(self) -> bool:
        return not (self.contacts or self.responses or self.emails or self.invitations)

    @property
    def count(self) -> int:
        """Rows held about the person: contacts, responses, emails and invitations."""
        return len(self.contacts) + len(self.responses) + len(self.emails) + len(self.invitations)


def normalize_email(email: str) -> str:
    """The lower-cased, trimmed form contacts are matched by (``Contact.email_key``)."""
    return email_key(email)


def find_subject(email: str) -> SubjectRecords:
    """Contacts with this email, responses that gave it or are filed under those contacts,
    email addressed to it, and the invitations of those contacts."""
    key = normalize_email(email)
    contacts = list(db.session.scalars(select(Contact).where(Contact.email_key == key)))
    contact_ids = [c.id for c in contacts]
    answered_email = func.lower(SurveyResponse.answers["email"].as_string())
    conditions = [answered_email == key]
    if contact_ids:
        conditions.append(SurveyResponse.contact_id.in_(contact_ids))
    responses = list(
        db.session.scalars(
            select(SurveyResponse).where(or_(*conditions)).order_by(SurveyResponse.submitted_at)
        )
    )
    emails = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(func.lower(OutboxMessage.recipient) == key)
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
    )
    invitations = []
    if contact_ids:
        invitations = [
            (invitation, status)
            for invitation, status in db.session.execute(
                select(Invitation, invitation_status())
                .join(Contact, Contact.id == Invitation.contact_id)
                .outerjoin(OutboxMessage, OutboxMessage.id == Invitation.outbox_message_id)
                .where(Invitation.contact_id.in_(contact_ids))
                .order_by(Invitation.created_at, Invitation.id)
            )
        ]
    return SubjectRecords(
        email=key,
        contacts=contacts,
        responses=responses,
        emails=emails,
        invitations=invitations,
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_subject(records: SubjectRecords) -> dict[str, Any]:
    """A JSON-serialisable copy of everything held about the person (right of access)."""
    return {
        "email": records.email,
        "exported_at": utcnow().isoformat(),
        "contacts": [
            {
                "name": c.name,
                "email": c.email,
                "role": c.role,
                "phone": c.phone,
                "preferred_language": c.preferred_language,
                "permission_to_contact": c.permission_to_contact,
                "permission_changed_at": _iso(c.permission_changed_at),
                "practice": c.practice.name if c.practice else None,
                "created_at": _iso(c.created_at),
            }
            for c in records.contacts
        ],
        "survey_responses": [
            {
                "submitted_at": _iso(r.submitted_at),
                "language": r.language,
                "questionnaire_version": r.questionnaire_version,
                "privacy_notice_version": r.privacy_notice_version,
                "consent_at": _iso(r.consent_at),
                "answers": r.answers,
            }
            for r in records.responses
        ],
        "practices": [
            {"name": p.name, "country": p.country_code, "city": p.city} for p in records.practices
        ],
        "emails": [
            {
                "kind": m.kind,
                "recipient": m.recipient,
                "recipient_name": m.recipient_name,
                "language": m.language,
                "subject": m.subject,
                "status": m.status,
                "attempts": m.attempts,
                "created_at": _iso(m.created_at),
                "sent_at": _iso(m.sent_at),
                "text_body": m.text_body,
            }
            for m in records.emails
        ],
        "invitations": [
            {
                "practice": i.contact.practice.name if i.contact.practice else None,
                "language": i.language,
                "status": status,
                "created_at": _iso(i.created_at),
                "expires_at": _iso(i.expires_at),
                "reminded_at": _iso(i.reminded_at),
                "responded_at": _iso(i.responded_at),
                "unsubscribed_at": _iso(i.unsubscribed_at),
            }
            for i, status in records.invitations
        ],
    }


@dataclass(frozen=True)
class Identifiers:
    """What identifies the person: ``emails`` are theirs alone (the request is about them);
    ``shared`` (names, phones) may also belong to someone else: a namesake, or a colleague
    calling from the same switchboard."""

    emails: frozenset[str]
    shared: frozenset[str]

    @property
    def all(self) -> frozenset[str]:
        return self.emails | self.shared


def identifiers(records: SubjectRecords) -> Identifiers:
    """The person's emails, names and phones, as given in their contacts and responses."""
    emails, shared = {records.email}, set()
    for contact in records.contacts:
        emails.add(contact.email)
        shared.update((contact.name, contact.phone))
    for response in records.responses:
        emails.add(response.answers.get("email"))
        shared.update((response.answers.get("name"), response.answers.get("phone")))

    def usable(values: set) -> frozenset[str]:
        # Very short strings (an initial) would erase unrelated text.
        return frozenset(v.strip() for v in values if isinstance(v, str) and len(v.strip()) >= 3)

    return Identifiers(emails=usable(emails), shared=usable(shared) - usable(emails))


def plan_erasure(email: str) -> SweepPlan | None:
    """The sweep's scan for the person behind ``email`` (:func:`plan_sweep`), read in a
    transaction of its own that is ended here, so no write lock is held while it reads (SQLite;
    ``crm.database.reading_transaction``); None when nothing is held about them. Pass the
    result to :func:`erase_subject`."""
    db.session.commit()  # a POST's transaction began IMMEDIATE: end it before reading
    with reading_transaction():
        try:
            records = find_subject(email)
            return None if records.is_empty else plan_sweep(identifiers(records))
        finally:
            db.session.rollback()


def erase_subject(records: SubjectRecords, plan: SweepPlan | None = None) -> dict[str, int]:
    """Anonymize the person everywhere; the caller commits. Returns counts of what changed.

    Contacts keep their practice but lose name, email, phone and role, and their permission to
    contact; responses keep every practice answer (so readiness is unchanged) and lose the
    personal ones; email not yet sent to them is dropped, email sent to them, or being sent by a
    worker at that moment, keeps no address or name (:func:`sweep`), and their invitation
    links stop working. Responses still waiting
    for the worker are filed first, so nothing is filed from anonymized answers. Then every
    other copy of their email, name or phone is replaced (:func:`sweep`), except a shared name
    or phone in the rows of another person who bears it. The erasure itself is audited without
    personal data. ``plan`` (:func:`plan_erasure`) is the sweep's scan read beforehand without
    a write lock; without one, or when the person's identifiers changed since, it is read here.
    """
    records = file_waiting(records)
    found = identifiers(records)
    spared = namesake_rows(records, found)
    if plan is None or plan.found != found:  # none read beforehand, or the person changed
        plan = plan_sweep(found)
    now = utcnow()
    for contact in records.contacts:
        contact.name = ERASED
        contact.email = contact.email_key = f"erased-{contact.id}@invalid"
        contact.phone = contact.role = None
        contact.permission_to_contact = False
        contact.permission_changed_at = now
    for response in records.responses:
        response.answers = {
            k: (ERASED if k in PERSONAL_ANSWERS and v else v) for k, v in response.answers.items()
        } | {"permission_to_contact": False}
        response.permission_to_contact = False
    for invitation, _status in records.invitations:
        if invitation.responded_at is None and invitation.expires_at > now:
            invitation.expires_at = now
    addressed = func.lower(OutboxMessage.recipient).in_([e.lower() for e in found.emails])
    # A row a worker is sending right now is not deleted under it (as retention leaves it):
    # the sweep anonymizes it like sent email, and should its claim lapse, the worker refuses
    # "[erased]" as an address.
    unsent = db.session.execute(
        delete(OutboxMessage).where(addressed, OutboxMessage.status.not_in(("sent", "sending")))
    ).rowcount
    sent = db.session.scalar(select(func.count()).where(addressed, OutboxMessage.status == "sent"))
    sending = db.session.scalar(
        select(func.count()).where(addressed, OutboxMessage.status == "sending")
    )
    db.session.flush()
    swept = sweep(found, spared, plan)
    reindex_erased_practice_names()
    db.session.expire_all()
    counts = {
        "contacts": len(records.contacts),
        "responses": len(records.responses),
        "invitations": len(records.invitations),
        "unsent_emails": unsent,
        "sent_emails": sent,
        # Being sent by a worker during the erasure: anonymized, not deleted.
        "sending_emails": sending,
        "other_rows": swept,
    }
    audit.record("privacy.erase", "data_subject", "-", {"erased": [None, counts]})
    logger.info("data-subject erasure: %s", counts)
    return counts


def file_waiting(records: SubjectRecords) -> SubjectRecords:
    """File the person's responses still waiting for the worker, then find the person again
    (filing makes their contact and confirmation email).

    Each is locked first (``SELECT … FOR UPDATE`` on PostgreSQL) and filed only if still
    waiting: a worker filing it at this moment is waited for (its contact is then found and
    erased), and a worker arriving later skips it (``crm.intake.file_pending``: ``SKIP
    LOCKED``, then ``filed_at`` set), so a response is never filed twice, nor after erasure
    from anonymized answers.
    """
    waiting = sorted(r.id for r in records.responses if r.filed_at is None)
    if not waiting:
        return records
    for response_id in waiting:
        response = db.session.scalar(
            select(SurveyResponse)
            .where(SurveyResponse.id == response_id, SurveyResponse.filed_at.is_(None))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if response is not None:
            file_accepted(response)
    db.session.flush()
    # What was read before the locks may be stale: a worker may have filed meanwhile.
    db.session.expire_all()
    return find_subject(records.email)


def reindex_erased_practice_names() -> None:
    """Matching keys of practices whose name or city the sweep changed: ``name_key`` and
    ``city_key`` (``crm.practices.normalize_key``) computed again, and the suggestion index
    (``crm.practices.name_keys``; the sweep skips that table), so no key keeps a word of an
    erased name, in any form ("angelanunez")."""
    connection = db.session.connection()
    erased = or_(Practice.name.contains(ERASED), Practice.city.contains(ERASED))
    for practice_id, country_code, name, city in db.session.execute(
        select(Practice.id, Practice.country_code, Practice.name, Practice.city).where(erased)
    ):
        db.session.execute(
            update(Practice)
            .where(Practice.id == practice_id)
            .values(name_key=normalize_key(name), city_key=city_key(city) or None)
        )
        write_name_keys(connection, practice_id, country_code, name)


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


def _skeleton(value: str) -> Skeleton | None:
    """The :class:`Skeleton` of a name; None for an email or a phone (matched exactly, in any
    case: :func:`_variants`)."""
    if not _is_name(value):
        return None
    words = fold(value).lower().split()
    pattern = "%" + "_".join(_like_escaped(word) for word in words) + "%"
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
    # Escapes first: "\u00e1" must not have its letters rewritten before it is read whole.
    ordered = sorted(replacements.items(), key=lambda item: (item[0].isascii() is False, item))
    return Skeleton(pattern=pattern, replacements=tuple(ordered))


def _contains_any(column: ColumnElement, values: Iterable[str]) -> ColumnElement[bool]:
    """SQL: the column's text may hold one of ``values``: a name in any case and with or
    without accents (:func:`_skeleton`), an email or phone as given, in any case
    (:func:`_variants`). A superset (no word boundaries in SQL): callers check in Python
    (:func:`_holds`)."""
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


def _holds(text: Any, values: Iterable[str]) -> bool:
    text = text if isinstance(text, str) else json.dumps(text, ensure_ascii=False)
    decomposed = unicodedata.normalize("NFD", text)
    return any(_pattern(value).search(decomposed) for value in values)


def namesake_rows(records: SubjectRecords, found: Identifiers) -> dict[str, set[tuple]]:
    """Rows of other people who bear one of the person's shared identifiers (name or phone),
    by table name → primary-key tuples: their contacts, their responses, the audit events about
    those, and email addressed to them. The sweep leaves the shared values in these rows."""
    if not found.shared:
        return {}
    own_contacts = [c.id for c in records.contacts] or [0]
    own_responses = [r.id for r in records.responses] or [0]
    contacts = {
        contact_id
        for contact_id, name, phone in db.session.execute(
            select(Contact.id, Contact.name, Contact.phone).where(
                Contact.id.not_in(own_contacts),
                or_(
                    _contains_any(Contact.name, found.shared),
                    _contains_any(Contact.phone, found.shared),
                ),
            )
        )
        if _holds(name or "", found.shared) or _holds(phone or "", found.shared)
    }
    responses = {
        response_id
        for response_id, answers in db.session.execute(
            select(SurveyResponse.id, SurveyResponse.answers).where(
                SurveyResponse.id.not_in(own_responses),
                _contains_any(SurveyResponse.answers, found.shared),
            )
        )
        if any(_holds(answers.get(k) or "", found.shared) for k in ("name", "phone"))
    }
    own_emails = [e.lower() for e in found.emails]
    messages = {
        message_id
        for message_id, name in db.session.execute(
            select(OutboxMessage.id, OutboxMessage.recipient_name).where(
                func.lower(OutboxMessage.recipient).not_in(own_emails),
                _contains_any(OutboxMessage.recipient_name, found.shared),
            )
        )
        if _holds(name or "", found.shared)
    }
    about = [("contact", contacts), ("survey_response", responses)]
    events = set(
        db.session.scalars(
            select(AuditEvent.id).where(
                or_(
                    *(
                        (AuditEvent.entity_type == kind) & AuditEvent.entity_id.in_(map(str, ids))
                        for kind, ids in about
                        if ids
                    ),
                    false(),
                )
            )
        )
    )
    return {
        Contact.__tablename__: {(i,) for i in contacts},
        SurveyResponse.__tablename__: {(i,) for i in responses},
        OutboxMessage.__tablename__: {(i,) for i in messages},
        AuditEvent.__tablename__: {(i,) for i in events},
    }


def _scrub(value: Any, values: Iterable[str]) -> Any:
    if isinstance(value, str):
        for target in sorted(values, key=len, reverse=True):
            value = _replace_ci(value, target)
        return value
    if isinstance(value, list):
        return [_scrub(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, values) for k, v in value.items()}
    return value


def _replace_ci(text: str, target: str) -> str:
    text = _exact(target).sub(ERASED, text)
    decomposed = unicodedata.normalize("NFD", text)
    replaced = _pattern(target).sub(ERASED, decomposed)
    # Text with no other copy is returned as it was (not recomposed: never a needless write).
    return unicodedata.normalize("NFC", replaced) if replaced != decomposed else text


@dataclass(frozen=True)
class SweepPlan:
    """Rows that may hold a copy of the person's identifiers, found before the erasure writes:
    ``matches`` as (table, column, primary-key tuple), and per table with an integer id the
    highest id seen then (``newest``), so rows added while the erasure runs are swept too."""

    found: Identifiers
    matches: list[tuple[Table, Column, tuple]]
    newest: dict[str, int]


def _sweepable(table: Table, found: Identifiers) -> tuple[list[Column], list[Column]]:
    """A table's columns that could hold one of ``found``'s values (text or JSON and, when the
    type has a length, no shorter than the shortest value), and its primary key."""
    if table.name in NOT_SWEPT:
        return [], []
    shortest = min(len(v) for v in found.all)
    columns = [
        c
        for c in table.columns
        if isinstance(c.type, String | Text | JSON)
        and (getattr(c.type, "length", None) or shortest) >= shortest
    ]
    return columns, list(table.primary_key.columns)


def plan_sweep(found: Identifiers) -> SweepPlan:
    """Read which rows of any table but staff accounts may hold the person's identifiers.

    Only reads, so it can run in a transaction of its own that holds no write lock
    (``crm.database.reading_transaction``): at a million responses the scan takes seconds, and
    survey submits go on meanwhile. One query per table reads each table once. See
    :func:`plan_erasure`."""
    matches: list[tuple[Table, Column, tuple]] = []
    newest: dict[str, int] = {}
    if not found.all:
        return SweepPlan(found, matches, newest)
    for table in db.metadata.sorted_tables:
        columns, key = _sweepable(table, found)
        if not columns or not key:
            continue
        if len(key) == 1 and isinstance(key[0].type, Integer):
            newest[table.name] = db.session.scalar(select(func.max(key[0]))) or 0
        conditions = {c.name: _contains_any(c, found.all) for c in columns}
        labelled = [condition.label(f"m_{name}") for name, condition in conditions.items()]
        statement = select(*key, *labelled).where(or_(*conditions.values()))
        for row in db.session.execute(statement):
            ids = tuple(row[: len(key)])
            flags = row[len(key) :]
            matches.extend((table, c, ids) for c, hit in zip(columns, flags, strict=True) if hit)
    return SweepPlan(found, matches, newest)


def _added_since(plan: SweepPlan, found: Identifiers) -> list[tuple[Table, Column, tuple]]:
    """Rows added after ``plan`` was read that may hold the identifiers (read by id: cheap)."""
    added = []
    for table in db.metadata.sorted_tables:
        if table.name not in plan.newest:
            continue
        columns, key = _sweepable(table, found)
        rows = db.session.execute(
            select(*key).where(
                key[0] > plan.newest[table.name],
                or_(*(_contains_any(c, found.all) for c in columns)),
            )
        ).all()
        added.extend((table, c, tuple(ids)) for ids in rows for c in columns)
    return added


def sweep(
    found: Identifiers, spared: dict[str, set[tuple]] | None = None, plan: SweepPlan | None = None
) -> int:
    """Replace every copy of the person's identifiers in any text or JSON column of any table
    but staff accounts; returns rows changed. Rows in ``spared`` (:func:`namesake_rows`) keep
    the shared identifiers and lose only the emails. ``plan`` (:func:`plan_sweep`, read before
    the caller's first write) names the rows to look at, and rows added since are read by id;
    without one the scan happens here. Each named row is read again, so the cost follows the
    matches."""
    if not found.all:
        return 0
    plan = plan or plan_sweep(found)
    spared = spared or {}
    changed = 0
    for table, column, ids in [*plan.matches, *_added_since(plan, found)]:
        key = list(table.primary_key.columns)
        where = [k == i for k, i in zip(key, ids, strict=True)]
        value = db.session.scalar(select(column).where(*where))
        if value is None:
            continue
        names = found.all if ids not in spared.get(table.name, ()) else found.emails
        scrubbed = _scrub(value, names)
        if scrubbed != value:
            db.session.execute(update(table).where(*where).values({column.name: scrubbed}))
            changed += 1
    return changed
