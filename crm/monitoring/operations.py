"""The worker's heartbeat (docs/deploy.md#watch): written by each ``flask worker`` as it goes
round its loop, read by ``/readyz`` and ``/metrics``."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, update

from crm.core.extensions import db
from crm.monitoring.models import WorkerHeartbeat

#: Heartbeats older than this belong to workers long gone; beating deletes them.
FORGET_AFTER = timedelta(days=1)


def beat(name: str, now: datetime) -> None:
    """Record that the worker ``name`` went round its loop at ``now`` (UTC), and forget the
    heartbeats of workers silent for :data:`FORGET_AFTER`; commits (its own short
    transaction: the worker calls it between its rounds)."""
    updated = db.session.execute(
        update(WorkerHeartbeat).where(WorkerHeartbeat.name == name).values(beat_at=now)
    ).rowcount
    if not updated:
        db.session.add(WorkerHeartbeat(name=name, started_at=now, beat_at=now))
    db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.beat_at < now - FORGET_AFTER))
    db.session.commit()
