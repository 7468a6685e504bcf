"""Data-subject requests (GDPR, LGPD): find, export and erase what is held about an email.

Erasure anonymizes the person, not the practice: contacts and raw answers lose every personal
field, while practices, interests and triage stay, so readiness counts are unchanged (issue 6).
Then a sweep replaces any remaining copy of the email, name or phone in every text or JSON
column of every table (audit trail included), so no table keeps a copy.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text, cast, func, or_, select, update

from crm import audit
from crm.extensions import db
from crm.models import Contact, Practice, SurveyResponse
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


def identifiers(records: SubjectRecords) -> set[str]:
    """The strings that identify the person: the email, names and phones given anywhere."""
    found = {records.email}
    for contact in records.contacts:
        found.update(v for v in (contact.email, contact.name, contact.phone) if v)
    for response in records.responses:
        found.update(
            str(response.answers[k]) for k in ("email", "name", "phone") if response.answers.get(k)
        )
    # Very short strings (an initial) would erase unrelated text.
    return {value.strip() for value in found if len(value.strip()) >= 3}


def erase_subject(records: SubjectRecords) -> dict[str, int]:
    """Anonymize the person everywhere; the caller commits. Returns counts of what changed.

    Contacts keep their practice but lose name, email, phone and role, and their permission
    to contact; responses keep every practice answer (so readiness is unchanged) and lose the
    personal ones. The erasure itself is audited without personal data.
    """
    values = identifiers(records)
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
    db.session.flush()
    swept = sweep(values)
    reindex_erased_practice_names()
    db.session.expire_all()
    counts = {
        "contacts": len(records.contacts),
        "responses": len(records.responses),
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


def _patterns(values: set[str]) -> list[str]:
    """LIKE patterns for each value, raw and as JSON-escaped text (SQLite stores \\uXXXX)."""
    patterns = set()
    for value in values:
        lowered = value.lower()
        patterns.add(lowered)
        patterns.add(json.dumps(lowered)[1:-1])
    return sorted(patterns)


def _scrub(value: Any, values: set[str]) -> Any:
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
    lowered, needle = text.lower(), target.lower()
    start = lowered.find(needle)
    while start != -1:
        text = text[:start] + ERASED + text[start + len(target) :]
        lowered = text.lower()
        start = lowered.find(needle, start + len(ERASED))
    return text


def sweep(values: set[str]) -> int:
    """Replace every copy of ``values`` in any text or JSON column of any table; returns rows
    changed. Only rows whose text matches are read, so the cost follows the matches."""
    if not values:
        return 0
    changed = 0
    patterns = _patterns(values)
    for table in db.metadata.sorted_tables:
        if table.name in NOT_SWEPT:
            continue
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        key = list(table.primary_key.columns)
        if not columns or not key:
            continue
        for column in columns:
            as_text = func.lower(cast(column, Text))
            matching = db.session.execute(
                select(*key, column).where(or_(*(as_text.contains(p) for p in patterns)))
            ).all()
            for *ids, value in matching:
                scrubbed = _scrub(value, values)
                if scrubbed != value:
                    where = [k == i for k, i in zip(key, ids, strict=True)]
                    db.session.execute(update(table).where(*where).values({column.name: scrubbed}))
                    changed += 1
    return changed
