"""Activities (notes, calls, emails, meetings) and tasks on countries and practices."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.clock import org_today
from crm.core.columns import UTCDateTime, one_of, utcnow
from crm.core.extensions import db

if TYPE_CHECKING:
    from crm.accounts.models import User

ACTIVITY_KINDS = ("note", "call", "email", "meeting")
TASK_STATUSES = ("open", "in_progress", "done", "cancelled")
#: Task statuses that still need work ("my tasks" lists these; alerts remind of them).
OPEN_TASK_STATUSES = ("open", "in_progress")

_ON_SOMETHING = "country_code IS NOT NULL OR practice_id IS NOT NULL"


class Activity(db.Model):
    """Something that happened with a country or a practice, for its timeline."""

    __tablename__ = "activities"
    __table_args__ = (
        one_of("kind", ACTIVITY_KINDS),
        CheckConstraint(_ON_SOMETHING, name="on_country_or_practice"),
        Index("ix_activities_country_occurred", "country_code", "occurred_on"),
        Index("ix_activities_practice_occurred", "practice_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    country_code: Mapped[str | None] = mapped_column(ForeignKey("countries.code"))
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    #: The organization's calendar day it happened on; a day typed without a time stays a day
    #: (docs/domain.md#dates). The default is called without SQLAlchemy's context argument.
    occurred_on: Mapped[date] = mapped_column(Date, default=lambda: org_today())
    #: The instant it happened, only when a time was given (UTC); NULL for a date alone, so no
    #: page shows a time nobody entered.
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class Task(db.Model):
    """A to-do with an owner and a due date, on a country or a practice."""

    __tablename__ = "tasks"
    __table_args__ = (
        one_of("status", TASK_STATUSES),
        CheckConstraint(_ON_SOMETHING, name="on_country_or_practice"),
        Index("ix_tasks_owner_status_due", "owner_id", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    country_code: Mapped[str | None] = mapped_column(ForeignKey("countries.code"), index=True)
    practice_id: Mapped[int | None] = mapped_column(
        ForeignKey("practices.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    #: Organization calendar day.
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
