"""The readiness history: each recorded change of a country's readiness for a program, the count
of eligible practices on each day it moved, and the dashboard's responses per recent day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.core.columns import UTCDateTime, one_of, utcnow
from crm.core.extensions import db
from crm.readiness.rules import State

#: Readiness states a recorded change may hold: the readiness rules' own vocabulary.
READINESS_STATES = tuple(str(state) for state in State)


class ReadinessChange(db.Model):
    """A recorded change of a country's readiness state for a program
    (docs/decisions.md#readiness-recording)."""

    __tablename__ = "readiness_changes"
    __table_args__ = (one_of("state", READINESS_STATES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"))
    program_code: Mapped[str] = mapped_column(ForeignKey("programs.code"))
    previous_state: Mapped[str | None] = mapped_column(String(24))
    state: Mapped[str] = mapped_column(String(24))
    #: Organization calendar day of the change.
    changed_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The criteria as the engine gave them: [{"key", "met", "params"}].
    criteria: Mapped[list] = mapped_column(JSON, default=list)

    __mapper_args__ = {"eager_defaults": False}


Index(
    "ix_readiness_changes_country_program",
    ReadinessChange.country_code,
    ReadinessChange.program_code,
    ReadinessChange.recorded_at,
)


class EligibleCount(db.Model):
    """Eligible practices of a country for a program at the end of an organization day,
    recorded on the days the count moved (docs/domain.md#forecast): the count on any day is
    the latest row on or before it (none: 0). Recorded with readiness, at commit."""

    __tablename__ = "eligible_counts"

    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), primary_key=True)
    program_code: Mapped[str] = mapped_column(ForeignKey("programs.code"), primary_key=True)
    #: Organization calendar day the count holds at the end of.
    counted_on: Mapped[date] = mapped_column(Date, primary_key=True)
    practices: Mapped[int] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<EligibleCount {self.country_code} {self.program_code} {self.counted_on}>"


class ResponseDayCount(db.Model):
    """Responses that are not spam per organization day, country and language, for the days
    before today of the dashboard's 30-day figures (docs/decisions.md#day-counts). Counted again
    for the recent days every night; today's responses are counted live."""

    __tablename__ = "response_day_counts"

    counted_on: Mapped[date] = mapped_column(Date, primary_key=True)
    #: "" when the response names no country (or language).
    country_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    responses: Mapped[int] = mapped_column(Integer)
