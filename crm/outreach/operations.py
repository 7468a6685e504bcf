"""Outreach writes: invitations (sending them, one reminder, answers through them,
unsubscribing) and alerts (the idempotent daily job, email digests, reading, country owners).
Emails are queued in the outbox in the caller's transaction (docs/architecture.md#worker); the
caller commits.

Every outreach email carries ``List-Unsubscribe`` (with ``List-Unsubscribe-Post`` for one-click
unsubscribing, RFC 8058) and never echoes what a respondent typed: no names, no practice names;
only our own text, CLDR country names, dates and the links.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from crm.accounts.models import User
from crm.audit import operations as audit
from crm.core.access import has_level
from crm.core.clock import org_today
from crm.core.columns import utcnow
from crm.core.errors import InvalidInput
from crm.core.extensions import db
from crm.core.jobs import daily_job
from crm.countries.models import Country
from crm.outreach import outbox
from crm.outreach.alerts import AlertCandidate, find_alerts, reading_order
from crm.outreach.models import Alert, Invitation, OutboxMessage
from crm.outreach.queries import (
    OUTREACH_KINDS,
    contact_language,
    digest,
    invitable,
    new_token,
    public_url,
    survey_link,
    unsubscribe_url,
)
from crm.responses.models import Contact

logger = logging.getLogger(__name__)

ONE_CLICK = "List-Unsubscribe=One-Click"
#: Most alerts one digest lists (the newest); the in-app list has them all.
DIGEST_LIMIT = 100

# --- invitations ---------------------------------------------------------------------------------


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
    (``crm.outreach.queries.invitable``) are skipped; each invitation is audited.

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
    """Delivery check (``crm.outreach.outbox.DELIVERY_CHECKS``): an invitation or reminder whose
    contact has withdrawn their permission since it was queued is not sent; nor is a reminder of an
    invitation answered meanwhile, nor an email whose personal link has expired (a long mail outage,
    ``flask outbox retry-failed`` weeks later)."""
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


# --- alerts and digests --------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertRun:
    """What one run of the alerts job did."""

    created: int
    digests: int


def store_alerts(candidates: list[AlertCandidate]) -> list[Alert]:
    """Add the candidates not stored yet (by user and key); returns the rows added. Two jobs
    running at once cannot add one twice: the key is unique per user."""
    known = set(
        db.session.execute(
            select(Alert.user_id, Alert.key).where(
                Alert.user_id.in_(sorted({c.user_id for c in candidates}))
            )
        ).all()
    )
    added = []
    for candidate in candidates:
        if (candidate.user_id, candidate.key) in known:
            continue
        known.add((candidate.user_id, candidate.key))
        alert = Alert(
            user_id=candidate.user_id,
            kind=candidate.kind,
            key=candidate.key,
            country_code=candidate.country_code,
            params=candidate.params,
        )
        try:
            with db.session.begin_nested():
                db.session.add(alert)
        except IntegrityError:
            continue
        added.append(alert)
    return added


def digest_period(frequency: str, today: date) -> str:
    """The period a digest covers: the day (daily) or the ISO week (weekly)."""
    if frequency == "weekly":
        year, week, _weekday = today.isocalendar()
        return f"{year}-W{week:02d}"
    return today.isoformat()


def queue_digests(today: date, now: datetime) -> int:
    """Queue one email per user who takes a daily or weekly digest and has unread alerts not
    sent in a digest yet, in the user's language; at most one per user and period (a day, or
    an ISO week), so running twice sends nothing twice. Returns the number queued."""
    users = db.session.scalars(
        select(User)
        .where(User.active.is_(True), User.digest.in_(("daily", "weekly")))
        .order_by(User.id)
    ).all()
    queued = 0
    for user in users:
        alerts = db.session.scalars(
            select(Alert)
            .where(Alert.user_id == user.id, Alert.digested_at.is_(None), Alert.read_at.is_(None))
            .order_by(Alert.created_at.desc(), Alert.id.desc())
            .limit(DIGEST_LIMIT)
        ).all()
        if not alerts:
            continue
        message = outbox.queue_email(
            "digest",
            user.email,
            user.locale,
            "digest",
            dedupe_key=f"digest:{user.id}:{digest_period(user.digest, today)}",
            alerts=reading_order(alerts, user.locale, newest_first=False),
            alerts_url=public_url("alerts.index"),
            account_url=public_url("account.index"),
            frequency=user.digest,
        )
        if message is None:  # this period's digest went out already; these wait for the next
            continue
        for alert in alerts:
            alert.digested_at = now
        queued += 1
    return queued


@daily_job("alerts")
def run_alerts(now: datetime | None = None) -> AlertRun:
    """Find and store today's alerts, then queue the digests; the caller commits. Idempotent:
    a second run the same day adds and sends nothing. ``now`` is UTC (default now)."""
    now = now or utcnow()
    today = org_today(now)
    created = store_alerts(find_alerts(now, today))
    digests = queue_digests(today, now)
    logger.info("alerts: %d new, %d digests queued", len(created), digests)
    return AlertRun(created=len(created), digests=digests)


def mark_read(user: User, alert_ids: list[int] | None = None) -> int:
    """Mark the user's alerts read (all unread ones, or those of ``alert_ids``); returns how
    many changed. Reading one's own alerts is not a staff write: not audited."""
    statement = (
        update(Alert)
        .where(Alert.user_id == user.id, Alert.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if alert_ids is not None:
        statement = statement.where(Alert.id.in_(sorted(set(alert_ids))))
    return db.session.execute(statement).rowcount


# --- country owners ------------------------------------------------------------------------------


def set_country_owner(country: Country, owner_id: int | None) -> Country:
    """Make the staff user ``owner_id`` the country's owner (None: no owner). Raises
    ``InvalidInput`` for an unknown, inactive or viewer-only user. Audited."""
    owner = None
    if owner_id is not None:
        owner = db.session.get(User, owner_id)
        if owner is None or not owner.active or not has_level(owner, "staff"):
            raise InvalidInput("owner", _("Choose one of the options in the list."))
    before = {"owner": country.owner.email if country.owner else None}
    country.owner = owner
    changes = audit.diff(before, {"owner": owner.email if owner else None})
    if changes:
        db.session.flush()
        audit.record("country.owner", "country", country.code, changes, country_code=country.code)
    return country
