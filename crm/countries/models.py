"""Countries (ISO 3166-1) and the society's quality programs.

A country's pipeline: availability per program, privacy reviews, agreements, thresholds.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.columns import UTCDateTime, one_of, utcnow
from crm.core.extensions import db

if TYPE_CHECKING:
    from crm.accounts.models import User

INCOME_GROUPS = ("low", "lower_middle", "upper_middle", "high")
#: The society's quality programs, in display order (docs/domain.md#programs): the one list of
#: program codes that forms, the API and the public pages offer. QOPI and QCP are the ones with
#: a launch flag (``crm.readiness.rules.PROGRAMS_WITH_LAUNCH``).
PROGRAM_CODES = ("QOPI", "QCP", "QTP")


class Country(db.Model):
    """One ISO 3166-1 country; its display name comes from Babel's CLDR data, not this table."""

    __tablename__ = "countries"
    __table_args__ = (
        CheckConstraint(
            "income_group IS NULL OR income_group IN "
            "('low', 'lower_middle', 'upper_middle', 'high')",
            name="income_group_allowed",
        ),
    )

    #: ISO 3166-1 alpha-2, upper case (XK for Kosovo).
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    alpha3: Mapped[str] = mapped_column(String(3), unique=True)
    #: English reference name (search, logs); pages show ``crm.core.i18n.country_name``.
    name: Mapped[str] = mapped_column(String(100))
    #: UN M49 region and sub-region codes, e.g. "019" and "005" for Brazil.
    region: Mapped[str | None] = mapped_column(String(3), index=True)
    subregion: Mapped[str | None] = mapped_column(String(3))
    eu_member: Mapped[bool] = mapped_column(Boolean, default=False)
    #: World Bank income group; NULL where the World Bank does not classify the territory.
    income_group: Mapped[str | None] = mapped_column(String(20))
    #: The staff user who looks after the country; its alerts go to them.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))

    owner: Mapped[User | None] = relationship()
    availabilities: Mapped[list[Availability]] = relationship(back_populates="country")

    def __repr__(self) -> str:
        return f"<Country {self.code}>"


class Program(db.Model):
    """A quality program (QOPI, QCP, QTP), with its default launch threshold and capacity."""

    __tablename__ = "programs"
    __table_args__ = (
        CheckConstraint(
            "default_threshold IS NULL OR default_threshold BETWEEN 1 AND 1000",
            name="default_threshold_range",
        ),
        CheckConstraint("capacity IS NULL OR capacity BETWEEN 1 AND 1000", name="capacity_range"),
        one_of("code", PROGRAM_CODES, name="code_known"),
    )

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: Minimum eligible interested practices to open the program in a country
    #: (docs/domain.md#thresholds);
    #: NULL for programs without a launch flag (QTP).
    default_threshold: Mapped[int | None] = mapped_column(Integer)
    #: Most countries where the program may be launched at once (QCP only,
    #: docs/domain.md#capacity).
    capacity: Mapped[int | None] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<Program {self.code}>"


#: Availability statuses (docs/domain.md#availability), in pipeline order.
AVAILABILITY_STATUSES = (
    "not_available",
    "under_consideration",
    "in_pipeline",
    "pilot",
    "available",
    "suspended",
)
REVIEW_STATUSES = (
    "not_started",
    "requested",
    "in_review",
    "approved",
    "approved_with_conditions",
    "rejected",
)
AGREEMENT_STATUSES = (
    "draft",
    "negotiating",
    "out_for_signature",
    "signed",
    "expired",
    "terminated",
)


class Availability(db.Model):
    """Whether a program is offered in a country (one row per country × program)."""

    __tablename__ = "availabilities"
    __table_args__ = (
        UniqueConstraint("country_code", "program_code"),
        one_of("status", AVAILABILITY_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"))
    program_code: Mapped[str] = mapped_column(ForeignKey("programs.code"), index=True)
    status: Mapped[str] = mapped_column(String(24))
    #: Day the current status started (organization calendar day); NULL when unknown.
    since: Mapped[date | None] = mapped_column(Date)
    #: Where the status comes from: a seed document, "staff", "api", "import".
    source: Mapped[str] = mapped_column(String(200))
    #: Day the source stated this status.
    as_of: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    country: Mapped[Country] = relationship(back_populates="availabilities")
    program: Mapped[Program] = relationship()
    history: Mapped[list[AvailabilityChange]] = relationship(
        back_populates="availability",
        order_by="AvailabilityChange.recorded_at",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Availability {self.country_code} {self.program_code} {self.status}>"


class AvailabilityChange(db.Model):
    """One step in an availability's history, including statuses recorded from earlier seeds."""

    __tablename__ = "availability_changes"
    __table_args__ = (
        one_of("status", AVAILABILITY_STATUSES),
        CheckConstraint(
            "previous_status IS NULL OR previous_status IN ("
            + ", ".join(f"'{s}'" for s in AVAILABILITY_STATUSES)
            + ")",
            name="previous_status_allowed",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    availability_id: Mapped[int] = mapped_column(
        ForeignKey("availabilities.id", ondelete="CASCADE"), index=True
    )
    previous_status: Mapped[str | None] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(24))
    since: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    availability: Mapped[Availability] = relationship(back_populates="history")
    recorded_by: Mapped[User | None] = relationship()


privacy_review_programs = Table(
    "privacy_review_programs",
    db.metadata,
    Column(
        "privacy_review_id",
        ForeignKey("privacy_reviews.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("program_code", ForeignKey("programs.code"), primary_key=True),
)

agreement_programs = Table(
    "country_agreement_programs",
    db.metadata,
    Column(
        "country_agreement_id",
        ForeignKey("country_agreements.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("program_code", ForeignKey("programs.code"), primary_key=True),
)


class PrivacyReview(db.Model):
    """A legal privacy review of a country, covering one or more programs
    (docs/domain.md#pipeline)."""

    __tablename__ = "privacy_reviews"
    __table_args__ = (
        one_of("status", REVIEW_STATUSES),
        CheckConstraint(
            "decided_on IS NULL OR requested_on IS NULL OR decided_on >= requested_on",
            name="decided_after_requested",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), index=True)
    status: Mapped[str] = mapped_column(String(32))
    #: Day the current status was reached (organization calendar day).
    status_since: Mapped[date | None] = mapped_column(Date)
    applicable_law: Mapped[str | None] = mapped_column(String(200))
    counsel: Mapped[str | None] = mapped_column(String(200))
    requested_on: Mapped[date | None] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    conditions: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    programs: Mapped[list[Program]] = relationship(secondary=privacy_review_programs)

    @property
    def program_codes(self) -> frozenset[str]:
        return frozenset(p.code for p in self.programs)

    def __repr__(self) -> str:
        return f"<PrivacyReview {self.country_code} {self.status}>"


class CountryAgreement(db.Model):
    """A country-specific agreement covering one or more programs (docs/domain.md#pipeline)."""

    __tablename__ = "country_agreements"
    __table_args__ = (
        one_of("status", AGREEMENT_STATUSES),
        CheckConstraint(
            "expires_on IS NULL OR signed_on IS NULL OR expires_on >= signed_on",
            name="expires_after_signed",
        ),
        CheckConstraint(
            "effective_on IS NULL OR signed_on IS NULL OR effective_on >= signed_on",
            name="effective_after_signed",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), index=True)
    counterparty: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32))
    status_since: Mapped[date | None] = mapped_column(Date)
    signed_on: Mapped[date | None] = mapped_column(Date)
    effective_on: Mapped[date | None] = mapped_column(Date)
    #: Last day the agreement counts (included), organization calendar day
    #: (docs/domain.md#pipeline).
    expires_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    programs: Mapped[list[Program]] = relationship(secondary=agreement_programs)

    @property
    def program_codes(self) -> frozenset[str]:
        return frozenset(p.code for p in self.programs)

    def __repr__(self) -> str:
        return f"<CountryAgreement {self.country_code} {self.status}>"


class CountryThreshold(db.Model):
    """A per-country override of a program's default threshold (docs/domain.md#thresholds)."""

    __tablename__ = "country_thresholds"
    __table_args__ = (
        UniqueConstraint("country_code", "program_code"),
        CheckConstraint("min_eligible_practices BETWEEN 1 AND 1000", name="threshold_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"))
    program_code: Mapped[str] = mapped_column(ForeignKey("programs.code"))
    min_eligible_practices: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


Index("ix_availabilities_status", Availability.program_code, Availability.status)
