"""Tables of the responses package and the vocabularies their CHECK constraints enforce.

- Survey responses: the raw answers exactly as submitted, and their triage.
- Practices, their name keys, their contacts, and their current interest in each program.
- The maintained tallies: counts that keep the board, the country page and the dashboard
  independent of the number of responses (docs/decisions.md#tallies).
  ``crm.responses.tallies`` keeps them right on every flush; nothing else writes them.

The questionnaire (``crm.responses.questionnaire``), the forms and the API read the
vocabularies from here; the languages are the product's locales (``crm.core.i18n.LOCALES``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.columns import UTCDateTime, one_of, utcnow
from crm.core.extensions import db
from crm.core.i18n import LOCALES

if TYPE_CHECKING:
    from crm.countries.models import Country

# --- vocabularies ----------------------------------------------------------------------------

TRIAGE_STATUSES = ("new", "linked", "duplicate", "spam")
#: Triage states whose answers count; spam and duplicates never do
#: (docs/domain.md#eligible-practices).
COUNTED_TRIAGE = ("new", "linked")
SOURCES = ("web", "import", "api")
PRACTICE_TYPES = (
    "private_practice",
    "hospital_based",
    "academic_center",
    "cancer_center",
    "public_hospital",
    "other",
)
#: Interest levels the survey asks (docs/domain.md#survey); "very" and "somewhat" make a
#: practice interested (docs/domain.md#eligible-practices).
INTEREST_LEVELS = ("very", "somewhat", "not_very", "not_at_all")
INTERESTED_LEVELS = ("very", "somewhat")
TIMEFRAMES = ("within_6_months", "6_to_12_months", "over_12_months", "not_sure")
#: Languages of a response and of a contact: the product's locales.
LANGUAGES = LOCALES


def _null_or_one_of(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    """A CHECK that ``column`` is NULL or holds one of ``values``."""
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IS NULL OR {column} IN ({listed})", name=name)


# --- survey responses ------------------------------------------------------------------------


class SurveyResponse(db.Model):
    """One submitted questionnaire (docs/domain.md#survey); never dropped, only triaged."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        one_of("triage_status", TRIAGE_STATUSES),
        one_of("source", SOURCES),
        one_of("language", LANGUAGES),
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
    #: active_history (here and on country, status, practice): ``crm.responses.tallies``
    #: needs the value a change replaced, even when the row was not loaded before.
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
    #: The staff member asked to triage it (the inbox's "assign to").
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    #: Why it looks like spam, set when it is filed (``crm.responses.spam``): a list of
    #: ``{"code", "params"}``; NULL when nothing looks wrong. Only a flag: staff decide
    #: (docs/domain.md#likely-spam).
    spam_signals: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When it was filed under a practice (UTC); NULL while a web response waits for the worker
    #: (``SURVEY_FILING=worker``, ``crm.responses.intake.file_pending``).
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    practice: Mapped[Practice | None] = relationship(foreign_keys=[practice_id])
    suggested_practice: Mapped[Practice | None] = relationship(foreign_keys=[suggested_practice_id])
    contact: Mapped[Contact | None] = relationship()

    def __repr__(self) -> str:
        return f"<SurveyResponse {self.id} {self.triage_status}>"


# --- practices, contacts and interests ----------------------------------------------------


class Practice(db.Model):
    """An oncology practice. Its answers are those of its most recent valid response
    (docs/domain.md#eligible-practices)."""

    __tablename__ = "practices"
    __table_args__ = (
        _null_or_one_of("practice_type", PRACTICE_TYPES, "practice_type_allowed"),
        CheckConstraint(
            "oncologists_count IS NULL OR oncologists_count BETWEEN 0 AND 10000",
            name="oncologists_count_range",
        ),
        CheckConstraint(
            "new_patients_per_year IS NULL OR new_patients_per_year BETWEEN 0 AND 10000000",
            name="new_patients_range",
        ),
        CheckConstraint(
            "asco_members_count IS NULL OR asco_members_count BETWEEN 0 AND 10000",
            name="asco_members_range",
        ),
        Index("ix_practices_country_name_key", "country_code", "name_key"),
        # The country page's "most recently answered" list, read backwards (README "Performance").
        Index("ix_practices_country_answers", "country_code", "answers_from", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    #: Name after Unicode normalization (case, accents, punctuation, spacing dropped), as
    #: docs/domain.md#eligible-practices compares names.
    name_key: Mapped[str] = mapped_column(String(300))
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"))
    city: Mapped[str | None] = mapped_column(String(200))
    city_key: Mapped[str | None] = mapped_column(String(200))
    practice_type: Mapped[str | None] = mapped_column(String(32))
    outpatient_hem_onc: Mapped[bool | None] = mapped_column(Boolean)
    oncologists_count: Mapped[int | None] = mapped_column(Integer)
    new_patients_per_year: Mapped[int | None] = mapped_column(Integer)
    #: Active ASCO members at the practice (QOPI needs at least one: docs/domain.md#programs).
    asco_members_count: Mapped[int | None] = mapped_column(Integer)
    ehr_use: Mapped[str | None] = mapped_column(String(32))
    #: Staff can read and understand QOPI measures in English (docs/domain.md#programs).
    reads_english: Mapped[bool | None] = mapped_column(Boolean)
    willing_to_sign_agreement: Mapped[bool | None] = mapped_column(Boolean)
    #: Submission time of the response whose answers the practice carries; NULL when none.
    answers_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    country: Mapped[Country] = relationship()
    contacts: Mapped[list[Contact]] = relationship(back_populates="practice")
    interests: Mapped[list[Interest]] = relationship(
        back_populates="practice", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Practice {self.id} {self.country_code}>"


class PracticeNameKey(db.Model):
    """A word of a practice's name, or the first or last four letters of one: the index that
    finds close names for suggestions (docs/decisions.md#name-keys) without reading every
    practice of the country. Written by ``crm.responses.matching`` whenever a practice is
    inserted or renamed."""

    __tablename__ = "practice_name_keys"
    __table_args__ = (Index("ix_practice_name_keys_lookup", "country_code", "key", "practice_id"),)

    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True
    )
    #: ``w:<word>``, ``p:<first four letters>`` or ``s:<last four letters>`` of a word.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    country_code: Mapped[str] = mapped_column(String(2))


class Contact(db.Model):
    """A person at a practice."""

    __tablename__ = "contacts"
    __table_args__ = (
        _null_or_one_of("preferred_language", LANGUAGES, "preferred_language_allowed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int | None] = mapped_column(
        ForeignKey("practices.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    #: Lower-cased email, for matching a practice by a shared contact email
    #: (docs/domain.md#eligible-practices).
    email_key: Mapped[str] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    preferred_language: Mapped[str | None] = mapped_column(String(5))
    #: Permission to contact is separate from consent and can be withdrawn.
    permission_to_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    permission_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    practice: Mapped[Practice | None] = relationship(back_populates="contacts")

    def __repr__(self) -> str:
        return f"<Contact {self.id}>"


class Interest(db.Model):
    """A practice's current interest in one program, traced to the response it came from."""

    __tablename__ = "interests"
    __table_args__ = (
        UniqueConstraint("practice_id", "program_code"),
        one_of("level", INTEREST_LEVELS),
        _null_or_one_of("timeframe", TIMEFRAMES, "timeframe_allowed"),
        Index("ix_interests_program_level", "program_code", "level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"))
    program_code: Mapped[str] = mapped_column(ForeignKey("programs.code"))
    level: Mapped[str] = mapped_column(String(16))
    timeframe: Mapped[str | None] = mapped_column(String(24))
    #: QCP: willing to pay the cost-based certification fee
    #: (docs/domain.md#eligible-practices).
    willing_to_pay_fee: Mapped[bool | None] = mapped_column(Boolean)
    #: Program-specific answers, e.g. QTP formats and licensing interest.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="SET NULL"), index=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    practice: Mapped[Practice] = relationship(back_populates="interests")


# --- maintained tallies ----------------------------------------------------------------------


class InterestTally(db.Model):
    """How many practices of a country hold an interest of one level in a program, and whether
    it makes them eligible (docs/domain.md#eligible-practices): the sums behind eligible
    counts and interest counts. Under the program code ``*`` every practice of the country
    counts once."""

    __tablename__ = "interest_tallies"

    country_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    program_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    eligible: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    practices: Mapped[int] = mapped_column(Integer, default=0)


class InterestTallyEntry(db.Model):
    """What one practice's interest in one program adds to ``interest_tallies`` now: the
    snapshot a change is compared with. No foreign key: the entry outlives a deleted practice
    until its share has been taken back."""

    __tablename__ = "interest_tally_entries"

    practice_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    country_code: Mapped[str] = mapped_column(String(2))
    level: Mapped[str] = mapped_column(String(16))
    eligible: Mapped[bool] = mapped_column(Boolean)


class ResponseTally(db.Model):
    """Responses that are not spam, per calendar month of submission (UTC), country and survey
    language: the dashboard's charts."""

    __tablename__ = "response_tallies"

    #: ``YYYY-MM`` of ``submitted_at`` in UTC.
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    #: ISO code; empty when the response has no country (some legacy imports).
    country_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    responses: Mapped[int] = mapped_column(Integer, default=0)


# --- merged practices and pairs that are not the same -------------------------------------------


class PracticeMerge(db.Model):
    """A practice merged into another (docs/domain.md#merges): its old page says where it
    went. ``into_practice_id`` follows later merges of the survivor, so it always names the
    practice that holds its history now."""

    __tablename__ = "practice_merges"

    #: The id the merged practice had (the practice row is gone: no foreign key).
    merged_practice_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    into_practice_id: Mapped[int | None] = mapped_column(
        ForeignKey("practices.id", ondelete="SET NULL"), index=True
    )
    merged_name: Mapped[str] = mapped_column(String(300))
    country_code: Mapped[str] = mapped_column(String(2))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    merged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )


class DistinctPractices(db.Model):
    """Two practices staff said are not the same: the scan for duplicates never pairs them
    again (docs/domain.md#merges). The lower id first."""

    __tablename__ = "practice_distinct_pairs"
    __table_args__ = (
        CheckConstraint("first_practice_id < second_practice_id", name="lower_id_first"),
    )

    first_practice_id: Mapped[int] = mapped_column(
        ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True
    )
    second_practice_id: Mapped[int] = mapped_column(
        ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
