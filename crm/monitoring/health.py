"""``/readyz``'s checks (docs/deploy.md#watch): the database answers, its schema is at the head
revision this code ships, a worker beat recently, and neither the oldest response waiting to be
filed nor the oldest email due is older than its limit.

Each check is a name, whether it passed and a few numbers (ages and limits in seconds,
revisions): never a row's content, so the answer holds no personal data.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from crm.core.extensions import db
from crm.monitoring import queries

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    """One check: its ``name``, whether it passed (``ok``), and what it saw (``detail``: numbers
    and revision names only)."""

    name: str
    ok: bool
    detail: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """``{"ok": bool, **detail}``, the check's JSON."""
        return {"ok": self.ok, **self.detail}


def age_check(name: str, since: datetime | None, now: datetime, limit: int) -> Check:
    """Passes when ``since`` is None (nothing waits) or at most ``limit`` seconds before
    ``now``; its detail gives ``age_seconds`` (None when nothing waits) and ``limit_seconds``."""
    age = None if since is None else max(0.0, (now - since).total_seconds())
    ok = age is None or age <= limit
    return Check(name, ok, {"age_seconds": None if age is None else round(age, 1),
                            "limit_seconds": limit})  # fmt: skip


def heartbeat_check(beat: datetime | None, now: datetime, limit: int) -> Check:
    """Passes when a worker beat at most ``limit`` seconds before ``now``; never having beaten
    fails (no worker has run on this database)."""
    if beat is None:
        return Check("worker", False, {"age_seconds": None, "limit_seconds": limit})
    return age_check("worker", beat, now, limit)


def schema_check(revision: str | None, heads: frozenset[str]) -> Check:
    """Passes when the database's revision is one of the heads this code ships (run
    ``flask db upgrade`` otherwise)."""
    return Check("schema", revision in heads, {"revision": revision, "expected": sorted(heads)})


def readiness_checks(now: datetime, limits: Mapping[str, int]) -> list[Check]:
    """Every check of ``/readyz`` at ``now`` (UTC), with ``limits`` in seconds under the keys
    ``READY_HEARTBEAT_SECONDS``, ``READY_WAITING_SECONDS``, ``READY_OUTBOX_SECONDS``.

    When the database does not answer (any ``SQLAlchemyError``: its type is logged, never its
    message) the database check fails and the others are reported failed, not run.
    """
    try:
        queries.database_answers()
        checks = [
            Check("database", True),
            schema_check(queries.schema_revision(), queries.head_revisions()),
            heartbeat_check(queries.newest_heartbeat(), now, limits["READY_HEARTBEAT_SECONDS"]),
            age_check(
                "waiting_responses",
                queries.oldest_waiting_response(),
                now,
                limits["READY_WAITING_SECONDS"],
            ),
            age_check("outbox", queries.oldest_due_email(now), now, limits["READY_OUTBOX_SECONDS"]),
        ]
    except SQLAlchemyError as error:
        db.session.rollback()
        logger.warning("readiness: the database did not answer (%s)", type(error).__name__)
        names = ("schema", "worker", "waiting_responses", "outbox")
        checks = [Check("database", False, {"error": type(error).__name__})]
        checks += [Check(name, False, {"skipped": True}) for name in names]
    db.session.rollback()  # end the read: nothing was written
    return checks


def report(checks: list[Check]) -> tuple[dict[str, Any], int]:
    """The JSON body and status of ``/readyz``: ``{"status": "ready" | "not ready", "checks":
    {name: {"ok": ..., ...}}}``, 200 when every check passed, else 503."""
    ready = all(check.ok for check in checks)
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {check.name: check.as_dict() for check in checks},
    }
    return body, 200 if ready else 503
