"""Where each program is available, for the public pages (issue 9): per program, countries
grouped by region, names in the page's language and sorted by its rules; read from the
availability data on every request, so a staff change shows at once."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from crm.core.extensions import db
from crm.core.i18n import collation_key, country_name, region_name
from crm.countries.models import Availability, Country
from crm.countries.queries import LAUNCHED_STATUSES

PROGRAMS = ("QOPI", "QCP", "QTP")


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
    """QOPI, QCP and QTP with the countries where each is ``available`` or ``pilot``, grouped
    by region; regions and countries sorted by their names in ``locale`` (default: active)."""
    rows = db.session.execute(
        select(Availability.program_code, Availability.status, Country.code, Country.region)
        .join(Country, Country.code == Availability.country_code)
        .where(Availability.status.in_(LAUNCHED_STATUSES))
    ).all()
    grouped: dict[str, dict[str, list[CountryEntry]]] = {p: defaultdict(list) for p in PROGRAMS}
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
        for program in PROGRAMS
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
            func.count().filter(Availability.status.in_(LAUNCHED_STATUSES)),
        )
    ).one()
    raw = f"{locale}|{newest}|{launched}|{as_of()}|{salt}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]
