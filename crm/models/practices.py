"""Practices, their contacts, and their current interest in each program."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.models._types import UTCDateTime, one_of, utcnow

if TYPE_CHECKING:
    from crm.models.countries import Country

PRACTICE_TYPES = (
    "private_practice",
    "hospital_based",
    "academic_center",
    "cancer_center",
    "public_hospital",
    "other",
)
#: Interest levels of SPEC §4; "very" and "somewhat" make a practice interested (SPEC §3).
INTEREST_LEVELS = ("very", "somewhat", "not_very", "not_at_all")
INTERESTED_LEVELS = ("very", "somewhat")
TIMEFRAMES = ("within_6_months", "6_to_12_months", "over_12_months", "not_sure")
LANGUAGES = ("en", "es", "pt_BR")


class Practice(db.Model):
    """An oncology practice. Its answers are those of its most recent valid response (SPEC §3)."""

    __tablename__ = "practices"
    __table_args__ = (
        CheckConstraint(
            "practice_type IS NULL OR practice_type IN ("
            + ", ".join(f"'{t}'" for t in PRACTICE_TYPES)
            + ")",
            name="practice_type_allowed",
        ),
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
    #: Name after Unicode normalization (case, accents, punctuation, spacing dropped): SPEC §3.
    name_key: Mapped[str] = mapped_column(String(300))
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"))
    city: Mapped[str | None] = mapped_column(String(200))
    city_key: Mapped[str | None] = mapped_column(String(200))
    practice_type: Mapped[str | None] = mapped_column(String(32))
    outpatient_hem_onc: Mapped[bool | None] = mapped_column(Boolean)
    oncologists_count: Mapped[int | None] = mapped_column(Integer)
    new_patients_per_year: Mapped[int | None] = mapped_column(Integer)
    #: Active ASCO members at the practice (QOPI needs at least one: SPEC §2).
    asco_members_count: Mapped[int | None] = mapped_column(Integer)
    ehr_use: Mapped[str | None] = mapped_column(String(32))
    #: Staff can read and understand QOPI measures in English (SPEC §2).
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
    finds close names for suggestions (SPEC §3) without reading every practice of the country.
    Written by ``crm.practices`` whenever a practice is inserted or renamed."""

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
        CheckConstraint(
            "preferred_language IS NULL OR preferred_language IN ('en', 'es', 'pt_BR')",
            name="preferred_language_allowed",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int | None] = mapped_column(
        ForeignKey("practices.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    #: Lower-cased email, for matching a practice by a shared contact email (SPEC §3).
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
        CheckConstraint(
            "timeframe IS NULL OR timeframe IN (" + ", ".join(f"'{t}'" for t in TIMEFRAMES) + ")",
            name="timeframe_allowed",
        ),
        Index("ix_interests_program_level", "program_code", "level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"))
    program_code: Mapped[str] = mapped_column(ForeignKey("programs.code"))
    level: Mapped[str] = mapped_column(String(16))
    timeframe: Mapped[str | None] = mapped_column(String(24))
    #: QCP: willing to pay the cost-based certification fee (SPEC §3, QCP criterion 3).
    willing_to_pay_fee: Mapped[bool | None] = mapped_column(Boolean)
    #: Program-specific answers, e.g. QTP formats and licensing interest.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="SET NULL"), index=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    practice: Mapped[Practice] = relationship(back_populates="interests")
