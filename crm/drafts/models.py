"""The survey draft: what a respondent typed so far and saved to finish later
(docs/domain.md#drafts).

A draft is not a response: nothing counts, files, lists or exports it. Its resume link carries
a random token of which only the SHA-256 digest is kept here; the draft and its link end
``SURVEY_DRAFT_DAYS`` after the latest save, when the retention job deletes it
(``crm.privacy.retention``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.columns import UTCDateTime, one_of, utcnow
from crm.core.extensions import db
from crm.core.i18n import LOCALES

if TYPE_CHECKING:
    from crm.outreach.models import Invitation


class SurveyDraft(db.Model):
    """Answers saved from the survey page, reopened by a personal resume link."""

    __tablename__ = "survey_drafts"
    __table_args__ = (
        one_of("language", LOCALES),
        # The retention job deletes the drafts past their day.
        Index("ix_survey_drafts_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Hex SHA-256 of the resume link's token (the token itself is only in the link).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The one-time token of the form the draft continues: sending the draft from two
    #: devices, or twice, stores one response (docs/decisions.md#double-submits).
    submission_token: Mapped[str] = mapped_column(String(64))
    #: The survey's language when it was saved; the link opens the survey in it.
    language: Mapped[str] = mapped_column(String(5))
    #: Form fields as typed (text as typed, lists for several choices), questionnaire keys;
    #: never the consent, which is given on the page that sends.
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The typed email, trimmed and lower-cased: where the link was sent, and how a
    #: data-subject request finds the draft. None when no email was typed.
    email_key: Mapped[str | None] = mapped_column(String(254), index=True)
    #: The personal invitation the draft was saved from: its link reopens the draft.
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The latest save (UTC).
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: ``SURVEY_DRAFT_DAYS`` after the latest save (UTC): the link stops working, the
    #: retention job deletes the draft.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    invitation: Mapped[Invitation | None] = relationship()

    def __repr__(self) -> str:
        return f"<SurveyDraft {self.id} {self.language}>"
