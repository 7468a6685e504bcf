"""The workers' heartbeats: each running ``flask worker`` writes when it last went round its
loop, so ``/readyz`` and ``/metrics`` tell a stopped worker (docs/deploy.md#watch)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from crm.core.columns import UTCDateTime, utcnow
from crm.core.extensions import db


class WorkerHeartbeat(db.Model):
    """One worker process (its name, ``crm.outreach.outbox.worker_name``) and its latest beat;
    rows of workers silent for a day are deleted by the beating ones."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<WorkerHeartbeat {self.name}>"
