"""Activities (note, call, email, meeting) and tasks on a country or a practice.

Each function records its audit event with the country and practice set, so the event shows
on those pages, flushes and returns the row; the caller commits. Dates are the organization's
calendar days.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from crm.accounts.models import User
from crm.activities.models import (
    ACTIVITY_KINDS,
    OPEN_TASK_STATUSES,
    TASK_STATUSES,
    Activity,
    Task,
)
from crm.audit import operations as audit
from crm.core.clock import org_today
from crm.core.columns import utcnow
from crm.core.extensions import db
from crm.responses.models import Practice

logger = logging.getLogger(__name__)


def _target(country_code: str | None, practice: Practice | None) -> dict[str, object]:
    if (country_code is None) == (practice is None):
        raise ValueError("give exactly one of country_code and practice")
    if practice is not None:
        return {"country_code": None, "practice_id": practice.id}
    return {"country_code": country_code, "practice_id": None}


def _audit_place(country_code: str | None, practice: Practice | None) -> dict[str, object]:
    if practice is not None:
        return {"country_code": practice.country_code, "practice_id": practice.id}
    return {"country_code": country_code, "practice_id": None}


def _check_activity(kind: str, occurred_on: date, occurred_at: datetime | None) -> None:
    """Raise ``ValueError`` for an unknown kind, or an ``occurred_at`` that is naive or falls
    on another organization day than ``occurred_on``."""
    if kind not in ACTIVITY_KINDS:
        raise ValueError(f"unknown activity kind {kind!r}")
    if occurred_at is not None:
        if occurred_at.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")
        if org_today(occurred_at) != occurred_on:
            raise ValueError("occurred_at falls on another organization day than occurred_on")


def add_activity(
    *,
    kind: str,
    subject: str,
    body: str | None,
    occurred_on: date,
    occurred_at: datetime | None = None,
    country_code: str | None = None,
    practice: Practice | None = None,
    author: User | None = None,
) -> Activity:
    """Log a note, call, email or meeting on a country (ISO code) or a practice, not both.

    ``occurred_on`` is the organization's calendar day it happened on. ``occurred_at`` is the
    instant (timezone-aware) only when a time was given; without one the activity is a date
    alone and no page shows a time for it (docs/domain.md#dates). ``author`` defaults to the
    acting user. Raises ``ValueError`` for an unknown kind, a naive ``occurred_at`` or one on
    another organization day than ``occurred_on``, or when neither or both of
    ``country_code`` and ``practice`` are given.
    """
    _check_activity(kind, occurred_on, occurred_at)
    author_id = author.id if author is not None else audit.current_actor()[0]
    activity = Activity(
        kind=kind,
        subject=subject.strip(),
        body=(body or "").strip() or None,
        occurred_on=occurred_on,
        occurred_at=occurred_at,
        author_id=author_id,
        **_target(country_code, practice),
    )
    db.session.add(activity)
    db.session.flush()
    changes: dict[str, list[object]] = {
        "kind": [None, kind],
        "subject": [None, activity.subject],
        "occurred_on": [None, occurred_on],
    }
    if occurred_at is not None:
        changes["occurred_at"] = [None, occurred_at]
    audit.record(
        "activity.create", "activity", activity.id, changes, **_audit_place(country_code, practice)
    )
    logger.info("activity %s added by %s", activity.id, audit.current_actor()[1])
    return activity


def add_task(
    *,
    title: str,
    owner: User,
    due_on: date | None,
    notes: str | None = None,
    country_code: str | None = None,
    practice: Practice | None = None,
    status: str = "open",
) -> Task:
    """Create a task owned by ``owner`` on a country (ISO code) or a practice, not both.

    ``due_on`` is an organization calendar day (None: no due date). Raises ``ValueError`` for an
    unknown status or when neither or both targets are given.
    """
    if status not in TASK_STATUSES:
        raise ValueError(f"unknown task status {status!r}")
    task = Task(
        title=title.strip(),
        notes=(notes or "").strip() or None,
        owner_id=owner.id,
        due_on=due_on,
        status=status,
        created_by_id=audit.current_actor()[0],
        completed_at=None if status in OPEN_TASK_STATUSES else utcnow(),
        **_target(country_code, practice),
    )
    db.session.add(task)
    db.session.flush()
    audit.record(
        "task.create",
        "task",
        task.id,
        {
            "title": [None, task.title],
            "owner": [None, owner.email],
            "due_on": [None, due_on],
            "status": [None, status],
        },
        **_audit_place(country_code, practice),
    )
    logger.info("task %s added by %s", task.id, audit.current_actor()[1])
    return task


def set_task_status(task: Task, status: str) -> Task:
    """Move ``task`` to ``status`` (``TASK_STATUSES``); done/cancelled stamp completion,
    reopening clears it. Raises ``ValueError`` for an unknown status."""
    if status not in TASK_STATUSES:
        raise ValueError(f"unknown task status {status!r}")
    if status == task.status:
        return task
    before = task.status
    task.status = status
    task.completed_at = None if status in OPEN_TASK_STATUSES else utcnow()
    practice = db.session.get(Practice, task.practice_id) if task.practice_id else None
    audit.record(
        "task.status",
        "task",
        task.id,
        {"status": [before, status]},
        **_audit_place(task.country_code, practice),
    )
    db.session.flush()
    return task
