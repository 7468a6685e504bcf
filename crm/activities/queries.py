"""What the activity timeline and the task lists show, newest or most urgent first."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, case, or_, select
from sqlalchemy.orm import selectinload

from crm.accounts.models import Role, User
from crm.activities.models import OPEN_TASK_STATUSES, Activity, Task
from crm.core.extensions import db
from crm.responses.models import Practice


def _on(statement: Select, model, country_code: str | None, practice_id: int | None,
        include_practices: bool) -> Select:  # fmt: skip
    """``statement`` narrowed to rows of a practice, or of a country (with its practices')."""
    if practice_id is not None:
        return statement.where(model.practice_id == practice_id)
    if not include_practices:
        return statement.where(model.country_code == country_code)
    # The practice's country looked up row by row (a scalar subquery neither database turns
    # into "every practice of the country"): the cost follows the activities and tasks, not
    # the practices (README "Performance").
    practice_country = (
        select(Practice.country_code).where(Practice.id == model.practice_id).scalar_subquery()
    )
    return statement.where(
        or_(model.country_code == country_code, practice_country == country_code)
    )


def timeline(
    *,
    country_code: str | None = None,
    practice_id: int | None = None,
    include_practices: bool = False,
    limit: int = 30,
) -> list[Activity]:
    """Activities of a country or a practice, newest day first; within a day, those with a
    time latest first, then those logged as a day alone, latest logged first. For a country,
    ``include_practices`` adds those logged on its practices."""
    return list(
        db.session.scalars(
            _on(select(Activity), Activity, country_code, practice_id, include_practices)
            .options(selectinload(Activity.author))
            .order_by(
                Activity.occurred_on.desc(),
                Activity.occurred_at.is_(None),
                Activity.occurred_at.desc(),
                Activity.created_at.desc(),
                Activity.id.desc(),
            )
            .limit(limit)
        )
    )


def _due_order(today: date) -> tuple:
    """Overdue first, then by due date (none last), then oldest first."""
    overdue = case((Task.due_on < today, 0), else_=1)
    return overdue, Task.due_on.is_(None), Task.due_on, Task.id


def open_tasks(
    *,
    country_code: str | None = None,
    practice_id: int | None = None,
    include_practices: bool = False,
    today: date,
    limit: int = 50,
) -> list[Task]:
    """Open and in-progress tasks of a country or a practice, overdue first then by due date."""
    return list(
        db.session.scalars(
            _on(select(Task), Task, country_code, practice_id, include_practices)
            .options(selectinload(Task.owner))
            .where(Task.status.in_(OPEN_TASK_STATUSES))
            .order_by(*_due_order(today))
            .limit(limit)
        )
    )


def my_tasks(owner_id: int, today: date) -> Select:
    """The owner's open and in-progress tasks ("my tasks"): overdue first (due before
    the organization's ``today``), then by due date, tasks without one last."""
    return (
        select(Task)
        .where(Task.owner_id == owner_id, Task.status.in_(OPEN_TASK_STATUSES))
        .order_by(*_due_order(today))
    )


def staff_members() -> list[User]:
    """Active accounts that may own tasks (staff and admins), by name then email."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.roles.any(Role.name.in_(("staff", "admin"))))
            .order_by(User.name, User.email)
        )
    )


def task_list(*, owner_id: int | None, statuses: tuple[str, ...], sort: str, today: date
              ) -> Select:  # fmt: skip
    """Tasks of ``owner_id`` (None: anyone's) in ``statuses``, overdue first then by due date
    (``sort`` "due"), or newest first ("-created")."""
    statement = select(Task).options(selectinload(Task.owner)).where(Task.status.in_(statuses))
    if owner_id is not None:
        statement = statement.where(Task.owner_id == owner_id)
    if sort == "-created":
        return statement.order_by(Task.created_at.desc(), Task.id.desc())
    return statement.order_by(*_due_order(today))
