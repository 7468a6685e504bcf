"""Recording changes of readiness with their date (docs/decisions.md#readiness-recording).

Writes that readiness depends on call ``crm.core.events.notify_country_changed``; the codes are kept
on the database session and, just before that session commits, each country's state is compared
with its last recorded ``ReadinessChange`` and a row is added where it differs. Doing it at
commit time sees the whole transaction, once, whatever the order of the writes inside it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from crm.core.clock import org_today
from crm.core.events import country_changed
from crm.core.extensions import db
from crm.core.jobs import daily_job
from crm.countries.models import Country
from crm.readiness import rules as readiness
from crm.readiness.models import ReadinessChange
from crm.readiness.queries import countries_readiness, launched_count, qcp_capacity

logger = logging.getLogger(__name__)

#: Key of ``Session.info`` holding the country codes notified in the open transaction.
PENDING_KEY = "crm_readiness_pending"


def latest_states() -> dict[tuple[str, str], str]:
    """``{(country, program): state}`` of the last recorded change of every pair, one query."""
    latest_ids = select(func.max(ReadinessChange.id)).group_by(
        ReadinessChange.country_code, ReadinessChange.program_code
    )
    rows = db.session.execute(
        select(
            ReadinessChange.country_code, ReadinessChange.program_code, ReadinessChange.state
        ).where(ReadinessChange.id.in_(latest_ids))
    )
    return {(country, program): state for country, program, state in rows}


def record_readiness_changes(
    country_codes: Iterable[str], today: date | None = None
) -> list[ReadinessChange]:
    """Add a ``ReadinessChange`` for each program whose state differs from its last record, in
    the given countries and in every country whose QCP state capacity would now flip; the
    caller commits. ``today`` (organization calendar day, default now) is the change's date.

    Returns the rows added (none when nothing changed).
    """
    previous = latest_states()
    watched = set(country_codes) | capacity_flips(previous)
    day = today or org_today()
    added = []
    for result in countries_readiness(watched, day):
        before = previous.get((result.country, result.program))
        if before == str(result.state):
            continue
        change = ReadinessChange(
            country_code=result.country,
            program_code=result.program,
            previous_state=before,
            state=str(result.state),
            changed_on=day,
            criteria=[
                {"key": c.key, "met": c.met, "params": dict(c.params)} for c in result.criteria
            ],
        )
        db.session.add(change)
        added.append(change)
        logger.info(
            "readiness of %s in %s: %s -> %s", result.program, result.country, before, result.state
        )
    return added


@daily_job("readiness")
def record_todays_readiness() -> list[ReadinessChange]:
    """Compare every country's readiness with its last record, once a day: states that change
    with the calendar alone (an agreement reaching its expiry date, docs/domain.md#pipeline) are
    recorded on the day, not at the next write in that country. The caller (the worker)
    commits."""
    return record_readiness_changes(db.session.scalars(select(Country.code)))


def capacity_flips(previous: dict[tuple[str, str], str]) -> set[str]:
    """Countries whose recorded QCP state the current capacity contradicts
    (docs/domain.md#capacity): recorded ``ready`` while capacity is full
    (:func:`crm.readiness.rules.capacity_full`), or recorded ``awaiting_capacity`` while it is
    free. ``previous`` is :func:`latest_states`.

    Only these can change through another country's launch or a capacity edit; a survey
    response leaves the set empty, so it re-assesses its own country alone.
    """
    full = readiness.capacity_full(launched_count("QCP"), qcp_capacity())
    flipping = str(readiness.State.READY if full else readiness.State.AWAITING_CAPACITY)
    return {
        country
        for (country, program), state in previous.items()
        if program == "QCP" and state == flipping
    }


def _remember_countries(sender, country_codes: frozenset[str], **extra) -> None:
    db.session.info.setdefault(PENDING_KEY, set()).update(country_codes)


def _record_before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT released: the outer commit records the whole transaction once
    pending = session.info.pop(PENDING_KEY, None)
    if pending:
        record_readiness_changes(pending)


def _forget_on_rollback(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:  # a SAVEPOINT's rollback keeps the outer's countries
        session.info.pop(PENDING_KEY, None)


def init_app(app: Flask) -> None:
    """Subscribe to ``country_changed`` and to the session's commit (idempotent: tests build
    many apps in one process)."""
    country_changed.connect(_remember_countries)
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "before_commit", _record_before_commit):
        event.listen(session_class, "before_commit", _record_before_commit)
        event.listen(session_class, "after_soft_rollback", _forget_on_rollback)
