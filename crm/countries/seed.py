"""Reference data: countries, programs and the availability of the seed documents
(docs/domain.md#availability).

Insert-only for everything staff can edit, so running it again, or after staff changed an
availability, changes nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.accounts.models import ROLES, Role
from crm.core.extensions import db
from crm.countries.models import Availability, AvailabilityChange, Country, Program

DATA_DIR = Path(__file__).resolve().parent / "seed_data"

#: Seeded programs with their defaults (docs/domain.md#thresholds, docs/domain.md#capacity):
#: thresholds QOPI 5, QCP 3; QCP capacity 6.
PROGRAMS = (
    {
        "code": "QOPI",
        "name": "Quality Oncology Practice Initiative",
        "position": 1,
        "default_threshold": 5,
        "capacity": None,
    },
    {
        "code": "QCP",
        "name": "QOPI Certification Program",
        "position": 2,
        "default_threshold": 3,
        "capacity": 6,
    },
    {
        "code": "QTP",
        "name": "Quality Training Program",
        "position": 3,
        "default_threshold": None,
        "capacity": None,
    },
)
CURRENT_DOCUMENT = "001"
NOT_LISTED_SOURCE = "seed 001: not listed"
EARLIER_NOTE = "Listed earlier by seed 000; not listed by seed 001."
DEMO_SOURCE = "demo data"

#: The sources and notes the seed (and the demo data) write, stored as written and shown in the
#: reader's language (``seeded_text``); what staff type is shown as typed.
SEEDED_TEXTS = {
    NOT_LISTED_SOURCE: _l("Seed document 001: not listed"),
    "seed 001: ASCO international quality programs page": _l(
        "Seed document 001: ASCO's international quality programs page"
    ),
    "seed 000: ASCO Quality Programs Background (survey introduction)": _l(
        "Seed document 000: ASCO Quality Programs background (the survey's introduction)"
    ),
    EARLIER_NOTE: _l("Listed earlier by seed document 000; not listed by seed document 001."),
    "international participants": _l("International participants"),
    "home country": _l("Home country"),
    "U.S. territory": _l("U.S. territory"),
    DEMO_SOURCE: _l("Demo data"),
}


def seeded_text(text: str | None) -> str:
    """``text`` in the reader's language when the seed or the demo wrote it, else as stored."""
    if not text:
        return ""
    known = SEEDED_TEXTS.get(text)
    return str(known) if known is not None else text


@dataclass
class SeedReport:
    """Rows the seed inserted, per table (zeros on a second run)."""

    inserted: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, n: int = 1) -> None:
        self.inserted[table] = self.inserted.get(table, 0) + n


def read_countries(path: Path = DATA_DIR / "countries.csv") -> list[dict[str, str]]:
    """Rows of ``countries.csv`` (code, alpha3, numeric, name, region, subregion, eu_member,
    income_group)."""
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_availability(path: Path = DATA_DIR / "availability.csv") -> list[dict[str, str]]:
    """Rows of ``availability.csv`` (document, program, country, status, source, as_of, note)."""
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def seed_countries(report: SeedReport) -> None:
    """Insert missing countries and refresh their reference columns (not staff-editable)."""
    existing = {c.code: c for c in db.session.scalars(select(Country))}
    for row in read_countries():
        values = {
            "alpha3": row["alpha3"],
            "name": row["name"],
            "region": row["region"] or None,
            "subregion": row["subregion"] or None,
            "eu_member": row["eu_member"] == "1",
            "income_group": row["income_group"] or None,
        }
        country = existing.get(row["code"])
        if country is None:
            db.session.add(Country(code=row["code"], **values))
            report.add("countries")
            continue
        for key, value in values.items():
            if getattr(country, key) != value:
                setattr(country, key, value)


def seed_programs(report: SeedReport) -> None:
    """Insert missing programs with their default thresholds; admins' later edits are kept."""
    existing = set(db.session.scalars(select(Program.code)))
    for values in PROGRAMS:
        if values["code"] not in existing:
            db.session.add(Program(**values))
            report.add("programs")


def seed_roles(report: SeedReport) -> None:
    """Insert the roles of docs/domain.md#roles that are missing."""
    existing = set(db.session.scalars(select(Role.name)))
    for name in ROLES:
        if name not in existing:
            db.session.add(Role(name=name))
            report.add("roles")


def seed_availability(report: SeedReport) -> None:
    """Create the availability of every country × program that has none yet, with its history.

    Current status comes from document 001; rows of document 000 become earlier history
    (e.g. the UAE, listed by 000 only). Pairs that already exist are never touched.
    """
    existing = set(db.session.execute(select(Availability.country_code, Availability.program_code)))
    rows = read_availability()
    earlier = {(r["country"], r["program"]): r for r in rows if r["document"] != CURRENT_DOCUMENT}
    current = {(r["country"], r["program"]): r for r in rows if r["document"] == CURRENT_DOCUMENT}
    countries = db.session.scalars(select(Country.code)).all()
    for country in countries:
        for program in (p["code"] for p in PROGRAMS):
            if (country, program) in existing:
                continue
            _create_availability(
                country, program, earlier.get((country, program)), current.get((country, program))
            )
            report.add("availabilities")


def _create_availability(
    country: str, program: str, earlier: dict[str, str] | None, current: dict[str, str] | None
) -> None:
    if current:
        status, source, as_of, note = (
            current["status"],
            current["source"],
            date.fromisoformat(current["as_of"]),
            current["note"] or None,
        )
    else:
        status, source, as_of = "not_available", NOT_LISTED_SOURCE, date(2022, 1, 1)
        note = EARLIER_NOTE if earlier else None
    availability = Availability(
        country_code=country,
        program_code=program,
        status=status,
        since=None,
        source=source,
        as_of=as_of,
        note=note,
    )
    previous = None
    if earlier:
        availability.history.append(
            AvailabilityChange(
                previous_status=None,
                status=earlier["status"],
                source=earlier["source"],
                as_of=date.fromisoformat(earlier["as_of"]),
                note=earlier["note"] or None,
            )
        )
        previous = earlier["status"]
    availability.history.append(
        AvailabilityChange(
            previous_status=previous,
            status=status,
            source=source,
            as_of=as_of,
            note=note,
        )
    )
    db.session.add(availability)


def seed_all() -> SeedReport:
    """Run every seed step in order and flush; the caller commits. Idempotent."""
    report = SeedReport()
    seed_roles(report)
    seed_programs(report)
    seed_countries(report)
    db.session.flush()
    seed_availability(report)
    db.session.flush()
    return report
