"""The demo's staff and their work: demo users, and the activities and tasks they own on the
designed countries and a few practices (``crm.demo.plans``).
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from crm.accounts.models import User
from crm.activities import operations as activities
from crm.cli import create_user
from crm.core.extensions import db
from crm.demo.plans import (
    COUNTRY_ACTIVITIES,
    COUNTRY_TASKS,
    DEMO_STAFF,
    PRACTICE_ACTIVITIES,
    PRACTICE_TASKS,
)
from crm.responses.models import Practice

DEMO_EMAIL_DOMAIN = "demo.example.org"


def add_users() -> list[User]:
    """Create the DEMO_STAFF users not there yet; returns the owners of activities and tasks:
    the demo admin (``CRM_DEMO_ADMIN_EMAIL``) when it exists, then the staff who are not
    viewers."""
    staff = []
    for local, name, role in DEMO_STAFF:
        email = f"{local}@{DEMO_EMAIL_DOMAIN}"
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            # Random and never shown: demo people exist to own tasks; log in as the demo admin.
            user = create_user(email, role, secrets.token_urlsafe(18), name=name)
        if role != "viewer":
            staff.append(user)
    admin = db.session.scalar(
        select(User).where(User.email == current_app.config["CRM_DEMO_ADMIN_EMAIL"])
    )
    return [admin, *staff] if admin is not None else staff


def add_timeline(owners: list[User], today: date) -> tuple[int, int]:
    """Activities and tasks on the designed countries and a few practices, shared out among
    ``owners`` in turn; returns how many activities and tasks were added."""
    return _add_activities(owners, today), _add_tasks(owners, today)


def _first_practice(code: str, eligible: bool = True) -> Practice | None:
    """The country's oldest practice, the oldest one with an ASCO member that reads English
    when ``eligible``."""
    statement = select(Practice).where(Practice.country_code == code).order_by(Practice.id)
    if eligible:
        statement = statement.where(
            Practice.asco_members_count > 0, Practice.reads_english.is_(True)
        )
    return db.session.scalars(statement.limit(1)).first()


def _add_activities(owners: list[User], today: date) -> int:
    """COUNTRY_ACTIVITIES and PRACTICE_ACTIVITIES (where the country has a practice)."""
    for i, (code, kind, subject, body, days_ago) in enumerate(COUNTRY_ACTIVITIES):
        activities.add_activity(
            kind=kind,
            subject=subject,
            body=body,
            occurred_on=today - timedelta(days=days_ago),
            country_code=code,
            author=owners[i % len(owners)],
        )
    count = len(COUNTRY_ACTIVITIES)
    for i, (code, kind, subject, days_ago) in enumerate(PRACTICE_ACTIVITIES):
        practice = _first_practice(code)
        if practice is not None:
            activities.add_activity(
                kind=kind,
                subject=subject,
                body=None,
                occurred_on=today - timedelta(days=days_ago),
                practice=practice,
                author=owners[(i + 1) % len(owners)],
            )
            count += 1
    return count


def _add_tasks(owners: list[User], today: date) -> int:
    """COUNTRY_TASKS and PRACTICE_TASKS (where the country has a practice)."""
    for i, (code, title, due_in, status) in enumerate(COUNTRY_TASKS):
        activities.add_task(
            title=title,
            owner=owners[i % len(owners)],
            due_on=today + timedelta(days=due_in) if due_in is not None else None,
            country_code=code,
            status=status,
        )
    tasks = len(COUNTRY_TASKS)
    for i, (code, title, due_in) in enumerate(PRACTICE_TASKS):
        practice = _first_practice(code, eligible=code != "PE")
        if practice is not None:
            activities.add_task(
                title=title,
                owner=owners[(i + 2) % len(owners)],
                due_on=today + timedelta(days=due_in),
                practice=practice,
            )
            tasks += 1
    return tasks
