"""The IQSG dashboard's numbers (docs/domain.md#dashboard): filters, headline figures, the charts
and the lists behind them, each from a few aggregate rows whatever the number of responses.

Sources: the readiness board (``crm.readiness.queries.readiness_board``), the recorded eligible
counts (``eligible_counts``, docs/domain.md#forecast), the maintained response tallies
(``crm.responses.tallies``: per month, country and language), the recent days' response counts
(``response_day_counts``, docs/decisions.md#day-counts) and the readiness history.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta

from sqlalchemy import func, select

from crm.core.clock import org_day_start
from crm.core.extensions import db
from crm.countries.models import Availability, Country
from crm.readiness.forecast import add_months
from crm.readiness.models import ReadinessChange, ResponseDayCount
from crm.readiness.operations import COUNTED_MARK
from crm.readiness.queries import eligible_counts_on
from crm.readiness.rules import PROGRAMS_WITH_LAUNCH, Readiness, State
from crm.responses.models import TRIAGE_STATUSES, ResponseTally, SurveyResponse

#: The period filter: months back from the current month ("all": every month).
PERIODS = ("3", "6", "12", "24", "all")
DEFAULT_PERIOD = "12"
#: Length of the headline figures' window, in organization days.
WINDOW_DAYS = 30
#: The categories of the readiness chart, actionable first; "other" sums the rest.
ACTIONABLE = ("ready", "awaiting_capacity", "near_ready", "in_pipeline")
CATEGORIES = (*ACTIONABLE, "launched", "other")
#: Headline states per program, in the order shown.
HEADLINE_STATES = ("ready", "awaiting_capacity", "near_ready", "launched")
INCOME_ORDER = ("low", "lower_middle", "upper_middle", "high")
#: The triage statuses counted as responses, named rather than "not spam" so that the live
#: count seeks the (triage_status, submitted_at) index instead of reading every response
#: (docs/decisions.md#dashboard-cost).
NOT_SPAM = tuple(status for status in TRIAGE_STATUSES if status != "spam")


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters, kept in the URL; "" means any (docs/domain.md#dashboard)."""

    region: str = ""
    income_group: str = ""
    program: str = ""
    language: str = ""
    period: str = DEFAULT_PERIOD

    def query(self, **changes: str) -> dict[str, str]:
        """URL arguments of these filters with ``changes`` applied, defaults left out."""
        values = asdict(replace(self, **changes)) if changes else asdict(self)
        return {
            k: v for k, v in values.items() if v and not (k == "period" and v == DEFAULT_PERIOD)
        }

    @property
    def narrows_countries(self) -> bool:
        """Whether a filter limits the countries."""
        return bool(self.region or self.income_group or self.language)

    def first_month(self, today: date) -> str | None:
        """``YYYY-MM`` of the period's first month (the current month included), None for
        "all"."""
        if self.period not in PERIODS or self.period == "all":
            return None
        start = add_months(today.replace(day=1), 1 - int(self.period))
        return f"{start.year:04d}-{start.month:02d}"

    def launch_programs(self) -> tuple[str, ...]:
        """The programs with readiness this filter shows: QOPI and QCP, or the one chosen."""
        return tuple(p for p in PROGRAMS_WITH_LAUNCH if not self.program or p == self.program)


@dataclass(frozen=True)
class Count:
    """One bar or point: its key (a month "2026-03", a region code, a language...) and count."""

    key: str
    count: int


def scope(filters: Filters, today: date) -> frozenset[str] | None:
    """ISO codes of the countries the filters keep, None when they keep every country. A
    language keeps the countries with responses in it during the period."""
    if not filters.narrows_countries:
        return None
    statement = select(Country.code)
    if filters.region:
        statement = statement.where(Country.region == filters.region)
    if filters.income_group:
        statement = statement.where(Country.income_group == filters.income_group)
    if filters.language:
        with_language = select(ResponseTally.country_code).where(
            ResponseTally.language == filters.language, ResponseTally.responses > 0
        )
        first = filters.first_month(today)
        if first:
            with_language = with_language.where(ResponseTally.month >= first)
        statement = statement.where(Country.code.in_(with_language))
    return frozenset(db.session.scalars(statement))


def in_scope(code: str, countries: frozenset[str] | None) -> bool:
    """Whether a country is kept (every country when ``countries`` is None)."""
    return countries is None or code in countries


def category(row: Readiness) -> str | None:
    """The readiness chart's category of a board row (None for the programs' home)."""
    if row.state is State.HOME:
        return None
    if row.state in (State.READY, State.AWAITING_CAPACITY, State.NEAR_READY, State.LAUNCHED):
        return row.state.value
    return "in_pipeline" if row.availability == "in_pipeline" else "other"


def readiness_chart(
    board: Iterable[Readiness], countries: frozenset[str] | None, programs: Iterable[str]
) -> dict[str, dict[str, int]]:
    """Program → category (:data:`CATEGORIES`) → countries, for the countries kept."""
    chart = {program: dict.fromkeys(CATEGORIES, 0) for program in programs}
    for row in board:
        kind = category(row)
        if kind and row.program in chart and in_scope(row.country, countries):
            chart[row.program][kind] += 1
    return chart


def rows_in(
    board: Iterable[Readiness],
    countries: frozenset[str] | None,
    program: str,
    kind: str | None = None,
) -> list[Readiness]:
    """The board rows of ``program`` for the countries kept, of one category, or ``blocked``
    (any when None), the programs' home left out."""
    return [
        row
        for row in board
        if row.program == program
        and in_scope(row.country, countries)
        and category(row) is not None
        and (kind is None or category(row) == kind or row.state.value == kind == "blocked")
    ]


def availability_chart(countries: frozenset[str] | None) -> dict[str, dict[str, int]]:
    """Program code → availability status → countries kept (docs/domain.md#availability)."""
    statement = select(Availability.program_code, Availability.status, func.count()).group_by(
        Availability.program_code, Availability.status
    )
    if countries is not None:
        statement = statement.where(Availability.country_code.in_(sorted(countries)))
    chart: dict[str, dict[str, int]] = defaultdict(dict)
    for program, status, n in db.session.execute(statement):
        chart[program][status] = n
    return dict(chart)


# --- responses -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseCharts:
    """Responses that are not spam, by month, region, income group and language."""

    by_month: list[Count]
    by_region: list[Count]
    by_income: list[Count]
    by_language: list[Count]

    @property
    def total(self) -> int:
        """Every response counted."""
        return sum(c.count for c in self.by_month)


def _largest_first(counts: Mapping[str, int]) -> list[Count]:
    return [Count(k, n) for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n]


def response_charts(filters: Filters, countries: frozenset[str] | None, today: date):
    """The four response charts from the maintained tallies (one GROUP BY over a few thousand
    rows), narrowed by the filters; responses without a country count in the month and language
    charts only, and only while no filter limits the countries."""
    statement = (
        select(ResponseTally.month, Country.region, Country.income_group, ResponseTally.language,
               func.sum(ResponseTally.responses))
        .outerjoin(Country, Country.code == ResponseTally.country_code)
        .group_by(ResponseTally.month, Country.region, Country.income_group,
                  ResponseTally.language)
    )  # fmt: skip
    first = filters.first_month(today)
    if first:
        statement = statement.where(ResponseTally.month >= first)
    if filters.language:
        statement = statement.where(ResponseTally.language == filters.language)
    if countries is not None:
        statement = statement.where(ResponseTally.country_code.in_(sorted(countries)))
    months: Counter = Counter()
    regions: Counter = Counter()
    incomes: Counter = Counter()
    languages: Counter = Counter()
    for month, region, income, language, n in db.session.execute(statement):
        n = int(n or 0)
        months[month] += n
        languages[language or ""] += n
        if region is not None:
            regions[region] += n
            incomes[income or ""] += n
    order = {g: i for i, g in enumerate(INCOME_ORDER)}
    return ResponseCharts(
        by_month=[Count(k, n) for k, n in sorted(months.items()) if n],
        by_region=_largest_first(regions),
        by_income=sorted(
            (Count(k, n) for k, n in incomes.items() if n),
            key=lambda c: (order.get(c.key, len(order)), c.key),
        ),
        by_language=_largest_first(languages),
    )


def responses_by_country(
    first: date, last: date, countries: frozenset[str] | None, language: str = ""
) -> Counter:
    """Responses that are not spam per country ("" for none) submitted on the organization days
    ``first`` to ``last`` (both included): the counted days from ``response_day_counts``, the
    others (today, or days the nightly count has not reached) counted in the responses
    themselves (docs/decisions.md#day-counts)."""
    counted = set(
        db.session.scalars(
            select(ResponseDayCount.counted_on).where(
                ResponseDayCount.country_code == COUNTED_MARK,
                ResponseDayCount.counted_on.between(first, last),
            )
        )
    )
    found: Counter = Counter()
    statement = select(ResponseDayCount.country_code, func.sum(ResponseDayCount.responses)).where(
        ResponseDayCount.counted_on.between(first, last),
        ResponseDayCount.country_code != COUNTED_MARK,
    )
    if language:
        statement = statement.where(ResponseDayCount.language == language)
    for country, n in db.session.execute(statement.group_by(ResponseDayCount.country_code)):
        if in_scope(country, countries):
            found[country] += int(n)
    day = first
    while day <= last:
        if day in counted:
            day += timedelta(days=1)
            continue
        end = day
        while end + timedelta(days=1) <= last and end + timedelta(days=1) not in counted:
            end += timedelta(days=1)
        found.update(_live_counts(day, end, countries, language))
        day = end + timedelta(days=1)
    return found


def _live_counts(first: date, last: date, countries, language: str) -> Counter:
    country = func.coalesce(SurveyResponse.country_code, "")
    statement = (
        select(country, func.count())
        .where(
            SurveyResponse.submitted_at >= org_day_start(first),
            SurveyResponse.submitted_at < org_day_start(last + timedelta(days=1)),
            SurveyResponse.triage_status.in_(NOT_SPAM),
        )
        .group_by(country)
    )
    if language:
        statement = statement.where(SurveyResponse.language == language)
    return Counter(
        {code: n for code, n in db.session.execute(statement) if in_scope(code, countries)}
    )


# --- headline figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A figure over the last :data:`WINDOW_DAYS` days and over the days before them."""

    last: int
    previous: int

    @property
    def difference(self) -> int:
        """Last minus previous."""
        return self.last - self.previous


def windows(today: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """The last 30 organization days (today included) and the 30 before them."""
    start = today - timedelta(days=WINDOW_DAYS - 1)
    return (start, today), (start - timedelta(days=WINDOW_DAYS), start - timedelta(days=1))


def responses_change(filters: Filters, countries: frozenset[str] | None, today: date) -> Change:
    """Responses in the last 30 days and in the 30 before (docs/domain.md#dashboard)."""
    (first, last), (before_first, before_last) = windows(today)
    if countries is not None and not countries:
        return Change(0, 0)
    now = responses_by_country(first, last, countries, filters.language)
    then = responses_by_country(before_first, before_last, countries, filters.language)
    return Change(sum(now.values()), sum(then.values()))


def eligible_gains(
    board: Iterable[Readiness], countries: frozenset[str] | None, today: date
) -> dict[str, dict[str, Change]]:
    """Program → country → eligible practices gained in the last 30 days and in the 30 before
    (net: practices that stopped being eligible count against), from the recorded counts
    (docs/domain.md#forecast)."""
    (first, _last), (before_first, _before_last) = windows(today)
    wanted = None if countries is None else sorted(countries)
    at_start = eligible_counts_on(first - timedelta(days=1), wanted)
    at_before = eligible_counts_on(before_first - timedelta(days=1), wanted)
    gains: dict[str, dict[str, Change]] = defaultdict(dict)
    for row in board:
        if row.state is State.HOME or not in_scope(row.country, countries):
            continue
        now = next(int(c.params["eligible"]) for c in row.criteria if c.key == "eligible_practices")
        start = at_start.get((row.country, row.program), 0)
        before = at_before.get((row.country, row.program), 0)
        if now or start or before:
            gains[row.program][row.country] = Change(now - start, start - before)
    return dict(gains)


def headline(
    board: list[Readiness], filters: Filters, countries: frozenset[str] | None, today: date
) -> dict[str, object]:
    """The headline figures (docs/domain.md#dashboard): per launch program shown, countries
    per :data:`HEADLINE_STATES` and eligible practices gained; responses, each 30-day figure
    with the 30 days before."""
    programs = filters.launch_programs()
    chart = readiness_chart(board, countries, programs)
    gains = eligible_gains(board, countries, today)
    return {
        "states": {p: {s: chart[p][s] for s in HEADLINE_STATES} for p in programs},
        "eligible": {
            p: Change(
                sum(c.last for c in gains.get(p, {}).values()),
                sum(c.previous for c in gains.get(p, {}).values()),
            )
            for p in programs
        },
        "responses": responses_change(filters, countries, today),
    }


# --- readiness over time -------------------------------------------------------------------------


def readiness_over_time(
    filters: Filters, countries: frozenset[str] | None, today: date
) -> dict[str, dict[str, int]]:
    """Month ``YYYY-MM`` → state → countries in it at the end of that month (today for the
    current one), from the recorded readiness history, for the programs and countries kept;
    months of the period from the first recorded change (docs/domain.md#dashboard)."""
    programs = filters.launch_programs()
    statement = (
        select(ReadinessChange.country_code, ReadinessChange.program_code,
               ReadinessChange.state, ReadinessChange.changed_on)
        .where(ReadinessChange.program_code.in_(programs),
               ReadinessChange.state != State.HOME.value)
        .order_by(ReadinessChange.changed_on, ReadinessChange.id)
    )  # fmt: skip
    changes = [row for row in db.session.execute(statement) if in_scope(row[0], countries)]
    if not changes:
        return {}
    first = filters.first_month(today)
    start = changes[0][3].replace(day=1)
    if first and first > f"{start.year:04d}-{start.month:02d}":
        start = date(int(first[:4]), int(first[5:]), 1)
    months: dict[str, dict[str, int]] = {}
    current: dict[tuple[str, str], str] = {}
    index = 0
    month = start
    while month <= today:
        end = add_months(month, 1)
        while index < len(changes) and changes[index][3] < end:
            country, program, state, _day = changes[index]
            current[(country, program)] = state
            index += 1
        counts = Counter(current.values())
        months[f"{month.year:04d}-{month.month:02d}"] = {
            state: counts[state] for state in (*ACTIONABLE[:3], "launched")
        }
        month = end
    return months
