"""Survey responses: the raw answers exactly as submitted, and their triage."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.models._types import UTCDateTime, one_of, utcnow

if TYPE_CHECKING:
    from crm.models.practices import Contact, Practice

TRIAGE_STATUSES = ("new", "linked", "duplicate", "spam")
SOURCES = ("web", "import", "api")


class SurveyResponse(db.Model):
    """One submitted questionnaire (SPEC §2 "Survey response"); never dropped, only triaged."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        one_of("triage_status", TRIAGE_STATUSES),
        one_of("source", SOURCES),
        one_of("language", ("en", "es", "pt_BR")),
        Index("ix_survey_responses_practice_submitted", "practice_id", "submitted_at"),
        Index("ix_survey_responses_triage_submitted", "triage_status", "submitted_at"),
        Index("ix_survey_responses_country_submitted", "country_code", "submitted_at"),
        # New responses per day (the daily alerts); a full scan held SQLite's write lock for
        # seconds at a million responses.
        Index("ix_survey_responses_created_at", "created_at"),
        # The worker's queue: only responses still waiting to be filed, so it stays tiny.
        Index(
            "ix_survey_responses_unfiled",
            "id",
            sqlite_where=text("filed_at IS NULL"),
            postgresql_where=text("filed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One-time token of the form that sent it: a second submit of the same form is a no-op.
    submission_token: Mapped[str] = mapped_column(String(64), unique=True)
    #: active_history (here and on country, status, practice): ``crm.tallies`` needs the value a
    #: change replaced, even when the row was not loaded before.
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, active_history=True)
    language: Mapped[str] = mapped_column(String(5), active_history=True)
    questionnaire_version: Mapped[str] = mapped_column(String(20))
    privacy_notice_version: Mapped[str | None] = mapped_column(String(20))
    #: When the respondent accepted the privacy notice (UTC); NULL only for legacy imports.
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    permission_to_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The answers as submitted, keyed by question name.
    answers: Mapped[dict] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(10), default="web")
    country_code: Mapped[str | None] = mapped_column(
        ForeignKey("countries.code"), active_history=True
    )
    triage_status: Mapped[str] = mapped_column(String(10), default="new", active_history=True)
    practice_id: Mapped[int | None] = mapped_column(
        ForeignKey("practices.id", ondelete="SET NULL"), active_history=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    #: A practice this response may belong to (a close name): staff confirm, never automatic.
    suggested_practice_id: Mapped[int | None] = mapped_column(
        ForeignKey("practices.id", ondelete="SET NULL"), index=True
    )
    suggestion_score: Mapped[float | None] = mapped_column(Float)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When it was filed under a practice (UTC); NULL while a web response waits for the worker
    #: (``SURVEY_FILING=worker``, ``crm.intake.file_pending``).
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    practice: Mapped[Practice | None] = relationship(foreign_keys=[practice_id])
    suggested_practice: Mapped[Practice | None] = relationship(foreign_keys=[suggested_practice_id])
    contact: Mapped[Contact | None] = relationship()

    def __repr__(self) -> str:
        return f"<SurveyResponse {self.id} {self.triage_status}>"
