"""The readiness history: each recorded change of a country's readiness for a program."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String
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
