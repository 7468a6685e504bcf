"""What the country list and the country page show, gathered in a few queries.

Reusable ``select()`` builders and lookups (``get_*_or_404``, ``query_*``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.audit.queries import recent_events
from crm.core.extensions import db
from crm.core.i18n import collation_key, country_name
from crm.countries.models import (
    Availability,
    AvailabilityChange,
    Country,
    CountryAgreement,
    CountryThreshold,
    PrivacyReview,
    Program,
)
from crm.readiness import rules as readiness
from crm.readiness.models import ReadinessChange
from crm.readiness.queries import (
    country_readiness,
    eligible_practice_counts,
    eligible_practice_ids,
    forecasts_for,
    readiness_board,
)
from crm.responses import tallies
from crm.responses.models import Practice

#: How many audit events and readiness changes the country page shows.
RECENT_LIMIT = 50
#: How many practices the country page lists (the most recently answered).
PRACTICES_SHOWN = 50


@dataclass(frozen=True)
class CountryFilters:
    """Country list filters; empty strings mean "any"."""

    region: str = ""
    program: str = ""
    availability: str = ""
    readiness: str = ""


@dataclass
class CountryRow:
    """One line of the country list: availability by program and QOPI/QCP readiness."""

    country: Country
    name: str
    availability: dict[str, str] = field(default_factory=dict)
    readiness: dict[str, readiness.Readiness] = field(default_factory=dict)


def regions() -> list[str]:
    """M49 codes of the regions that have countries, in code order."""
    return list(
        db.session.scalars(
            select(Country.region).where(Country.region.is_not(None)).distinct()
        ).all()
    )


def programs() -> list[Program]:
    """Every program, in display order."""
    return list(db.session.scalars(select(Program).order_by(Program.position)))


def _matches(row: CountryRow, filters: CountryFilters) -> bool:
    program_codes = [filters.program] if filters.program else list(row.availability)
    if filters.availability and not any(
        row.availability.get(code) == filters.availability for code in program_codes
    ):
        return False
    if filters.readiness:
        states = [str(row.readiness[code].state) for code in program_codes if code in row.readiness]
        if filters.readiness not in states:
            return False
    return True


def country_list(filters: CountryFilters, locale: str | None = None) -> list[CountryRow]:
    """Countries matching ``filters``, sorted by their name in ``locale`` (default: the
    request's). A program filter narrows the availability and readiness filters to it; without
    one, any program matches. Readiness is derived from the board, never stored."""
    statement = select(Country)
    if filters.region:
        statement = statement.where(Country.region == filters.region)
    countries = db.session.scalars(statement).all()
    availability: dict[str, dict[str, str]] = defaultdict(dict)
    for country, program, status in db.session.execute(
        select(Availability.country_code, Availability.program_code, Availability.status)
    ):
        availability[country][program] = status
    board: dict[str, dict[str, readiness.Readiness]] = defaultdict(dict)
    for result in readiness_board():
        board[result.country][result.program] = result
    rows = [
        CountryRow(
            country=country,
            name=country_name(country.code, locale),
            availability=availability.get(country.code, {}),
            readiness=board.get(country.code, {}),
        )
        for country in countries
    ]
    return sorted(
        (row for row in rows if _matches(row, filters)), key=lambda row: collation_key(row.name)
    )


@dataclass(frozen=True)
class ThresholdView:
    """A launch program's threshold in one country: the effective number, the program default,
    and the country's override (None when the default applies)."""

    program: str
    effective: int
    default: int | None
    override: CountryThreshold | None


def thresholds_of(country_code: str) -> list[ThresholdView]:
    """QOPI and QCP thresholds of a country, with the defaults they override
    (docs/domain.md#thresholds)."""
    overrides = {
        t.program_code: t
        for t in db.session.scalars(
            select(CountryThreshold).where(CountryThreshold.country_code == country_code)
        )
    }
    views = []
    for program in programs():
        if program.code not in readiness.PROGRAMS_WITH_LAUNCH:
            continue
        override = overrides.get(program.code)
        effective = override.min_eligible_practices if override else program.default_threshold
        views.append(ThresholdView(program.code, effective, program.default_threshold, override))
    return views


def interest_counts(country_code: str) -> dict[str, dict[str, int]]:
    """Practices of a country by program and interest level, ``{program: {level: n}}``, from
    the practices' current interests (spam and duplicates never give any), read from the
    maintained tallies (``crm.responses.tallies``)."""
    return tallies.interest_counts(country_code)


def practice_count(country_code: str) -> int:
    """How many practices the country has (from the maintained tallies)."""
    return tallies.practice_count(country_code)


def practices_of(country_code: str, limit: int = PRACTICES_SHOWN) -> list[Practice]:
    """The country's ``limit`` most recently answered practices with their interests, newest
    first (the practice list shows them all, those without a counted answer too); a page stays
    the same size however many practices a country gathers (README "Performance")."""
    return list(
        db.session.scalars(
            select(Practice)
            .options(selectinload(Practice.interests))
            .where(Practice.country_code == country_code, Practice.answers_from.is_not(None))
            .order_by(Practice.answers_from.desc(), Practice.id.desc())
            .limit(limit)
        )
    )


def country_page(country: Country, *, include_personal: bool = True) -> dict[str, object]:
    """Everything the country page shows, as template values; without
    ``include_personal`` (viewers) the audit trail leaves out events quoting people's details."""
    code = country.code
    availabilities = db.session.scalars(
        select(Availability)
        .join(Program, Program.code == Availability.program_code)
        .options(
            selectinload(Availability.history).selectinload(AvailabilityChange.recorded_by),
        )
        .where(Availability.country_code == code)
        .order_by(Program.position)
    ).all()
    reviews = db.session.scalars(
        select(PrivacyReview)
        .options(selectinload(PrivacyReview.programs))
        .where(PrivacyReview.country_code == code)
        .order_by(PrivacyReview.created_at.desc(), PrivacyReview.id.desc())
    ).all()
    agreements = db.session.scalars(
        select(CountryAgreement)
        .options(selectinload(CountryAgreement.programs))
        .where(CountryAgreement.country_code == code)
        .order_by(CountryAgreement.created_at.desc(), CountryAgreement.id.desc())
    ).all()
    history = db.session.scalars(
        select(ReadinessChange)
        .where(ReadinessChange.country_code == code)
        .order_by(ReadinessChange.recorded_at.desc(), ReadinessChange.id.desc())
        .limit(RECENT_LIMIT)
    ).all()
    audit_events = recent_events(
        country_code=code, limit=RECENT_LIMIT, include_personal=include_personal
    )
    practices = practices_of(code)
    return {
        "availabilities": availabilities,
        "privacy_reviews": reviews,
        "agreements": agreements,
        "thresholds": thresholds_of(code),
        "readiness": (results := country_readiness(code)),
        "forecasts": forecasts_for(results.values()),
        "readiness_history": history,
        "interest_counts": interest_counts(code),
        "eligible_counts": eligible_practice_counts([code]).get(code, {}),
        "practice_count": practice_count(code),
        "practices": practices,
        "eligible_ids": eligible_practice_ids(code, [p.id for p in practices]),
        "audit_events": audit_events,
    }


def chosen_country_codes(filters: CountryFilters) -> set[str] | None:
    """ISO codes of the countries ``filters`` select, or None when they select every country
    (no filter set): the country list's selection, for its pipeline export."""
    if filters == CountryFilters():
        return None
    return {row.country.code for row in country_list(filters)}


#: The launched statuses (``crm.readiness.rules.LAUNCHED_STATUSES``) in a stable order, for SQL.
LAUNCHED = sorted(readiness.LAUNCHED_STATUSES)


def get_country_or_404(code: str) -> Country:
    """The country with ISO alpha-2 ``code`` (any case); aborts 404 when unknown."""
    country = db.session.get(Country, code.upper()) if len(code) == 2 else None
    if country is None:
        abort(404)
    return country


def available_countries() -> dict[str, list[str]]:
    """Program code → ISO codes of countries where it is launched (``available`` or ``pilot``)."""
    rows = db.session.execute(
        select(Availability.program_code, Availability.country_code)
        .where(Availability.status.in_(LAUNCHED))
        .order_by(Availability.program_code, Availability.country_code)
    )
    launched: dict[str, list[str]] = defaultdict(list)
    for program_code, country_code in rows:
        launched[program_code].append(country_code)
    return dict(launched)


def launched_programs(country_code: str | None) -> set[str]:
    """Codes of the programs launched (``available`` or ``pilot``) in one country today; empty
    for None. One indexed lookup (the submit path asks it per response)."""
    if not country_code:
        return set()
    return set(
        db.session.scalars(
            select(Availability.program_code).where(
                Availability.country_code == country_code,
                Availability.status.in_(LAUNCHED),
            )
        )
    )
