"""Activities (note, call, email, meeting) and tasks on a country or a practice (SPEC §2).

Each function records its audit event with the country and practice set, so the event shows
on those pages, flushes and returns the row; the caller commits. Dates are the organization's
calendar days.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time

from crm import audit
from crm.clock import org_timezone, org_today
from crm.extensions import db
from crm.models import ACTIVITY_KINDS, TASK_STATUSES, Activity, Practice, Task, User
from crm.models._types import utcnow

logger = logging.getLogger(__name__)

#: Task statuses that still need work ("my tasks" lists these).
OPEN_TASK_STATUSES = ("open", "in_progress")


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


def occurred_instant(day: date) -> datetime:
    """The UTC instant stored for an activity on the organization's calendar ``day``: now for
    today (keeps the timeline's order within the day), local noon for any other day."""
    if day == org_today():
        return utcnow()
    return datetime.combine(day, time(12), tzinfo=org_timezone()).astimezone(UTC)


def add_activity(
    *,
    kind: str,
    subject: str,
    body: str | None,
    occurred_on: date,
    country_code: str | None = None,
    practice: Practice | None = None,
    author: User | None = None,
) -> Activity:
    """Log a note, call, email or meeting on a country (ISO code) or a practice, not both.

    ``author`` defaults to the acting user. Raises ``ValueError`` for an unknown kind or when
    neither or both of ``country_code`` and ``practice`` are given.
    """
    if kind not in ACTIVITY_KINDS:
        raise ValueError(f"unknown activity kind {kind!r}")
    author_id = author.id if author is not None else audit.current_actor()[0]
    activity = Activity(
        kind=kind,
        subject=subject.strip(),
        body=(body or "").strip() or None,
        occurred_at=occurred_instant(occurred_on),
        author_id=author_id,
        **_target(country_code, practice),
    )
    db.session.add(activity)
    db.session.flush()
    audit.record(
        "activity.create",
        "activity",
        activity.id,
        {
            "kind": [None, kind],
            "subject": [None, activity.subject],
            "occurred_on": [None, occurred_on],
        },
        **_audit_place(country_code, practice),
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
    """Move ``task`` to ``status`` (SPEC §2 task statuses); done/cancelled stamp completion,
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
