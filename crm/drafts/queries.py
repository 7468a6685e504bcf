"""Finding survey drafts: by their resume link, by the invitation they were saved from, by the
email typed in them (data-subject requests), and past their day (retention).

A resume link carries a random token (32 bytes, URL-safe); only its SHA-256 digest is stored
(``docs/domain.md#drafts``). A draft past ``expires_at`` opens nothing, even before the
retention job has deleted it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, or_, select

from crm.core.columns import utcnow
from crm.core.extensions import db
from crm.drafts.models import SurveyDraft
from crm.outreach.models import Invitation

#: ``secrets.token_urlsafe(32)``: 43 characters of the URL-safe alphabet.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def digest(token: str) -> str:
    """Hex SHA-256 of a resume token: what the database keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


class LinkState(StrEnum):
    """What a resume link can do now."""

    OPEN = "open"
    EXPIRED = "expired"
    INVALID = "invalid"


@dataclass(frozen=True)
class DraftLink:
    """A looked-up resume link: its state, and the draft only while the link is open."""

    state: LinkState
    draft: SurveyDraft | None = None


def open_draft(token: str | None, now: datetime | None = None) -> DraftLink:
    """Look up a resume link (UTC ``now``, default the current instant). A malformed,
    altered or unknown token, or one whose draft was sent or erased, is ``INVALID``; a draft
    past its day is ``EXPIRED`` and is not returned, so no page shows its answers."""
    if not token or not TOKEN_PATTERN.match(token):
        return DraftLink(LinkState.INVALID)
    draft = db.session.scalar(select(SurveyDraft).where(SurveyDraft.token_hash == digest(token)))
    if draft is None:
        return DraftLink(LinkState.INVALID)
    if draft.expires_at <= (now or utcnow()):
        return DraftLink(LinkState.EXPIRED)
    return DraftLink(LinkState.OPEN, draft)


def invitation_draft(invitation_id: int, now: datetime | None = None) -> SurveyDraft | None:
    """The latest draft saved from a personal invitation and still open at ``now`` (UTC)."""
    return db.session.scalar(
        select(SurveyDraft)
        .where(
            SurveyDraft.invitation_id == invitation_id,
            SurveyDraft.expires_at > (now or utcnow()),
        )
        .order_by(SurveyDraft.saved_at.desc(), SurveyDraft.id.desc())
        .limit(1)
    )


def open_invitation(invitation_id: int | None, now: datetime | None = None) -> Invitation | None:
    """The invitation a draft was saved from while its personal link still works at ``now``
    (not answered, not expired, its contact still at a practice); None otherwise. A draft
    resumed by its own link is filed under the invitation's practice only then, as the
    invitation's link itself would be (``crm.outreach.queries.open_link``)."""
    if invitation_id is None:
        return None
    invitation = db.session.get(Invitation, invitation_id)
    if (
        invitation is None
        or invitation.responded_at is not None
        or invitation.expires_at <= (now or utcnow())
        or invitation.contact.practice is None
    ):
        return None
    return invitation


def subject_drafts(email_key: str, invitation_ids: Iterable[int] = ()) -> list[SurveyDraft]:
    """Drafts that hold the email ``email_key`` (trimmed, lower-cased) or were saved from one
    of ``invitation_ids`` (the person's own invitations), oldest first: what a data-subject
    request finds, expired ones included until they are deleted."""
    conditions = [SurveyDraft.email_key == email_key]
    invitation_ids = sorted(set(invitation_ids))
    if invitation_ids:
        conditions.append(SurveyDraft.invitation_id.in_(invitation_ids))
    return list(
        db.session.scalars(
            select(SurveyDraft)
            .where(or_(*conditions))
            .order_by(SurveyDraft.created_at, SurveyDraft.id)
        )
    )


def expired_drafts(now: datetime) -> Select:
    """Ids of the drafts whose day has passed at ``now`` (UTC): the retention job's share."""
    return select(SurveyDraft.id).where(SurveyDraft.expires_at <= now)
