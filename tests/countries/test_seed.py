"""The seed: the availability of docs/domain.md#availability exactly, idempotent, and respectful
of staff edits."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from crm.core.i18n import country_name
from crm.countries.models import Availability, AvailabilityChange, Country, Program
from crm.countries.seed import seed_all

EU27 = set(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)

#: The programs' home: the United States and its territories (docs/domain.md#home).
US_AND_TERRITORIES = {"US", "PR", "GU", "VI", "AS", "MP", "UM"}
#: The seeded availability (crm/countries/seed_data/README.md), written out by hand.
SPEC_AVAILABLE = {
    "QOPI": {"AR", "AU", "BR", "CL", "IN", "MY", "MX", "NZ", "PK", "PE", "PH", "SA"}
    | EU27
    | US_AND_TERRITORIES,
    "QCP": {"BR", "GR", "RO", "SA", "ES", "US"},
    "QTP": {"GR", "BR", "MX", "RO", "ES", "SA"},
}


def launched(db, program: str) -> set[str]:
    return set(
        db.session.scalars(
            select(Availability.country_code).where(
                Availability.program_code == program, Availability.status == "available"
            )
        )
    )


def table_counts(db) -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Country, Program, Availability, AvailabilityChange)
    }


@pytest.mark.parametrize("program", ["QOPI", "QCP", "QTP"])
def test_seeded_availability_equals_spec(db, program):
    assert launched(db, program) == SPEC_AVAILABLE[program]


def test_every_other_pair_is_not_available(db):
    statuses = set(db.session.scalars(select(Availability.status).distinct()))
    assert statuses == {"available", "not_available"}
    assert db.session.scalar(select(func.count()).select_from(Availability)) == 250 * 3


def test_every_row_names_its_source_and_as_of_date(db):
    rows = db.session.scalars(select(Availability)).all()
    assert all(row.source and row.as_of for row in rows)
    brazil = db.session.scalar(
        select(Availability).where(
            Availability.country_code == "BR", Availability.program_code == "QOPI"
        )
    )
    assert brazil.source.startswith("seed 001")
    assert brazil.as_of == date(2022, 1, 1)


def test_uae_keeps_its_earlier_listing_but_is_not_available(db):
    uae = db.session.scalar(
        select(Availability).where(
            Availability.country_code == "AE", Availability.program_code == "QOPI"
        )
    )
    assert uae.status == "not_available"
    assert [(h.previous_status, h.status) for h in uae.history] == [
        (None, "available"),
        ("available", "not_available"),
    ]
    assert uae.history[0].source.startswith("seed 000")


def test_programs_carry_spec_defaults(db):
    programs = {p.code: p for p in db.session.scalars(select(Program))}
    assert programs["QOPI"].default_threshold == 5
    assert programs["QCP"].default_threshold == 3
    assert programs["QCP"].capacity == 6
    assert programs["QTP"].default_threshold is None


def test_countries_have_region_eu_and_income(db):
    assert db.session.scalar(select(func.count()).select_from(Country)) == 250
    brazil, germany = db.session.get(Country, "BR"), db.session.get(Country, "DE")
    assert (brazil.region, brazil.subregion, brazil.eu_member, brazil.income_group) == (
        "019", "005", False, "upper_middle",
    )  # fmt: skip
    assert germany.eu_member is True
    assert set(db.session.scalars(select(Country.code).where(Country.eu_member))) == EU27


def test_seed_twice_changes_nothing(db):
    before = table_counts(db)
    snapshot = [
        (a.country_code, a.program_code, a.status) for a in db.session.scalars(select(Availability))
    ]
    report = seed_all()
    db.session.commit()
    assert report.inserted == {}
    assert table_counts(db) == before
    after = [
        (a.country_code, a.program_code, a.status) for a in db.session.scalars(select(Availability))
    ]
    assert after == snapshot


def test_seed_after_staff_edit_keeps_the_edit(db):
    colombia = db.session.scalar(
        select(Availability).where(
            Availability.country_code == "CO", Availability.program_code == "QOPI"
        )
    )
    colombia.status = "in_pipeline"
    colombia.source = "staff"
    qopi = db.session.get(Program, "QOPI")
    qopi.default_threshold = 7
    db.session.commit()
    seed_all()
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Availability, colombia.id).status == "in_pipeline"
    assert db.session.get(Program, "QOPI").default_threshold == 7


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "Germany"), ("es", "Alemania"), ("pt_BR", "Alemanha")],
)
def test_country_names_come_from_cldr(app, locale, expected):
    assert country_name("DE", locale) == expected
