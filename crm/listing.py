"""Query builders for the staff lists: the response inbox, practices, contacts, tasks and the
activity timeline. Lists are paginated in SQL (LIMIT/OFFSET), never loaded whole."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import abort
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import (
    Activity,
    AuditEvent,
    Contact,
    Interest,
    Practice,
    Role,
    SurveyResponse,
    Task,
    User,
)
from crm.models.practices import INTERESTED_LEVELS
from crm.operations.activities import OPEN_TASK_STATUSES
from crm.practices import normalize_key

PER_PAGE = 50
#: Largest id an integer primary key holds on PostgreSQL; larger ones cannot exist.
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Page:
    """One page of a list: ``items``, the 1-based ``number``, ``per_page`` and ``total`` rows."""

    items: list[Any]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(statement: Select, page: int, per_page: int | None = None) -> Page:
    """Run ``statement`` for page ``page`` (clamped to 1..pages) with a COUNT for the total;
    ``per_page`` defaults to PER_PAGE."""
    per_page = per_page or PER_PAGE
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    number = min(max(page, 1), pages)
    items = db.session.scalars(statement.limit(per_page).offset((number - 1) * per_page)).all()
    return Page(list(items), number, per_page, total)


def page_number(raw: str | None) -> int:
    """The ``?page=`` argument as a positive int; 1 for anything else."""
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def get_row(model: type[Any], ident: int | None) -> Any | None:
    """The ``model`` row with primary key ``ident``, or None; ids outside 1..MAX_ID are None
    rather than a database error (PostgreSQL's integer range, SQLite's 64-bit limit)."""
    if ident is None or not 0 < ident <= MAX_ID:
        return None
    return db.session.get(model, ident)


def get_row_or_404(model: type[Any], ident: int) -> Any:
    """The ``model`` row with primary key ``ident``; aborts 404 when there is none."""
    row = get_row(model, ident)
    if row is None:
        abort(404)
    return row


# --- responses ---------------------------------------------------------------------------------


def query_responses(
    *,
    status: str | None = "new",
    country_code: str | None = None,
    language: str | None = None,
    with_suggestion: bool = False,
) -> Select:
    """Filed responses matching the inbox filters, newest first (``status`` None: every
    status). Responses still waiting for the worker are left out (:func:`waiting_responses`)."""
    statement = (
        select(SurveyResponse)
        .options(
            selectinload(SurveyResponse.practice), selectinload(SurveyResponse.suggested_practice)
        )
        .where(SurveyResponse.filed_at.is_not(None))
    )
    if status:
        statement = statement.where(SurveyResponse.triage_status == status)
    if country_code:
        statement = statement.where(SurveyResponse.country_code == country_code)
    if language:
        statement = statement.where(SurveyResponse.language == language)
    if with_suggestion:
        statement = statement.where(SurveyResponse.suggested_practice_id.is_not(None))
    return statement.order_by(SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc())


@dataclass(frozen=True)
class Waiting:
    """Responses stored but not filed yet: how many, and when the oldest arrived (UTC)."""

    count: int
    oldest: datetime | None


def waiting_responses() -> Waiting:
    """How many responses wait for the worker to file them, and the oldest one's submit time.
    Reads the partial index of unfiled responses: cheap however many responses are filed."""
    count, oldest = db.session.execute(
        select(func.count(), func.min(SurveyResponse.submitted_at)).where(
            SurveyResponse.filed_at.is_(None)
        )
    ).one()
    return Waiting(count=count, oldest=oldest)


def response_countries() -> list[str]:
    """ISO codes of countries with at least one response."""
    return list(
        db.session.scalars(
            select(SurveyResponse.country_code)
            .where(SurveyResponse.country_code.is_not(None))
            .distinct()
        )
    )


def practice_countries() -> list[str]:
    """ISO codes of countries with at least one practice."""
    return list(db.session.scalars(select(Practice.country_code).distinct()))


def practice_responses(practice_id: int) -> list[SurveyResponse]:
    """Every response filed under a practice, newest first."""
    return list(
        db.session.scalars(
            select(SurveyResponse)
            .where(SurveyResponse.practice_id == practice_id)
            .order_by(SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc())
        )
    )


def search_practices(
    country_code: str, text: str, exclude_id: int | None = None, limit: int = 20
) -> list[Practice]:
    """Practices of a country whose name contains ``text`` (SPEC §3 normalization: case,
    accents, punctuation and spacing ignored), by name; at most ``limit``."""
    key = normalize_key(text)
    if not key:
        return []
    statement = select(Practice).where(
        Practice.country_code == country_code, Practice.name_key.contains(key, autoescape=True)
    )
    if exclude_id is not None:
        statement = statement.where(Practice.id != exclude_id)
    return list(db.session.scalars(statement.order_by(Practice.name).limit(limit)))


# --- practices and contacts --------------------------------------------------------------------


def query_practices(
    *, text: str | None = None, country_code: str | None = None, program: str | None = None
) -> Select:
    """Practices matching the list filters, by country then name. ``program``: interested
    (very or somewhat) in that program."""
    statement = select(Practice).options(selectinload(Practice.interests))
    key = normalize_key(text)
    if key:
        statement = statement.where(Practice.name_key.contains(key, autoescape=True))
    if country_code:
        statement = statement.where(Practice.country_code == country_code)
    if program:
        statement = statement.where(
            Practice.interests.any(
                (Interest.program_code == program) & Interest.level.in_(INTERESTED_LEVELS)
            )
        )
    return statement.order_by(Practice.country_code, Practice.name, Practice.id)


def response_counts(practice_ids: list[int]) -> dict[int, int]:
    """Practice id → number of responses filed under it (every triage status)."""
    if not practice_ids:
        return {}
    rows = db.session.execute(
        select(SurveyResponse.practice_id, func.count())
        .where(SurveyResponse.practice_id.in_(practice_ids))
        .group_by(SurveyResponse.practice_id)
    )
    return {practice_id: n for practice_id, n in rows}


def query_contacts(
    *, text: str | None = None, country_code: str | None = None, permission: bool | None = None
) -> Select:
    """Contacts matching the list filters, by name. ``text`` matches name or email."""
    statement = select(Contact).options(selectinload(Contact.practice))
    if text and text.strip():
        pattern = text.strip().lower()
        statement = statement.where(
            or_(
                func.lower(Contact.name).contains(pattern, autoescape=True),
                Contact.email_key.contains(pattern, autoescape=True),
            )
        )
    if country_code:
        statement = statement.where(Contact.practice.has(Practice.country_code == country_code))
    if permission is not None:
        statement = statement.where(Contact.permission_to_contact.is_(permission))
    return statement.order_by(Contact.name, Contact.id)


def practice_audit(practice_id: int, limit: int = 100) -> list[AuditEvent]:
    """The practice's audit trail, newest first."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.practice_id == practice_id)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


# --- activities and tasks ----------------------------------------------------------------------


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
    """The owner's open and in-progress tasks (SPEC §5 "my tasks"): overdue first (due before
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


def practices_by_id(ids: set[int]) -> dict[int, Practice]:
    """Practice id → Practice for the given ids (missing ones left out)."""
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(select(Practice).where(Practice.id.in_(ids)))}
