"""Aggregates for the IQSG dashboard (SPEC §5): SQL counts grouped by what the charts show.

Every function runs one GROUP BY query; none loads responses into Python. Spam is left out of
response counts (it is not a response from a practice); duplicates are kept, since each is a
real submission.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import extract, func, select

from crm.extensions import db
from crm.models import Availability, Country, SurveyResponse
from crm.models.pipeline import AVAILABILITY_STATUSES
from crm.readiness import Readiness, State

NOT_SPAM = SurveyResponse.triage_status != "spam"
#: Order of map colours and legend entries: launched first, then readiness, then the rest.
MAP_STATES = (
    "available",
    "pilot",
    "ready",
    "awaiting_capacity",
    "near_ready",
    "in_pipeline",
    "under_consideration",
    "suspended",
    "not_available",
)


@dataclass(frozen=True)
class Count:
    """One bar or point: its key (a month "2026-03", a region code, a language...) and count."""

    key: str
    count: int


def responses_by_month() -> list[Count]:
    """Non-spam responses per calendar month of submission (UTC), oldest first."""
    year = extract("year", SurveyResponse.submitted_at)
    month = extract("month", SurveyResponse.submitted_at)
    rows = db.session.execute(
        select(year, month, func.count())
        .where(NOT_SPAM)
        .group_by(year, month)
        .order_by(year, month)
    )
    return [Count(f"{int(y):04d}-{int(m):02d}", n) for y, m, n in rows]


def responses_by_region() -> list[Count]:
    """Non-spam responses per UN M49 region of the respondent's country, largest first."""
    rows = db.session.execute(
        select(Country.region, func.count())
        .select_from(SurveyResponse)
        .join(Country, Country.code == SurveyResponse.country_code)
        .where(NOT_SPAM)
        .group_by(Country.region)
        .order_by(func.count().desc())
    )
    return [Count(region or "", n) for region, n in rows]


def responses_by_income_group() -> list[Count]:
    """Non-spam responses per World Bank income group of the country ("" = unclassified)."""
    rows = db.session.execute(
        select(Country.income_group, func.count())
        .select_from(SurveyResponse)
        .join(Country, Country.code == SurveyResponse.country_code)
        .where(NOT_SPAM)
        .group_by(Country.income_group)
    )
    order = {g: i for i, g in enumerate(("low", "lower_middle", "upper_middle", "high"))}
    counts = [Count(group or "", n) for group, n in rows]
    return sorted(counts, key=lambda c: order.get(c.key, len(order)))


def responses_by_language() -> list[Count]:
    """Non-spam responses per survey language (en, es, pt_BR), largest first."""
    rows = db.session.execute(
        select(SurveyResponse.language, func.count())
        .where(NOT_SPAM)
        .group_by(SurveyResponse.language)
        .order_by(func.count().desc())
    )
    return [Count(language, n) for language, n in rows]


def availability_pipeline() -> dict[str, dict[str, int]]:
    """Program code → availability status → number of countries (every status present)."""
    rows = db.session.execute(
        select(Availability.program_code, Availability.status, func.count()).group_by(
            Availability.program_code, Availability.status
        )
    )
    pipeline: dict[str, dict[str, int]] = {}
    for program, status, n in rows:
        pipeline.setdefault(program, dict.fromkeys(AVAILABILITY_STATUSES, 0))[status] = n
    return pipeline


def readiness_pipeline(board: Iterable[Readiness]) -> dict[str, dict[str, int]]:
    """Program code → readiness state → number of countries, from a computed board."""
    counts: dict[str, Counter] = {}
    for row in board:
        counts.setdefault(row.program, Counter())[row.state.value] += 1
    return {p: {s.value: c[s.value] for s in State} for p, c in counts.items()}


def map_states(
    program: str, availability: dict[str, str], board: Iterable[Readiness]
) -> dict[str, str]:
    """ISO code → one of MAP_STATES for ``program``: launched statuses first, then the readiness
    state (ready, awaiting capacity, near ready), then the availability status."""
    states = dict(availability)
    for row in board:
        if row.program != program or row.state in (State.LAUNCHED, State.BLOCKED):
            continue
        states[row.country] = row.state.value
    return states


def availability_of(program: str) -> dict[str, str]:
    """ISO code → availability status of ``program`` in every country."""
    rows = db.session.execute(
        select(Availability.country_code, Availability.status).where(
            Availability.program_code == program
        )
    )
    return {country: status for country, status in rows}
