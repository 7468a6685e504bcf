"""Where each program is available, read from the availability data on every request, so a
staff change shows at once (docs/domain.md#availability):

- for the public availability pages: per program, countries grouped by region, names in the
  page's language and sorted by its rules (:func:`program_availability`);
- for the survey (docs/domain.md#survey): its program background (:func:`program_reach`) and
  the thank-you page (:func:`program_outcomes`); their wording lives in templates.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from crm.core.extensions import db
from crm.core.i18n import collation_key, country_name, region_name, sorted_countries
from crm.countries import queries
from crm.countries.models import PROGRAM_CODES, Availability, Country
from crm.readiness.rules import PROGRAMS_WITH_LAUNCH
from crm.responses.models import INTERESTED_LEVELS
from crm.responses.questionnaire import INTEREST_KEYS


@dataclass(frozen=True)
class CountryEntry:
    """A country where a program is launched: ISO code, localized name, ``available``/``pilot``."""

    code: str
    name: str
    status: str


@dataclass(frozen=True)
class RegionGroup:
    """The countries of one UN M49 region (code "" when the country has none)."""

    region: str
    name: str
    countries: list[CountryEntry]


@dataclass(frozen=True)
class ProgramAvailability:
    """A program and where it is launched, by region."""

    program: str
    regions: list[RegionGroup]

    @property
    def count(self) -> int:
        return sum(len(group.countries) for group in self.regions)

    @property
    def statuses(self) -> dict[str, str]:
        """ISO code → status of every country listed (for the map)."""
        return {c.code: c.status for group in self.regions for c in group.countries}


def program_availability(locale: str | None = None) -> list[ProgramAvailability]:
    """Every program (QOPI, QCP, QTP) with the countries where it is launched (``available``
    or ``pilot``), grouped by region; regions and countries sorted by their names in
    ``locale`` (default: the active one)."""
    rows = db.session.execute(
        select(Availability.program_code, Availability.status, Country.code, Country.region)
        .join(Country, Country.code == Availability.country_code)
        .where(Availability.status.in_(queries.LAUNCHED))
    ).all()
    grouped: dict[str, dict[str, list[CountryEntry]]] = {
        program: defaultdict(list) for program in PROGRAM_CODES
    }
    for program, status, code, region in rows:
        if program in grouped:
            grouped[program][region or ""].append(
                CountryEntry(code, country_name(code, locale), status)
            )
    return [
        ProgramAvailability(
            program,
            sorted(
                (
                    RegionGroup(
                        region,
                        region_name(region, locale),
                        sorted(entries, key=lambda c: collation_key(c.name)),
                    )
                    for region, entries in grouped[program].items()
                ),
                key=lambda g: (g.region == "", collation_key(g.name)),
            ),
        )
        for program in PROGRAM_CODES
    ]


def as_of() -> date | None:
    """The newest as-of day of any availability row: the data are current as of that day."""
    return db.session.scalar(select(func.max(Availability.as_of)))


def availability_etag(locale: str, salt: str = "") -> str:
    """An entity tag for the pages in ``locale``: it changes whenever any availability row
    changes (its newest update time, the number of rows launched) and with ``salt`` (e.g. the
    template's modification time)."""
    newest, launched = db.session.execute(
        select(
            func.max(Availability.updated_at),
            func.count().filter(Availability.status.in_(queries.LAUNCHED)),
        )
    ).one()
    raw = f"{locale}|{newest}|{launched}|{as_of()}|{salt}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


# --- the survey's program background and thank-you page ------------------------------------------


@dataclass(frozen=True)
class ProgramReach:
    """Countries where a program is launched, as shown to respondents.

    ``countries`` are ``(code, localized name)`` sorted by the page's language; when every EU
    member state is among them, ``all_eu`` is True and they are left out of ``countries``.
    """

    program: str
    countries: list[tuple[str, str]]
    all_eu: bool


@dataclass(frozen=True)
class ProgramOutcome:
    """One program as the thank-you page tells it for the respondent's country."""

    program: str
    #: Launched (``available`` or ``pilot``) in the respondent's country today.
    launched: bool
    #: The respondent said their practice is very or somewhat interested.
    chosen: bool
    #: QOPI is launched there (QCP builds on QOPI, docs/domain.md#programs).
    qopi_launched: bool
    #: Program requirements the answers say the practice does not meet yet
    #: (docs/domain.md#programs): ``asco_member``, ``english`` (QOPI and QCP), ``hem_onc`` (QCP).
    unmet: tuple[str, ...] = ()


def program_reach(locale: str | None = None) -> list[ProgramReach]:
    """QOPI, QCP and QTP with the countries where each is launched today, in ``locale``."""
    launched = queries.available_countries()
    eu_members = set(db.session.scalars(select(Country.code).where(Country.eu_member)))
    reach = []
    for program in PROGRAM_CODES:
        codes = set(launched.get(program, []))
        all_eu = bool(eu_members) and eu_members <= codes
        shown = codes - eu_members if all_eu else codes
        reach.append(ProgramReach(program, sorted_countries(shown, locale), all_eu))
    return reach


def program_outcomes(country_code: str, answers: dict) -> list[ProgramOutcome]:
    """Each program's availability in ``country_code`` and whether ``answers`` chose it.

    ``answers`` is a stored response's answers (``crm.responses.questionnaire`` keys).
    """
    launched = queries.launched_programs(country_code)
    chosen = {p for p in PROGRAM_CODES if answers.get(INTEREST_KEYS[p]) in INTERESTED_LEVELS}
    outcomes = []
    for program in PROGRAM_CODES:
        unmet = unmet_requirements(program, answers)
        if program == "QCP" and "QOPI" in chosen:
            # Already said under QOPI; say it once.
            unmet = tuple(u for u in unmet if u == "hem_onc")
        outcomes.append(
            ProgramOutcome(
                program=program,
                launched=program in launched,
                chosen=program in chosen,
                qopi_launched="QOPI" in launched,
                unmet=unmet,
            )
        )
    return outcomes


def unmet_requirements(program: str, answers: dict) -> tuple[str, ...]:
    """Requirements of ``program`` the answers say are not met: QOPI needs an active ASCO
    member and staff who read the measures in English; QCP also an outpatient
    hematology-oncology practice (docs/domain.md#programs). Unanswered questions are not
    counted as unmet."""
    if program not in PROGRAMS_WITH_LAUNCH:
        return ()
    unmet = []
    if answers.get("asco_members_count") == 0:
        unmet.append("asco_member")
    if answers.get("reads_english") == "no":
        unmet.append("english")
    if program == "QCP" and answers.get("outpatient_hem_onc") == "no":
        unmet.append("hem_onc")
    return tuple(unmet)
