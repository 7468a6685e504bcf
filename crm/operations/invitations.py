"""Invitations (issue 9): sending them, one reminder, answers through them, unsubscribing.

Every outreach email carries ``List-Unsubscribe`` (with ``List-Unsubscribe-Post`` for one-click
unsubscribing, RFC 8058) and never echoes what a respondent typed: no names, no practice names;
only our own text, CLDR country names, dates and the links.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from crm import audit, outbox
from crm.clock import org_today
from crm.extensions import db
from crm.invitations import (
    OUTREACH_KINDS,
    contact_language,
    digest,
    invitable,
    new_token,
    survey_link,
    unsubscribe_url,
)
from crm.jobs import daily_job
from crm.models import Contact, Invitation, OutboxMessage
from crm.models._types import utcnow

logger = logging.getLogger(__name__)

ONE_CLICK = "List-Unsubscribe=One-Click"


@dataclass
class SentInvitations:
    """What :func:`send_invitations` did: the invitations queued, and how many of the asked
    contacts were skipped (permission withdrawn, no practice, an invitation still pending)."""

    invitations: list[Invitation] = field(default_factory=list)
    skipped: int = 0


def _queue(
    invitation: Invitation, template: str, token: str, dedupe_key: str
) -> OutboxMessage | None:
    """Queue an outreach email of ``invitation`` carrying the personal link ``token``."""
    contact = invitation.contact
    unsubscribe = unsubscribe_url(invitation)
    return outbox.queue_email(
        template,
        contact.email,
        invitation.language,
        template,
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": ONE_CLICK},
        dedupe_key=dedupe_key,
        survey_url=survey_link(invitation, token),
        unsubscribe_url=unsubscribe,
        country=contact.practice.country_code,
        expires_on=org_today(invitation.expires_at),
    )


def send_invitations(contact_ids: list[int], *, now: datetime | None = None) -> SentInvitations:
    """Invite the given contacts: one invitation and one queued email each, in the caller's
    transaction (the caller commits). Contacts that may not be invited now
    (``crm.invitations.invitable``) are skipped; each invitation is audited.

    The link works for ``INVITATION_DAYS`` days from ``now`` (UTC, default now).
    """
    now = now or utcnow()
    ids = sorted(set(contact_ids))
    contacts = db.session.scalars(
        select(Contact)
        .options(selectinload(Contact.practice))
        .where(Contact.id.in_(ids), invitable())
        .order_by(Contact.id)
    ).all()
    expires_at = now + timedelta(days=current_app.config["INVITATION_DAYS"])
    actor_id, actor = audit.current_actor()
    sent = SentInvitations(skipped=len(ids) - len(contacts))
    for contact in contacts:
        token = new_token()
        invitation = Invitation(
            contact=contact,
            language=contact_language(contact),
            token_hash=digest(token),
            expires_at=expires_at,
            created_at=now,
            created_by_id=actor_id,
        )
        db.session.add(invitation)
        db.session.flush()
        message = _queue(invitation, "invitation", token, f"invitation:{invitation.id}")
        invitation.outbox_message_id = message.id if message is not None else None
        audit.record(
            "invitation.create",
            "invitation",
            invitation.id,
            {"contact_id": [None, contact.id], "language": [None, invitation.language]},
            country_code=contact.practice.country_code,
            practice_id=contact.practice_id,
        )
        sent.invitations.append(invitation)
    logger.info("%d invitations queued by %s", len(sent.invitations), actor)
    return sent


@daily_job("invitation reminders")
def queue_reminders(now: datetime | None = None) -> int:
    """Queue one reminder per invitation whose first email went out at least
    ``INVITATION_REMINDER_DAYS`` days before ``now`` (UTC) and that is still open: not answered,
    not expired, permission standing. Safe to run twice (one reminder per invitation, ever).
    Returns the number queued; the caller commits.

    The reminder carries a new token of its own (the first one is not kept); both open the link.
    """
    now = now or utcnow()
    sent_before = now - timedelta(days=current_app.config["INVITATION_REMINDER_DAYS"])
    due = db.session.scalars(
        select(Invitation)
        .join(Contact, Contact.id == Invitation.contact_id)
        .join(OutboxMessage, OutboxMessage.id == Invitation.outbox_message_id)
        .options(selectinload(Invitation.contact).selectinload(Contact.practice))
        .where(
            Invitation.responded_at.is_(None),
            Invitation.unsubscribed_at.is_(None),
            Invitation.reminded_at.is_(None),
            Invitation.expires_at > now,
            Contact.permission_to_contact.is_(True),
            Contact.practice_id.is_not(None),
            OutboxMessage.status == "sent",
            OutboxMessage.sent_at <= sent_before,
        )
        .order_by(Invitation.id)
    ).all()
    queued = 0
    for invitation in due:
        token = new_token()
        message = _queue(invitation, "reminder", token, f"reminder:{invitation.id}")
        if message is None:  # another worker queued it first
            continue
        invitation.reminder_token_hash = digest(token)
        invitation.reminder_message_id = message.id
        invitation.reminded_at = now
        queued += 1
    logger.info("%d invitation reminders queued", queued)
    return queued


def record_response(invitation: Invitation, response_id: int) -> bool:
    """Mark ``invitation`` answered by the response ``response_id`` (its link then opens
    nothing); True when this call did it, False when the link had been used already. The caller
    commits."""
    result = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.responded_at.is_(None))
        .values(responded_at=utcnow(), response_id=response_id)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(invitation)
    return result.rowcount == 1


def unsubscribe(invitation: Invitation, *, now: datetime | None = None) -> int:
    """Withdraw the permission to contact of the invitation's contact, and of every contact with
    the same email address (it is the address that asked), at ``now`` (UTC, default now).

    Each change is audited; emails still queued for them are then held back at delivery.
    Idempotent. Returns the number of contacts whose permission changed; the caller commits.
    """
    now = now or utcnow()
    contacts = db.session.scalars(
        select(Contact)
        .options(selectinload(Contact.practice))
        .where(Contact.email_key == invitation.contact.email_key)
        .order_by(Contact.id)
    ).all()
    changed = 0
    for contact in contacts:
        if not contact.permission_to_contact:
            continue
        contact.permission_to_contact = False
        contact.permission_changed_at = now
        audit.record(
            "contact.unsubscribe",
            "contact",
            contact.id,
            {"permission_to_contact": [True, False]},
            country_code=contact.practice.country_code if contact.practice else None,
            practice_id=contact.practice_id,
        )
        changed += 1
    if invitation.unsubscribed_at is None:
        invitation.unsubscribed_at = now
    logger.info("invitation %s: %d contacts unsubscribed", invitation.id, changed)
    return changed


def withheld_outreach(row: OutboxMessage) -> str | None:
    """Delivery check (``crm.outbox.DELIVERY_CHECKS``): an invitation or reminder whose contact
    has withdrawn their permission since it was queued is not sent; nor is a reminder of an
    invitation answered meanwhile, nor an email whose personal link has expired (a long mail
    outage, ``flask outbox retry-failed`` weeks later)."""
    if row.kind not in OUTREACH_KINDS:
        return None
    invitation = db.session.scalar(
        select(Invitation).where(
            (Invitation.outbox_message_id == row.id) | (Invitation.reminder_message_id == row.id)
        )
    )
    if invitation is None:
        return None
    if invitation.unsubscribed_at is not None or not invitation.contact.permission_to_contact:
        return "withheld: the recipient withdrew permission to contact"
    if row.kind == "reminder" and invitation.responded_at is not None:
        return "withheld: the invitation was answered"
    if invitation.expires_at <= utcnow():
        return "withheld: the invitation link has expired"
    return None


if withheld_outreach not in outbox.DELIVERY_CHECKS:
    outbox.DELIVERY_CHECKS.append(withheld_outreach)
