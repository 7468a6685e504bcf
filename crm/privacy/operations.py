"""Data-subject requests (GDPR, LGPD): find, export and erase what is held about an email.

Erasure anonymizes the person, not the practice: contacts and raw answers lose every personal
field, while practices, interests and triage stay, so readiness counts are unchanged. Then a
sweep (:mod:`crm.privacy.erasure`, ``docs/decisions.md#erasure-scan``) replaces any remaining
copy of the email, name or phone in every text or JSON column of every table (audit trail
included), so no table keeps a copy; a name or phone that another person also bears (a
namesake, a shared switchboard) stays in that person's own rows. The sweep matches a copy
whatever its case or accents ("Angela Nunez" typed in a note for "Ángela Núñez"), only as a
whole word or address ("Ana Li" leaves "Banana Lime" alone, and "ana@x.example" leaves
"joana@x.example"), and the matching keys of every practice whose name or city it changed are
computed again, so no key keeps the name in its folded form ("angelanunez").
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from crm.audit import operations as audit
from crm.core.columns import utcnow
from crm.core.database import reading_transaction
from crm.core.extensions import db
from crm.drafts.models import SurveyDraft
from crm.drafts.operations import discard_drafts
from crm.outreach.models import Invitation, OutboxMessage
from crm.privacy.copies import ERASED
from crm.privacy.erasure import (
    Identifiers,
    SweepPlan,
    identifiers,
    namesake_rows,
    plan_sweep,
    sweep,
)
from crm.privacy.queries import SubjectRecords, find_subject
from crm.responses.intake import file_accepted
from crm.responses.matching import city_key, normalize_key, write_name_keys
from crm.responses.models import Contact, Practice, SurveyResponse

logger = logging.getLogger(__name__)

#: Answer keys that identify a person; everything else describes the practice.
PERSONAL_ANSWERS = ("name", "email", "phone", "role", "comments")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_subject(records: SubjectRecords) -> dict[str, Any]:
    """A JSON-serialisable copy of everything held about the person (right of access):
    ``email``, ``exported_at`` (ISO 8601, UTC) and lists of ``contacts``,
    ``survey_responses``, ``practices``, ``emails``, ``invitations`` and ``saved_drafts``
    (answers saved to finish the survey later, ``docs/domain.md#drafts``)."""
    return {
        "email": records.email,
        "exported_at": utcnow().isoformat(),
        "contacts": [_contact_export(c) for c in records.contacts],
        "survey_responses": [_response_export(r) for r in records.responses],
        "practices": [
            {"name": p.name, "country": p.country_code, "city": p.city} for p in records.practices
        ],
        "emails": [_email_export(m) for m in records.emails],
        "invitations": [_invitation_export(i, status) for i, status in records.invitations],
        "saved_drafts": [_draft_export(d) for d in records.drafts],
    }


def _contact_export(c: Contact) -> dict[str, Any]:
    return {
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


def _response_export(r: SurveyResponse) -> dict[str, Any]:
    return {
        "submitted_at": _iso(r.submitted_at),
        "language": r.language,
        "questionnaire_version": r.questionnaire_version,
        "privacy_notice_version": r.privacy_notice_version,
        "consent_at": _iso(r.consent_at),
        "answers": r.answers,
    }


def _email_export(m: OutboxMessage) -> dict[str, Any]:
    return {
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


def _invitation_export(i: Invitation, status: str) -> dict[str, Any]:
    return {
        "practice": i.contact.practice.name if i.contact.practice else None,
        "language": i.language,
        "status": status,
        "created_at": _iso(i.created_at),
        "expires_at": _iso(i.expires_at),
        "reminded_at": _iso(i.reminded_at),
        "responded_at": _iso(i.responded_at),
        "unsubscribed_at": _iso(i.unsubscribed_at),
    }


def _draft_export(d: SurveyDraft) -> dict[str, Any]:
    return {
        "language": d.language,
        "created_at": _iso(d.created_at),
        "saved_at": _iso(d.saved_at),
        "expires_at": _iso(d.expires_at),
        "answers": d.answers,
    }


def plan_erasure(email: str) -> SweepPlan | None:
    """The sweep's scan for the person behind ``email`` (:func:`plan_sweep`), read in a
    transaction of its own that is ended here, so no write lock is held while it reads (SQLite;
    ``crm.core.database.reading_transaction``); None when nothing is held about them. Pass the
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
    personal ones; their survey drafts are deleted with their resume links (a draft counts
    nowhere: nothing of it is kept); email not yet sent to them is dropped, email sent to them,
    or being sent by a worker at that moment, keeps no address or name (:func:`sweep`), and
    their invitation links stop working. Responses still waiting
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
    _anonymize_contacts(records.contacts, now)
    _anonymize_responses(records.responses)
    _expire_invitations(records.invitations, now)
    drafts = discard_drafts([draft.id for draft in records.drafts])
    emails = _drop_unsent_emails(found)
    db.session.flush()
    swept = sweep(found, spared, plan)
    reindex_erased_practice_names()
    db.session.expire_all()
    counts = {
        "contacts": len(records.contacts),
        "responses": len(records.responses),
        "invitations": len(records.invitations),
        "drafts": drafts,
        **emails,
        "other_rows": swept,
    }
    audit.record("privacy.erase", "data_subject", "-", {"erased": [None, counts]})
    logger.info("data-subject erasure: %s", counts)
    return counts


def _anonymize_contacts(contacts: list[Contact], now: datetime) -> None:
    """Each contact keeps its practice, loses its name, email, phone and role, and its
    permission to contact (changed ``now``, UTC)."""
    for contact in contacts:
        contact.name = ERASED
        contact.email = contact.email_key = f"erased-{contact.id}@invalid"
        contact.phone = contact.role = None
        contact.permission_to_contact = False
        contact.permission_changed_at = now


def _anonymize_responses(responses: list[SurveyResponse]) -> None:
    """Each response keeps its practice answers and loses the personal ones
    (:data:`PERSONAL_ANSWERS`) and its permission to contact."""
    for response in responses:
        response.answers = {
            k: (ERASED if k in PERSONAL_ANSWERS and v else v) for k, v in response.answers.items()
        } | {"permission_to_contact": False}
        response.permission_to_contact = False


def _expire_invitations(invitations: list[tuple[Invitation, str]], now: datetime) -> None:
    """Invitation links not yet answered stop working ``now`` (UTC)."""
    for invitation, _status in invitations:
        if invitation.responded_at is None and invitation.expires_at > now:
            invitation.expires_at = now


def _drop_unsent_emails(found: Identifiers) -> dict[str, int]:
    """Delete email to the person not yet sent; count what was sent and what a worker is
    sending (the sweep anonymizes both). Returns ``unsent_emails``, ``sent_emails`` and
    ``sending_emails``."""
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
    return {
        "unsent_emails": unsent,
        "sent_emails": sent,
        # Being sent by a worker during the erasure: anonymized, not deleted.
        "sending_emails": sending,
    }


def file_waiting(records: SubjectRecords) -> SubjectRecords:
    """File the person's responses still waiting for the worker, then find the person again
    (filing makes their contact and confirmation email).

    Each is locked first (``SELECT … FOR UPDATE`` on PostgreSQL) and filed only if still
    waiting: a worker filing it at this moment is waited for (its contact is then found and
    erased), and a worker arriving later skips it (``crm.responses.intake.file_pending``:
    ``SKIP LOCKED``, then ``filed_at`` set), so a response is never filed twice, nor after
    erasure from anonymized answers.
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
    ``city_key`` (``crm.responses.matching.normalize_key``) computed again, and the suggestion
    index (``crm.responses.matching.write_name_keys``; the sweep skips that table), so no key
    keeps a word of an erased name, in any form ("angelanunez")."""
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
