"""The facts ``/readyz`` and ``/metrics`` report (docs/deploy.md#watch). Each is a few index
reads whatever the number of responses or emails: never a scan of a whole table.

Times are UTC; ages in seconds.
"""

from __future__ import annotations

import functools
from collections import Counter
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import func, or_, select, text

from crm.core.extensions import db
from crm.monitoring.models import WorkerHeartbeat
from crm.outreach.models import OutboxMessage
from crm.readiness.operations import latest_states
from crm.readiness.rules import State
from crm.responses.models import SurveyResponse

#: Outbox statuses counted by :func:`outbox_counts`: every status but ``sent``, whose rows
#: grow with every email ever sent (counting them would read them all).
COUNTED_OUTBOX_STATUSES = ("queued", "sending", "failed")


def database_answers() -> bool:
    """Run ``SELECT 1``; True when the database answered (raises the driver's error else)."""
    return db.session.execute(text("SELECT 1")).scalar() == 1


def schema_revision() -> str | None:
    """The Alembic revision the database is at (``alembic_version``), None when unversioned."""
    return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()


@functools.cache
def _heads(directory: str) -> frozenset[str]:
    return frozenset(ScriptDirectory(directory).get_heads())


def head_revisions() -> frozenset[str]:
    """The head revisions of the migrations this code ships (read once per process)."""
    directory = current_app.extensions["migrate"].directory
    return _heads(str(Path(current_app.root_path) / directory))


def newest_heartbeat() -> datetime | None:
    """When a worker last went round its loop (``WorkerHeartbeat``), None when none ever did."""
    return db.session.scalar(select(func.max(WorkerHeartbeat.beat_at)))


def workers_beating_since(since: datetime) -> int:
    """How many workers have beaten since ``since``."""
    return db.session.scalar(
        select(func.count()).select_from(WorkerHeartbeat).where(WorkerHeartbeat.beat_at >= since)
    )


def oldest_waiting_response() -> datetime | None:
    """When the oldest response still waiting to be filed was stored, None when none waits
    (the partial index ``ix_survey_responses_unfiled``: one entry read)."""
    return db.session.scalar(
        select(SurveyResponse.created_at)
        .where(SurveyResponse.filed_at.is_(None))
        .order_by(SurveyResponse.id)
        .limit(1)
    )


def waiting_responses() -> int:
    """How many responses wait to be filed (the partial index: as many entries as wait)."""
    return db.session.scalar(
        select(func.count()).select_from(SurveyResponse).where(SurveyResponse.filed_at.is_(None))
    )


def oldest_due_email(now: datetime) -> datetime | None:
    """Since when the longest-due email has been due: the earliest ``next_attempt_at`` of a
    queued row due by ``now``, or the earliest lapsed claim of a ``sending`` row (its worker
    died); None when nothing is due. Reads the index on (status, next_attempt_at)."""
    queued = db.session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now
        )
    )
    lapsed = db.session.scalar(
        select(func.min(OutboxMessage.locked_until)).where(
            OutboxMessage.status == "sending",
            or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
        )
    )
    found = [moment for moment in (queued, lapsed) if moment is not None]
    return min(found) if found else None


def outbox_counts() -> dict[str, int]:
    """Emails per status of :data:`COUNTED_OUTBOX_STATUSES` (0 where none)."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.status.in_(COUNTED_OUTBOX_STATUSES))
        .group_by(OutboxMessage.status)
    ).all()
    return {status: 0 for status in COUNTED_OUTBOX_STATUSES} | dict(rows)


def readiness_counts() -> dict[tuple[str, str], int]:
    """Countries per (program, readiness state) as last recorded (``readiness_changes``: at
    each write in a country and by the worker's daily job, docs/decisions.md#readiness-recording
    and #metrics): the latest change of each pair, a few hundred rows read through their index,
    never the board's assessment of every country. Every state is listed for each program
    recorded, 0 where no country is in it; empty before any state was recorded."""
    found = Counter((program, state) for (_country, program), state in latest_states().items())
    programs = sorted({program for program, _state in found})
    return {(program, str(state)): found[(program, str(state))] for program in programs
            for state in State}  # fmt: skip
