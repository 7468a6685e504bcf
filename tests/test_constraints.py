"""The database itself rejects bad rows, not only the code."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from crm.countries.models import Availability, CountryAgreement, CountryThreshold, PrivacyReview
from crm.responses.models import Practice


def rejects(db, statement) -> None:
    with pytest.raises(IntegrityError):
        db.session.execute(statement)
        db.session.flush()
    db.session.rollback()


def test_unknown_availability_status(db):
    rejects(
        db,
        insert(Availability).values(
            country_code="CO", program_code="QOPI", status="launched", source="x"
        ),
    )


def test_duplicate_availability(db):
    rejects(
        db,
        insert(Availability).values(
            country_code="BR", program_code="QOPI", status="available", source="x"
        ),
    )


def test_orphan_availability(db):
    rejects(
        db,
        insert(Availability).values(
            country_code="QQ", program_code="QOPI", status="available", source="x"
        ),
    )


def test_unknown_review_status(db):
    rejects(db, insert(PrivacyReview).values(country_code="BR", status="pending"))


def test_agreement_expiring_before_signature(db):
    rejects(
        db,
        insert(CountryAgreement).values(
            country_code="BR",
            counterparty="Sociedade",
            status="signed",
            signed_on=date(2026, 5, 1),
            expires_on=date(2026, 4, 30),
        ),
    )


@pytest.mark.parametrize("value", [0, 10_000])
def test_threshold_out_of_range(db, value):
    rejects(
        db,
        insert(CountryThreshold).values(
            country_code="BR", program_code="QOPI", min_eligible_practices=value
        ),
    )


def test_practice_in_unknown_country(db):
    rejects(db, insert(Practice).values(name="X", name_key="x", country_code="QQ"))
