"""Tables of outreach: invitations of contacts to the survey, alerts for staff and viewers,
and the outbox, where every email is a row written with the event that causes it
(docs/architecture.md#worker, docs/decisions.md#retry-policy). The languages are the
product's locales (``crm.core.i18n.LOCALES``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.columns import UTCDateTime, one_of, utcnow
from crm.core.extensions import db
from crm.core.i18n import LOCALES

if TYPE_CHECKING:
    from crm.accounts.models import User
    from crm.responses.models import Contact, SurveyResponse

# --- vocabularies ----------------------------------------------------------------------------

#: Status of an invitation as staff see it; derived (``crm.outreach.queries.invitation_status``),
#: never stored: "queued"/"sent"/"failed" follow its outbox row, "responded" its response,
#: "withdrawn" the contact's permission to contact.
INVITATION_STATUSES = ("queued", "sent", "failed", "responded", "withdrawn")
#: What an alert is about (``crm.outreach.alerts`` finds them, one row per user and subject).
ALERT_KINDS = (
    "readiness_change",
    "agreement_expiring",
    "agreement_expired",
    "privacy_review_stale",
    "task_due",
    "task_overdue",
    "new_responses",
)
OUTBOX_STATUSES = ("queued", "sending", "sent", "failed")


# --- invitations and alerts ------------------------------------------------------------------


class Invitation(db.Model):
    """A personal invitation of a contact to answer the survey, through an expiring link."""

    __tablename__ = "invitations"
    __table_args__ = (
        one_of("language", LOCALES),
        Index("ix_invitations_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(5))
    #: Hex SHA-256 of the link's token (the token itself is only in the email).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The reminder carries a token of its own (the first is not kept); either opens the link.
    reminder_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )
    reminder_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the link was used to answer; a used link shows no data any more.
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Indexed: filing a response looks up the invitation that brought it.
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="SET NULL"), index=True
    )
    #: When the contact withdrew their permission through this invitation's unsubscribe link.
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contact: Mapped[Contact] = relationship()
    created_by: Mapped[User | None] = relationship()
    outbox_message: Mapped[OutboxMessage | None] = relationship(foreign_keys=[outbox_message_id])
    reminder_message: Mapped[OutboxMessage | None] = relationship(
        foreign_keys=[reminder_message_id]
    )
    response: Mapped[SurveyResponse | None] = relationship()

    def __repr__(self) -> str:
        return f"<Invitation {self.id} contact={self.contact_id}>"


class Alert(db.Model):
    """Something a user should know about: shown in-app and in their email digest.

    The message is rendered from ``kind`` and ``params`` in the reader's language; ``key``
    names the subject (and threshold or day), so the daily job never adds it twice.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        one_of("kind", ALERT_KINDS),
        Index("ix_alerts_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    #: E.g. "agreement:12:2027-01-31:30" (agreement 12, expiring 2027-01-31, 30-day window).
    key: Mapped[str] = mapped_column(String(200))
    country_code: Mapped[str | None] = mapped_column(ForeignKey("countries.code"))
    #: Message parameters: numbers, codes, dates (ISO), staff-written titles; no respondent text.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the alert went out in an email digest (None: not yet, or the user takes none).
    digested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Alert {self.id} {self.kind} user={self.user_id}>"


# --- the outbox ------------------------------------------------------------------------------


class OutboxMessage(db.Model):
    """One email waiting for, or done with, delivery by the outbox worker."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        one_of("status", OUTBOX_STATUSES),
        one_of("language", LOCALES),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the email is: "confirmation", "invitation", "reminder", "digest", ...
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(254))
    recipient_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    #: Extra headers, e.g. List-Unsubscribe; values never hold a respondent's free text.
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The worker that claimed the row, and until when its claim holds.
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    #: Set by jobs that must not queue the same email twice (alerts, reminders).
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"
