"""Data-subject requests (GDPR, LGPD): find, export and erase what is held about an email.

Erasure anonymizes the person, not the practice: contacts and raw answers lose every personal
field, while practices, interests and triage stay, so readiness counts are unchanged (issue 6).
Then a sweep replaces any remaining copy of the email, name or phone in every text or JSON
column of every table (audit trail included), so no table keeps a copy; a name or phone that
another person also bears (a namesake, a shared switchboard) stays in that person's own rows.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    String,
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

from crm import audit
from crm.extensions import db
from crm.intake import file_accepted
from crm.models import AuditEvent, Contact, OutboxMessage, Practice, SurveyResponse
from crm.models._types import utcnow
from crm.practices import write_name_keys

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
        return not (self.contacts or self.responses)


def normalize_email(email: str) -> str:
    """The lower-cased, trimmed form contacts are matched by (``Contact.email_key``)."""
    return email.strip().lower()


def find_subject(email: str) -> SubjectRecords:
    """Contacts with this email and responses that gave it or are filed under those contacts."""
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
    return SubjectRecords(email=key, contacts=contacts, responses=responses)


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


def erase_subject(records: SubjectRecords) -> dict[str, int]:
    """Anonymize the person everywhere; the caller commits. Returns counts of what changed.

    Contacts keep their practice but lose name, email, phone and role, and their permission to
    contact; responses keep every practice answer (so readiness is unchanged) and lose the
    personal ones; email not yet sent to them is dropped. Responses still waiting for the worker
    are filed first, so nothing is filed from anonymized answers. Then every other copy of their
    email, name or phone is replaced (:func:`sweep`), except a shared name or phone in the rows
    of another person who bears it. The erasure itself is audited without personal data.
    """
    waiting = [r for r in records.responses if r.filed_at is None]
    if waiting:
        # Filed first, so that the contact and the confirmation they make are erased too and
        # the worker never files an anonymized response (an "[erased]" contact) afterwards.
        for response in waiting:
            file_accepted(response)
        db.session.flush()
        records = find_subject(records.email)
    found = identifiers(records)
    spared = namesake_rows(records, found)
    for contact in records.contacts:
        contact.name = ERASED
        contact.email = contact.email_key = f"erased-{contact.id}@invalid"
        contact.phone = contact.role = None
        contact.permission_to_contact = False
        contact.permission_changed_at = utcnow()
    for response in records.responses:
        response.answers = {
            k: (ERASED if k in PERSONAL_ANSWERS and v else v) for k, v in response.answers.items()
        } | {"permission_to_contact": False}
        response.permission_to_contact = False
    unsent = db.session.execute(
        delete(OutboxMessage).where(
            func.lower(OutboxMessage.recipient).in_([e.lower() for e in found.emails]),
            OutboxMessage.status != "sent",
        )
    ).rowcount
    db.session.flush()
    swept = sweep(found, spared)
    reindex_erased_practice_names()
    db.session.expire_all()
    counts = {
        "contacts": len(records.contacts),
        "responses": len(records.responses),
        "unsent_emails": unsent,
        "other_rows": swept,
    }
    audit.record("privacy.erase", "data_subject", "-", {"erased": [None, counts]})
    logger.info("data-subject erasure: %s", counts)
    return counts


def reindex_erased_practice_names() -> None:
    """Name keys (``crm.practices.name_keys``) of practices whose name the sweep changed, so no
    word of an erased name stays in the suggestion index (the sweep skips that table)."""
    connection = db.session.connection()
    for practice_id, country_code, name in db.session.execute(
        select(Practice.id, Practice.country_code, Practice.name).where(
            Practice.name.contains(ERASED)
        )
    ):
        write_name_keys(connection, practice_id, country_code, name)


def _variants(values: Iterable[str]) -> set[str]:
    """Each value in the cases people type it, raw and JSON-escaped (JSON columns store
    ``\\uXXXX``). SQLite's ``lower()`` folds ASCII letters only (so does PostgreSQL's under the
    C locale): "ÁNGELA" and "Ángela" only meet through such variants."""
    found = set()
    for value in values:
        for variant in (value, value.lower(), value.upper(), value.title(), value.capitalize()):
            found.update((variant, json.dumps(variant)[1:-1]))
    return found


def _contains_any(column: ColumnElement, values: Iterable[str]) -> ColumnElement[bool]:
    """SQL: the column's text holds one of ``values`` (case-insensitively as far as the
    database folds case; see :func:`_variants`). A superset: callers check in Python."""
    as_text = func.lower(cast(column, Text))
    return or_(
        *(
            # An explicit escape: PostgreSQL's LIKE reads a backslash (as in \\u00c1) as one.
            as_text.contains(func.lower(literal(_like_escaped(v))), escape="\\")
            for v in sorted(_variants(values))
        )
    )


def _like_escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _holds(text: Any, values: Iterable[str]) -> bool:
    text = text if isinstance(text, str) else json.dumps(text, ensure_ascii=False)
    folded = text.casefold()
    return any(value.casefold() in folded for value in values)


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
    # re's IGNORECASE folds Unicode letters too ("ÁNGELA" matches "Ángela").
    return re.sub(re.escape(target), ERASED, text, flags=re.IGNORECASE)


def sweep(found: Identifiers, spared: dict[str, set[tuple]] | None = None) -> int:
    """Replace every copy of the person's identifiers in any text or JSON column of any table
    but staff accounts; returns rows changed. Rows in ``spared`` (:func:`namesake_rows`) keep
    the shared identifiers and lose only the emails. Only rows whose text matches are read,
    so the cost follows the matches."""
    if not found.all:
        return 0
    spared = spared or {}
    changed = 0
    for table in db.metadata.sorted_tables:
        if table.name in NOT_SWEPT:
            continue
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        key = list(table.primary_key.columns)
        if not columns or not key:
            continue
        for column in columns:
            matching = db.session.execute(
                select(*key, column).where(_contains_any(column, found.all))
            ).all()
            for *ids, value in matching:
                targets = (
                    found.all if tuple(ids) not in spared.get(table.name, ()) else found.emails
                )
                scrubbed = _scrub(value, targets)
                if scrubbed != value:
                    where = [k == i for k, i in zip(key, ids, strict=True)]
                    db.session.execute(update(table).where(*where).values({column.name: scrubbed}))
                    changed += 1
    return changed
