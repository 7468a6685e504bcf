"""Aggregates for the IQSG dashboard (SPEC §5): SQL counts grouped by what the charts show.

Every function runs one GROUP BY query; none loads responses into Python. Response counts come
from the maintained ``response_tallies`` (``crm.tallies``: a few rows per month, country and
language, whatever the number of responses). Spam is left out of response counts (it is not a
response from a practice); duplicates are kept, since each is a real submission.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from crm import tallies
from crm.extensions import db
from crm.models import Availability
from crm.models.pipeline import AVAILABILITY_STATUSES
from crm.readiness import Readiness, State

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


#: Readiness states the map shows instead of the availability status.
MAP_READINESS = (State.READY, State.AWAITING_CAPACITY, State.NEAR_READY)


@dataclass(frozen=True)
class Count:
    """One bar or point: its key (a month "2026-03", a region code, a language...) and count."""

    key: str
    count: int


def _largest_first(counts: dict[str, int]) -> list[Count]:
    return [Count(k, n) for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def responses_by_month() -> list[Count]:
    """Non-spam responses per calendar month of submission (UTC), oldest first."""
    return [Count(k, n) for k, n in sorted(tallies.responses_by("month").items())]


def responses_by_region() -> list[Count]:
    """Non-spam responses per UN M49 region of the respondent's country, largest first."""
    return _largest_first(tallies.responses_by("region"))


def responses_by_income_group() -> list[Count]:
    """Non-spam responses per World Bank income group of the country ("" = unclassified)."""
    order = {g: i for i, g in enumerate(("low", "lower_middle", "upper_middle", "high"))}
    counts = [Count(group, n) for group, n in tallies.responses_by("income_group").items()]
    return sorted(counts, key=lambda c: (order.get(c.key, len(order)), c.key))


def responses_by_language() -> list[Count]:
    """Non-spam responses per survey language (en, es, pt_BR), largest first."""
    return _largest_first(tallies.responses_by("language"))


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
        if row.program != program or row.state not in MAP_READINESS:
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
