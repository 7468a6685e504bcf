"""Saving, sending on and deleting survey drafts (``docs/domain.md#drafts``); the caller
commits.

A save stores what was typed so far under a personal resume link and, when an email address
was typed, emails that link in the survey's language through the outbox: the email repeats
nothing the person typed. Saving again from the same page keeps the link; saving from a
personal invitation whose draft was reopened by the invitation's own link gives the draft a new
link (the old one is not kept anywhere to show again). A draft ends when its survey is sent,
when the person asks us to erase it, or ``SURVEY_DRAFT_DAYS`` after the latest save.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select

from crm.core.columns import utcnow
from crm.core.extensions import db
from crm.core.i18n import SEGMENT_OF
from crm.drafts.models import SurveyDraft
from crm.drafts.queries import digest, expired_drafts, invitation_draft, open_draft
from crm.outreach import outbox
from crm.outreach.models import Invitation, OutboxMessage
from crm.outreach.queries import public_url
from crm.responses.matching import email_key

logger = logging.getLogger(__name__)

#: The outbox kind of the email that carries a resume link (``crm.outreach.outbox.KINDS``).
EMAIL_KIND = "resume_link"


def new_token() -> str:
    """A fresh resume token: 32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class SavedDraft:
    """What a save did: the draft, its link's token (shown to the person once, never stored),
    and whether an email carrying the link was queued."""

    draft: SurveyDraft
    token: str
    emailed: bool


def save_draft(
    answers: dict[str, Any],
    *,
    language: str,
    submission_token: str,
    days: int,
    token: str | None = None,
    invitation: Invitation | None = None,
    now: datetime | None = None,
) -> SavedDraft:
    """Store ``answers`` as a draft and return it with its resume token; the caller commits.

    ``answers`` maps questionnaire keys to what was typed (text, or lists of choices), without
    the consent; ``language`` is the page's locale; ``submission_token`` the form's one-time
    token, kept so that the draft, sent from wherever, stores one response. ``token`` is the
    link of the draft the page continues: that draft is updated and keeps its link (an unknown
    or expired one starts a new draft). ``invitation``, an open personal invitation, ties the
    draft to it, so that the invitation's link reopens it; its earlier draft is updated and
    given a new link. The draft lasts ``days`` after ``now`` (UTC). The link is emailed when
    an email was typed and the link or the address is new.
    """
    now = now or utcnow()
    draft = open_draft(token, now).draft if token else None
    if draft is None and invitation is not None:
        draft = invitation_draft(invitation.id, now)
        token = None  # its link was never kept: it gets a new one
    if draft is None:
        draft = SurveyDraft(created_at=now)
        db.session.add(draft)
        token = None
    new_link = token is None
    if new_link:
        token = new_token()
        draft.token_hash = digest(token)
    address = _typed_email(answers)
    new_address = address is not None and address != draft.email_key
    draft.answers = answers
    draft.language = language
    draft.submission_token = submission_token
    draft.email_key = address
    draft.invitation_id = invitation.id if invitation is not None else draft.invitation_id
    draft.saved_at = now
    draft.expires_at = now + timedelta(days=days)
    db.session.flush()
    emailed = address is not None and (new_link or new_address) and _may_email(address, now)
    if emailed:
        queue_resume_link(draft, token, answers["email"].strip())
    logger.info("survey draft %s saved (%s)", draft.id, "new link" if new_link else "same link")
    return SavedDraft(draft=draft, token=token, emailed=emailed)


#: Drafts naming one address in a day past which their links are shown on the page only, not
#: emailed: anyone can type anyone's address (docs/domain.md#drafts).
EMAILS_PER_ADDRESS_PER_DAY = 3


def _may_email(address: str, now: datetime) -> bool:
    """Whether a resume link may still be emailed to ``address`` today (the last 24 hours)."""
    recent = db.session.scalar(
        select(func.count())
        .select_from(SurveyDraft)
        .where(SurveyDraft.email_key == address, SurveyDraft.saved_at > now - timedelta(days=1))
    )
    return recent <= EMAILS_PER_ADDRESS_PER_DAY


def _typed_email(answers: dict[str, Any]) -> str | None:
    """The email typed in ``answers``, trimmed and lower-cased, when it looks like one
    (something@domain); None otherwise: a half-typed address gets no email."""
    typed = answers.get("email")
    if not isinstance(typed, str):
        return None
    local, at, domain = typed.strip().rpartition("@")
    if not (at and local and "." in domain.strip(".")) or any(c.isspace() for c in typed.strip()):
        return None
    return email_key(typed)


def resume_url(draft: SurveyDraft, token: str) -> str:
    """Absolute address of a draft's resume link under ``PUBLIC_BASE_URL``, in its language."""
    return public_url("surveys.resume", lang=SEGMENT_OF[draft.language], token=token)


def queue_resume_link(draft: SurveyDraft, token: str, recipient: str) -> OutboxMessage | None:
    """Queue the email that carries a draft's resume link to ``recipient``, in the draft's
    language: our own words, the link and its last day; nothing the person typed. None when
    the same link already went to the same address."""
    return outbox.queue_email(
        EMAIL_KIND,
        recipient,
        draft.language,
        EMAIL_KIND,
        dedupe_key=f"{_email_prefix(draft)}{draft.token_hash[:16]}:{digest(draft.email_key)[:16]}",
        resume_url=resume_url(draft, token),
        expires_at=draft.expires_at,
    )


def _email_prefix(draft_id: SurveyDraft | int) -> str:
    """Start of the dedupe key of every email carrying one draft's link."""
    return f"{EMAIL_KIND}:{getattr(draft_id, 'id', draft_id)}:"


def discard_drafts(draft_ids: list[int]) -> int:
    """Delete drafts and the emails carrying their links (sent or not; a row a worker is
    sending right now is left to it, and held back if not yet out:
    :func:`withheld_resume_link`). Returns how many drafts went."""
    if not draft_ids:
        return 0
    for draft_id in draft_ids:
        db.session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.dedupe_key.startswith(_email_prefix(draft_id), autoescape=True),
                OutboxMessage.status != "sending",
            )
        )
    return db.session.execute(delete(SurveyDraft).where(SurveyDraft.id.in_(draft_ids))).rowcount


def discard_sent(token: str | None = None, invitation_id: int | None = None) -> int:
    """After a survey was sent: delete the draft it continued (by its link's ``token``) and
    every draft of the personal invitation it answered. Returns how many drafts went."""
    conditions = []
    if token:
        conditions.append(SurveyDraft.token_hash == digest(token))
    if invitation_id is not None:
        conditions.append(SurveyDraft.invitation_id == invitation_id)
    if not conditions:
        return 0
    ids = list(db.session.scalars(select(SurveyDraft.id).where(or_(*conditions))))
    return discard_drafts(ids)


def delete_expired(now: datetime | None = None) -> int:
    """Delete every draft past its day at ``now`` (UTC), and the emails of their links: the
    retention job's share (``crm.privacy.retention``). Returns how many drafts went."""
    return discard_drafts(list(db.session.scalars(expired_drafts(now or utcnow()))))


def withheld_resume_link(row: OutboxMessage) -> str | None:
    """Delivery check: a resume-link email whose draft was sent, erased or expired since it
    was queued is not sent."""
    if row.kind != EMAIL_KIND or not row.dedupe_key:
        return None
    draft_id = row.dedupe_key.split(":")[1]
    draft = db.session.get(SurveyDraft, int(draft_id)) if draft_id.isdigit() else None
    if draft is None or draft.expires_at <= utcnow():
        return "the draft of this resume link is gone"
    return None


if withheld_resume_link not in outbox.DELIVERY_CHECKS:
    outbox.DELIVERY_CHECKS.append(withheld_resume_link)
