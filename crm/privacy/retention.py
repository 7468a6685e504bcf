"""Retention of raw answers that no practice relies on.

Spam, duplicate and unlinked responses (no practice) never count towards readiness
(``docs/domain.md#eligible-practices``);
once older than ``RAW_ANSWER_RETENTION_DAYS`` they are deleted, and so are the contacts made
from them that no remaining response refers to (a spammer's name and address would otherwise
outlive the answers), and the email sent to them: each deleted response's confirmation, and any
email to an address that nothing kept holds any more (no remaining contact, response or staff
account). Linked and new responses are the record of a practice's interest and are kept.

Survey drafts (``docs/domain.md#drafts``) have their own day, ``SURVEY_DRAFT_DAYS`` after their
latest save: past it they are deleted with the emails that carried their links, by ``flask
purge`` and, without waiting for anyone to run it, by the worker's daily job
(:func:`delete_expired_drafts`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, String, cast, delete, func, literal, not_, or_, select

from crm.accounts.models import User
from crm.audit import operations as audit
from crm.core.columns import utcnow
from crm.core.extensions import db
from crm.core.jobs import daily_job
from crm.drafts import operations as drafts
from crm.drafts.queries import expired_drafts
from crm.outreach.models import OutboxMessage
from crm.responses import tallies
from crm.responses.models import Contact, SurveyResponse

#: Category → condition on SurveyResponse, in the order they are reported.
CATEGORIES = {
    "spam": SurveyResponse.triage_status == "spam",
    "duplicate": SurveyResponse.triage_status == "duplicate",
    # Filed and left without a practice; one still waiting for the worker is not "unlinked".
    "unlinked": (SurveyResponse.practice_id.is_(None))
    & SurveyResponse.filed_at.is_not(None)
    & SurveyResponse.triage_status.in_(("new", "linked")),
}


def cutoff(now: datetime, days: int) -> datetime:
    """The instant (UTC) before which raw answers are past retention."""
    return now - timedelta(days=days)


def _past_retention(before: datetime) -> ColumnElement[bool]:
    return or_(*CATEGORIES.values()) & (SurveyResponse.submitted_at < before)


def _orphaned_contacts(before: datetime) -> Select:
    """Ids of contacts whose every response is past retention."""
    responses_of = select(SurveyResponse.contact_id).where(SurveyResponse.contact_id.is_not(None))
    return select(Contact.id).where(
        Contact.id.in_(responses_of.where(_past_retention(before))),
        Contact.id.not_in(responses_of.where(not_(_past_retention(before)))),
    )


def _answered_email() -> ColumnElement[str]:
    return func.lower(func.trim(SurveyResponse.answers["email"].as_string()))


def _purged_emails(before: datetime) -> Select:
    """Ids of outbox rows sent or queued to what is purged: the confirmations of the responses
    past retention (``queue_confirmation``'s dedupe key), and email to an address given in
    those responses or orphaned contacts that no kept response, contact or staff account holds.
    A row a worker is sending right now is left for the next purge."""
    purged = select(SurveyResponse.id).where(_past_retention(before))
    confirmations = select(literal("confirmation:") + cast(SurveyResponse.id, String)).where(
        SurveyResponse.id.in_(purged)
    )
    orphans = _orphaned_contacts(before)
    gone = (
        select(_answered_email())
        .where(_past_retention(before), _answered_email().is_not(None))
        .union(select(Contact.email_key).where(Contact.id.in_(orphans)))
    )
    kept = (
        select(_answered_email())
        .where(not_(_past_retention(before)), _answered_email().is_not(None))
        .union(
            select(Contact.email_key).where(Contact.id.not_in(orphans)),
            select(func.lower(User.email)),
        )
    )
    recipient = func.lower(OutboxMessage.recipient)
    return select(OutboxMessage.id).where(
        OutboxMessage.status != "sending",
        or_(
            OutboxMessage.dedupe_key.in_(confirmations),
            recipient.in_(gone) & recipient.not_in(kept),
        ),
    )


def purgeable(now: datetime, days: int) -> dict[str, int]:
    """Number of responses per category submitted before ``cutoff(now, days)``; under
    ``"contacts"`` the number of contacts that would be left without any response, under
    ``"emails"`` the number of emails sent or queued to them (:func:`_purged_emails`), and
    under ``"drafts"`` the survey drafts past their own day at ``now`` (UTC)."""
    before = cutoff(now, days)
    counts = {
        name: db.session.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(condition, SurveyResponse.submitted_at < before)
        )
        for name, condition in CATEGORIES.items()
    }
    counts["contacts"] = db.session.scalar(
        select(func.count()).select_from(_orphaned_contacts(before).subquery())
    )
    counts["emails"] = db.session.scalar(
        select(func.count()).select_from(_purged_emails(before).subquery())
    )
    counts["drafts"] = db.session.scalar(
        select(func.count()).select_from(expired_drafts(now).subquery())
    )
    return counts


def purge(now: datetime, days: int) -> dict[str, int]:
    """Delete what ``purgeable`` counts; audited (counts only); the caller commits."""
    counts = purgeable(now, days)
    if sum(counts.values()):
        before = cutoff(now, days)
        contact_ids = db.session.scalars(_orphaned_contacts(before)).all()
        # Read first: which emails go depends on the responses and contacts deleted below.
        email_ids = db.session.scalars(_purged_emails(before)).all()
        # A bulk DELETE bypasses the ORM's bookkeeping that keeps the tallies right.
        tallies.forget_responses(_past_retention(before))
        db.session.execute(delete(SurveyResponse).where(_past_retention(before)))
        if contact_ids:
            db.session.execute(delete(Contact).where(Contact.id.in_(contact_ids)))
        if email_ids:
            db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(email_ids)))
        drafts.delete_expired(now)
        audit.record("retention.purge", "survey_response", "-", {"deleted": [None, counts]})
    return counts


@daily_job("expired survey drafts")
def delete_expired_drafts(now: datetime | None = None) -> int:
    """Delete the survey drafts past their day at ``now`` (UTC, default the current instant)
    and the emails of their links; audited (the number only) when there were any; the caller
    commits. Returns how many drafts went."""
    deleted = drafts.delete_expired(now or utcnow())
    if deleted:
        audit.record("retention.drafts", "survey_draft", "-", {"deleted": [None, deleted]})
    return deleted
