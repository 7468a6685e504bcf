"""Recording changes of readiness with their date (docs/decisions.md#readiness-recording).

Writes that readiness depends on call ``crm.core.events.notify_country_changed``; the codes are kept
on the database session and, just before that session commits, each country's state is compared
with its last recorded ``ReadinessChange`` and a row is added where it differs. Doing it at
commit time sees the whole transaction, once, whatever the order of the writes inside it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import Connection, delete, event, func, insert, select
from sqlalchemy.orm import Session

from crm.core.clock import org_day_start, org_timezone, org_today
from crm.core.errors import InvalidInput
from crm.core.events import country_changed
from crm.core.extensions import db
from crm.core.jobs import daily_job
from crm.countries import thresholds
from crm.countries.models import Country, Program
from crm.readiness import rules as readiness
from crm.readiness.models import EligibleCount, ReadinessChange, ResponseDayCount
from crm.readiness.queries import (
    countries_readiness,
    eligible_counts_on,
    launched_count,
    qcp_capacity,
)
from crm.readiness.whatif import Scenario
from crm.responses.models import COUNTED_TRIAGE, InterestTallyEntry, Practice, SurveyResponse

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
    results = countries_readiness(watched, day)
    record_eligible_counts(results, day)
    for result in results:
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


def record_eligible_counts(results: Iterable[readiness.Readiness], day: date) -> int:
    """Record the eligible practices of each result (its ``eligible_practices`` criterion) as
    the count at the end of ``day`` where it differs from the count recorded before
    (docs/domain.md#forecast); the caller commits. Returns how many rows were written."""
    counts = {
        (r.country, r.program): int(c.params["eligible"])
        for r in results
        for c in r.criteria
        if c.key == "eligible_practices"
    }
    if not counts:
        return 0
    recorded = eligible_counts_on(day, {country for country, _program in counts})
    written = 0
    for (country, program), practices in sorted(counts.items()):
        if recorded.get((country, program), 0) == practices:
            continue
        row = db.session.get(EligibleCount, (country, program, day))
        if row is None:
            db.session.add(EligibleCount(country_code=country, program_code=program,
                                         counted_on=day, practices=practices))  # fmt: skip
        else:
            row.practices = practices
        written += 1
    return written


def rebuild_eligible_counts(conn: Connection) -> int:
    """Recompute the recorded eligible counts from the practices eligible now, each counted
    from the organization day of its first counted response (its creation when it has none),
    in the caller's transaction (docs/domain.md#forecast): for databases filled before counts
    were recorded (the migration, the demo, the bench). Returns the rows written."""
    first = (
        select(
            InterestTallyEntry.country_code,
            InterestTallyEntry.program_code,
            func.coalesce(func.min(SurveyResponse.submitted_at), func.min(Practice.created_at)),
        )
        .join(Practice, Practice.id == InterestTallyEntry.practice_id)
        .outerjoin(
            SurveyResponse,
            (SurveyResponse.practice_id == Practice.id)
            & SurveyResponse.triage_status.in_(COUNTED_TRIAGE),
        )
        .where(
            InterestTallyEntry.eligible.is_(True),
            InterestTallyEntry.program_code.in_(readiness.PROGRAMS_WITH_LAUNCH),
        )
        .group_by(InterestTallyEntry.practice_id, InterestTallyEntry.country_code,
                  InterestTallyEntry.program_code)
    )  # fmt: skip
    zone = org_timezone()
    gained: Counter = Counter()
    for country, program, moment in conn.execute(first):
        gained[(country, program, _aware(moment).astimezone(zone).date())] += 1
    rows, running = [], Counter()
    for country, program, day in sorted(gained):
        running[(country, program)] += gained[(country, program, day)]
        rows.append({"country_code": country, "program_code": program, "counted_on": day,
                     "practices": running[(country, program)]})  # fmt: skip
    conn.execute(delete(EligibleCount))
    if rows:
        conn.execute(insert(EligibleCount), rows)
    logger.info("eligible counts rebuilt: %d rows", len(rows))
    return len(rows)


#: Days before today whose responses are kept counted: two 30-day windows and a margin.
RECENT_DAYS = 62
#: ``country_code`` and ``language`` of the row that marks a day as counted (its total).
COUNTED_MARK = "*"


def _aware(moment: datetime | str) -> datetime:
    if isinstance(moment, str):  # SQLite hands some computed datetimes back as text
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def count_response_days(
    conn: Connection, today: date | None = None, days: int = RECENT_DAYS
) -> int:
    """Count again the responses that are not spam of the ``days`` organization days before
    ``today`` (default: the organization's today), per day, country and language, into
    ``response_day_counts``, and forget older days (docs/decisions.md#day-counts). Each counted
    day also gets a row ``("*", "*")`` with its total, so a day without responses reads as
    counted. In the caller's transaction; returns the rows written."""
    today = today or org_today()
    first = today - timedelta(days=days)
    zone = org_timezone()
    counts: Counter = Counter()
    rows = conn.execute(
        select(SurveyResponse.submitted_at, SurveyResponse.country_code, SurveyResponse.language)
        .where(
            SurveyResponse.submitted_at >= org_day_start(first),
            SurveyResponse.submitted_at < org_day_start(today),
            SurveyResponse.triage_status != "spam",
        )
        .execution_options(yield_per=5000)
    )
    for moment, country, language in rows:
        day = _aware(moment).astimezone(zone).date()
        counts[(day, country or "", language or "")] += 1
        counts[(day, COUNTED_MARK, COUNTED_MARK)] += 1
    for offset in range(days):
        counts[(first + timedelta(days=offset), COUNTED_MARK, COUNTED_MARK)] += 0
    conn.execute(delete(ResponseDayCount))
    written = [
        {"counted_on": day, "country_code": country, "language": language, "responses": n}
        for (day, country, language), n in sorted(counts.items())
    ]
    conn.execute(insert(ResponseDayCount), written)
    return len(written)


@daily_job("response-days")
def count_recent_response_days() -> int:
    """Every night: the recent days' responses counted again (re-triaged ones included) for the
    dashboard's 30-day figures; the caller (the worker) commits."""
    return count_response_days(db.session.connection())


@daily_job("readiness")
def record_todays_readiness() -> list[ReadinessChange]:
    """Compare every country's readiness with its last record, once a day: states that change
    with the calendar alone (an agreement reaching its expiry date, docs/domain.md#pipeline) are
    recorded on the day, not at the next write in that country. The caller (the worker)
    commits."""
    return record_readiness_changes(db.session.scalars(select(Country.code)))


def apply_what_if(scenario: Scenario, reason: str) -> None:
    """Save a what-if's default thresholds, QCP capacity and country thresholds through the
    thresholds' operations, which validate and audit each change (docs/domain.md#what-if);
    reviews and agreements of the scenario are never decided here. ``reason`` (translated) is
    recorded with a country threshold. Raises ``InvalidInput`` for a value out of range or an
    unknown country; the caller commits, or rolls back on the error."""
    programs = {p.code: p for p in db.session.scalars(select(Program))}
    for code in readiness.PROGRAMS_WITH_LAUNCH:
        program = programs[code]
        threshold = scenario.thresholds.get(code, program.default_threshold)
        capacity = None
        if code == "QCP":
            capacity = program.capacity if scenario.qcp_capacity is None else scenario.qcp_capacity
        if threshold != program.default_threshold or capacity != program.capacity:
            thresholds.set_program_defaults(code, default_threshold=threshold, capacity=capacity)
    for country_code, values in scenario.country_thresholds.items():
        country = db.session.get(Country, country_code)
        if country is None:
            raise InvalidInput("country", _("Unknown country: %(code)s", code=country_code))
        for program, value in values.items():
            thresholds.set_threshold(country, program, value, reason)


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
