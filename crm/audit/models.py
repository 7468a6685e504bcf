"""The audit trail: every staff write, who, when, what, old and new value
(``docs/domain.md#roles``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.core.columns import UTCDateTime, utcnow
from crm.core.extensions import db


class AuditEvent(db.Model):
    """One recorded write. Country and practice keys are plain values so the row outlives them."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_entity", "entity_type", "entity_id"),
        Index("ix_audit_events_country_occurred", "country_code", "occurred_at"),
        Index("ix_audit_events_practice_occurred", "practice_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    #: Who acted, as shown: a user's email, "cli", "api:<email>", or "system".
    actor: Mapped[str] = mapped_column(String(255))
    #: Verb in dotted form, e.g. "availability.update", "privacy_review.create".
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    country_code: Mapped[str | None] = mapped_column(String(2))
    practice_id: Mapped[int | None] = mapped_column(Integer)
    #: {field: [old, new]} for updates; {field: [None, new]} for creations.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
