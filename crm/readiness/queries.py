"""Readiness facts from the database (docs/domain.md#readiness): SQL aggregates in,
``crm.readiness.rules`` results out.

The engine (``crm/readiness/rules.py``) stays pure; this module gathers its facts for many
countries in a handful of queries (no per-country queries): eligible practices from the
maintained tallies (``crm.responses.tallies``), effective thresholds by
``COALESCE(country override, program default)``, reviews and agreements with their program sets,
and availabilities. Responses are never loaded into Python.

Aggregates for the IQSG dashboard (docs/architecture.md#packages): SQL counts grouped by what the
charts show.

Every function runs one GROUP BY query; none loads responses into Python. Response counts come
from the maintained ``response_tallies`` (``crm.responses.tallies``: a few rows per month,
country and language, whatever the number of responses). Spam is left out of response counts
(it is not a response from a practice); duplicates are kept, since each is a real submission.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import Select, and_, func, select

from crm.core.clock import org_today
from crm.core.extensions import db
from crm.countries.models import (
    Availability,
    Country,
    CountryAgreement,
    CountryThreshold,
    PrivacyReview,
    Program,
    agreement_programs,
    privacy_review_programs,
)
from crm.countries.seed import PROGRAMS
from crm.readiness import rules as readiness
from crm.readiness.forecast import Forecast, forecast, window_start
from crm.readiness.models import EligibleCount
from crm.readiness.rules import Readiness, State
from crm.readiness.whatif import Change, Scenario, what_if
from crm.responses import tallies

PROGRAMS_WITH_LAUNCH = readiness.PROGRAMS_WITH_LAUNCH
#: Seeded defaults (docs/domain.md#thresholds), used only if an admin left a launch program
#: without a default.
SEEDED_THRESHOLDS = {p["code"]: p["default_threshold"] for p in PROGRAMS}
#: Ids per ``IN (...)`` when reading the programs of reviews and agreements.
CHUNK = 500


def _in_countries(statement: Select, column, country_codes: Iterable[str] | None) -> Select:
    if country_codes is None:
        return statement
    return statement.where(column.in_(sorted(set(country_codes))))


def eligible_practice_counts(
    country_codes: Iterable[str] | None = None,
) -> dict[str, dict[str, int]]:
    """Eligible practices per country and program, ``{country: {"QOPI": n, "QCP": m}}``
    (docs/domain.md#eligible-practices). Countries without any eligible practice are absent.

    A practice counts once, with the answers of its latest response that is neither spam nor
    duplicate (``crm.responses.matching.refresh_practice`` keeps them on the practice and its
    Interest rows); a practice with no such response left does not count at all.

    - QOPI: current interest in QOPI ``very`` or ``somewhat``, at least one active ASCO member,
      staff read QOPI measures in English.
    - QCP (QCP criterion 3 of docs/domain.md#readiness): current interest in QCP ``very`` or
      ``somewhat``, outpatient hematology-oncology, willing to pay the cost-based fee
      (``willing_to_pay_fee`` on the QCP interest), and QOPI's per-practice requirements (an ASCO
      member, English). Decision: "eligible for QOPI" is read as meeting QOPI's practice
      requirements, not as also rating QOPI itself very/somewhat interesting — QCP is an
      enhancement of QOPI, so a practice asking for QCP is asking for QOPI too.

    The rules are ``crm.responses.tallies.eligibility_conditions``; the counts come from the
    maintained ``interest_tallies``, so their cost follows the number of countries, not of
    practices or responses (README "Performance", docs/decisions.md#tallies).
    """
    return tallies.eligible_counts(country_codes)


def eligible_practice_ids(country_code: str, practice_ids: Iterable[int]) -> dict[str, set[int]]:
    """Which of ``practice_ids`` (practices of ``country_code``) are eligible, by program,
    ``{"QOPI": {...}, "QCP": {...}}``, by the rules of :func:`eligible_practice_counts` (for
    marking them in a list)."""
    found: dict[str, set[int]] = {program: set() for program in PROGRAMS_WITH_LAUNCH}
    for program, ids in tallies.eligible_among(practice_ids).items():
        if program in found:
            found[program] = ids
    return found


def effective_thresholds(country_codes: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
    """``{country: {program: threshold}}`` for QOPI and QCP: the country's override where one
    exists, else the program's default (docs/domain.md#thresholds), in one query."""
    statement = (
        select(
            Country.code,
            Program.code,
            func.coalesce(CountryThreshold.min_eligible_practices, Program.default_threshold),
        )
        .select_from(Country)
        .join(Program, Program.code.in_(PROGRAMS_WITH_LAUNCH))
        .outerjoin(
            CountryThreshold,
            and_(
                CountryThreshold.country_code == Country.code,
                CountryThreshold.program_code == Program.code,
            ),
        )
    )
    thresholds: dict[str, dict[str, int]] = defaultdict(dict)
    for country, program, threshold in db.session.execute(
        _in_countries(statement, Country.code, country_codes)
    ):
        thresholds[country][program] = (
            threshold if threshold is not None else SEEDED_THRESHOLDS[program]
        )
    return dict(thresholds)


def availability_by_country(
    country_codes: Iterable[str] | None = None,
) -> dict[str, dict[str, str]]:
    """ISO code → program code → availability status (docs/domain.md#availability), for the
    given countries (all when None)."""
    statement = select(Availability.country_code, Availability.program_code, Availability.status)
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for country, program, status in db.session.execute(
        _in_countries(statement, Availability.country_code, country_codes)
    ):
        found[country][program] = status
    return dict(found)


def _program_codes(table, key: str, ids: list[int]) -> dict[int, frozenset[str]]:
    """Record id → the program codes of an association table (reviews' or agreements')."""
    found: dict[int, set[str]] = defaultdict(set)
    record_id = table.c[key]
    for start in range(0, len(ids), CHUNK):
        statement = select(record_id, table.c.program_code).where(
            record_id.in_(ids[start : start + CHUNK])
        )
        for record, program in db.session.execute(statement):
            found[record].add(program)
    return {record: frozenset(codes) for record, codes in found.items()}


def _review_facts(country_codes: Iterable[str] | None) -> dict[str, list[readiness.ReviewFact]]:
    """Plain rows, not ORM objects: the board reads every review on each request."""
    statement = select(
        PrivacyReview.id, PrivacyReview.country_code, PrivacyReview.status,
        PrivacyReview.status_since,
    ).order_by(PrivacyReview.id)  # fmt: skip
    rows = db.session.execute(
        _in_countries(statement, PrivacyReview.country_code, country_codes)
    ).all()
    programs = _program_codes(privacy_review_programs, "privacy_review_id", [r.id for r in rows])
    found: dict[str, list[readiness.ReviewFact]] = defaultdict(list)
    for row in rows:
        found[row.country_code].append(
            readiness.ReviewFact(
                row.status, programs.get(row.id, frozenset()), row.status_since, row.id
            )
        )
    return dict(found)


def _agreement_facts(
    country_codes: Iterable[str] | None,
) -> dict[str, list[readiness.AgreementFact]]:
    statement = select(
        CountryAgreement.id, CountryAgreement.country_code, CountryAgreement.status,
        CountryAgreement.status_since, CountryAgreement.signed_on, CountryAgreement.expires_on,
    ).order_by(CountryAgreement.id)  # fmt: skip
    rows = db.session.execute(
        _in_countries(statement, CountryAgreement.country_code, country_codes)
    ).all()
    programs = _program_codes(agreement_programs, "country_agreement_id", [r.id for r in rows])
    found: dict[str, list[readiness.AgreementFact]] = defaultdict(list)
    for row in rows:
        found[row.country_code].append(
            readiness.AgreementFact(
                row.status,
                programs.get(row.id, frozenset()),
                row.status_since,
                row.signed_on,
                row.expires_on,
                row.id,
            )
        )
    return dict(found)


def country_facts(country_codes: Iterable[str] | None = None) -> list[readiness.CountryFacts]:
    """Readiness facts of the given countries (default: every country), ordered by ISO code.

    Unknown codes are skipped. Seven queries whatever the number of countries.
    """
    codes_statement = _in_countries(
        select(Country.code).order_by(Country.code), Country.code, country_codes
    )
    codes = db.session.scalars(codes_statement).all()
    wanted = None if country_codes is None else codes
    availability = availability_by_country(wanted)
    reviews = _review_facts(wanted)
    agreements = _agreement_facts(wanted)
    eligible = eligible_practice_counts(wanted)
    thresholds = effective_thresholds(wanted)
    return [
        readiness.CountryFacts(
            country=code,
            availability=availability.get(code, {}),
            privacy_reviews=tuple(reviews.get(code, ())),
            agreements=tuple(agreements.get(code, ())),
            eligible=eligible.get(code, {}),
            thresholds=thresholds[code],
        )
        for code in codes
    ]


def eligible_counts_on(
    day: date, country_codes: Iterable[str] | None = None
) -> dict[tuple[str, str], int]:
    """``{(country, program): n}``: the eligible practices recorded for QOPI and QCP at the end
    of the organization day ``day`` (docs/domain.md#forecast), for the given countries (all when
    None); a pair with no count recorded by then is absent (it had none). One index seek per
    country and program, however long the history."""
    latest = (
        select(EligibleCount.practices)
        .where(
            EligibleCount.country_code == Country.code,
            EligibleCount.program_code == Program.code,
            EligibleCount.counted_on <= day,
        )
        .order_by(EligibleCount.counted_on.desc())
        .limit(1)
        .scalar_subquery()
    )
    statement = (
        select(Country.code, Program.code, latest)
        .select_from(Country)
        .join(Program, Program.code.in_(PROGRAMS_WITH_LAUNCH))
    )
    rows = db.session.execute(_in_countries(statement, Country.code, country_codes))
    return {(country, program): n for country, program, n in rows if n is not None}


def forecasts_for(
    rows: Iterable[Readiness], today: date | None = None
) -> dict[tuple[str, str], Forecast]:
    """``{(country, program): Forecast}`` for the rows short of their eligible-practice
    threshold that are candidates (neither launched nor the programs' home): the pace over
    :data:`crm.readiness.forecast.WINDOW_MONTHS` from the recorded counts
    (docs/domain.md#forecast). ``today`` is the organization's day (default: now)."""
    day = today or org_today()
    short = {}
    for row in rows:
        if row.state in (State.HOME, State.LAUNCHED):
            continue
        criterion = next(c for c in row.criteria if c.key == "eligible_practices")
        if not criterion.met:
            short[(row.country, row.program)] = criterion.params
    if not short:
        return {}
    before = eligible_counts_on(window_start(day), {country for country, _ in short})
    found = {}
    for key, params in short.items():
        eligible, threshold = int(params["eligible"]), int(params["threshold"])
        result = forecast(eligible=eligible, threshold=threshold,
                          gained=eligible - before.get(key, 0), today=day)  # fmt: skip
        if result is not None:
            found[key] = result
    return found


def threshold_overrides() -> dict[str, frozenset[str]]:
    """ISO code → the launch programs whose threshold the country overrides
    (docs/domain.md#thresholds)."""
    found: dict[str, set[str]] = defaultdict(set)
    for country, program in db.session.execute(
        select(CountryThreshold.country_code, CountryThreshold.program_code)
    ):
        found[country].add(program)
    return {country: frozenset(programs) for country, programs in found.items()}


def what_if_board(scenario: Scenario, today: date | None = None) -> list[Change]:
    """Every country and program today and under ``scenario`` (docs/domain.md#what-if): today's
    facts and capacity from the database, the same rules as the board; reads only."""
    return what_if(
        country_facts(),
        scenario,
        today=today or org_today(),
        qcp_capacity=qcp_capacity(),
        overrides=threshold_overrides(),
    )


def qcp_capacity() -> int:
    """Most countries where QCP may be launched at once (``Program.capacity``,
    docs/domain.md#capacity); no
    limit (a very large number) when the setting is empty."""
    capacity = db.session.scalar(select(Program.capacity).where(Program.code == "QCP"))
    return capacity if capacity is not None else sys.maxsize


def launched_count(program: str) -> int:
    """Number of countries outside the programs' home where ``program`` is launched
    (``available`` or ``pilot``): the count :func:`crm.readiness.rules.count_launched` makes, in SQL
    (docs/domain.md#capacity)."""
    return db.session.scalar(
        select(func.count())
        .select_from(Availability)
        .where(
            Availability.program_code == program,
            Availability.status.in_(sorted(readiness.LAUNCHED_STATUSES)),
            Availability.country_code.not_in(sorted(readiness.HOME_COUNTRIES)),
        )
    )


def readiness_board(today: date | None = None) -> list[readiness.Readiness]:
    """Readiness of QOPI and QCP in every country (docs/domain.md#readiness), by ISO code then
    program.

    ``today`` is the organization's calendar day (default: :func:`crm.core.clock.org_today`).
    """
    return readiness.assess(
        country_facts(), today=today or org_today(), qcp_capacity=qcp_capacity()
    )


def countries_readiness(
    country_codes: Iterable[str], today: date | None = None
) -> list[readiness.Readiness]:
    """Readiness of QOPI and QCP in the given countries only, QCP capacity counted over all
    countries (docs/domain.md#capacity). ``today`` as in :func:`readiness_board`."""
    facts = country_facts(country_codes)
    launched = launched_count("QCP")
    capacity = qcp_capacity()
    day = today or org_today()
    return [
        result
        for country in facts
        for result in readiness.assess_country(
            country, today=day, qcp_capacity=capacity, qcp_launched_count=launched
        )
    ]


def country_readiness(
    country_code: str, today: date | None = None
) -> dict[str, readiness.Readiness]:
    """Readiness of one country by program code, ``{"QOPI": Readiness, "QCP": Readiness}``."""
    return {r.program: r for r in countries_readiness([country_code], today)}


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
