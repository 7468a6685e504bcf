"""Pipeline operations (docs/domain.md#pipeline): what they write, and what they refuse before
writing."""

from __future__ import annotations

from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from crm.audit.models import AuditEvent
from crm.core.errors import InvalidInput
from crm.countries import operations as pipeline
from crm.countries import thresholds
from crm.countries.models import (
    Availability,
    AvailabilityChange,
    CountryThreshold,
    PrivacyReview,
    Program,
)
from crm.countries.queries import get_country_or_404

D1, D2 = date(2026, 3, 2), date(2026, 3, 9)


@pytest.fixture
def colombia(db):
    return get_country_or_404("CO")


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def availability(db, country: str, program: str) -> Availability:
    return db.session.scalar(
        select(Availability).filter_by(country_code=country, program_code=program)
    )


# --- availability ---------------------------------------------------------------------------------


@freeze_time("2026-11-20 03:00:00")  # still 19 November in New York
def test_set_availability_adds_history_with_the_organization_day(db, colombia):
    pipeline.set_availability(colombia, "QOPI", "in_pipeline", note="Talks started")
    db.session.commit()
    row = availability(db, "CO", "QOPI")
    assert (row.status, row.since, row.source) == ("in_pipeline", date(2026, 11, 19), "staff")
    last = max(row.history, key=lambda step: step.id)
    assert (last.previous_status, last.status, last.note) == (
        "not_available",
        "in_pipeline",
        "Talks started",
    )


def test_set_availability_without_change_writes_nothing(db, colombia):
    pipeline.set_availability(colombia, "QOPI", "in_pipeline")
    db.session.commit()
    before = (count(db, AvailabilityChange), count(db, AuditEvent))
    pipeline.set_availability(colombia, "QOPI", "in_pipeline")
    db.session.commit()
    assert (count(db, AvailabilityChange), count(db, AuditEvent)) == before


@pytest.mark.parametrize(
    ("program", "status", "field"),
    [("QOPI", "launched", "status"), ("XYZ", "available", "program")],
)
def test_set_availability_refuses_unknown_values(db, colombia, program, status, field):
    with pytest.raises(InvalidInput) as raised:
        pipeline.set_availability(colombia, program, status)
    assert raised.value.field == field


def test_qcp_cannot_launch_where_qopi_is_not_launched(db, colombia):
    with pytest.raises(InvalidInput, match="QOPI"):
        pipeline.set_availability(colombia, "QCP", "pilot")


def test_qcp_cannot_launch_beyond_its_capacity(db):
    db.session.get(Program, "QCP").capacity = 5
    db.session.commit()
    with pytest.raises(InvalidInput, match="capacity"):
        pipeline.set_availability(get_country_or_404("MX"), "QCP", "available")
    assert availability(db, "MX", "QCP").status == "not_available"


def test_qcp_may_launch_while_capacity_is_free(db):
    pipeline.set_availability(get_country_or_404("MX"), "QCP", "pilot")
    db.session.commit()
    assert availability(db, "MX", "QCP").status == "pilot"


# --- privacy reviews and agreements ---------------------------------------------------------------


@freeze_time("2026-06-15 15:00:00")
def test_record_privacy_review_starts_its_status_today(db, colombia):
    review = pipeline.record_privacy_review(
        colombia, programs=["QOPI", "QCP"], status="in_review", applicable_law="Ley 1581"
    )
    db.session.commit()
    assert (review.status_since, review.program_codes) == (date(2026, 6, 15), {"QOPI", "QCP"})


def test_update_privacy_review_keeps_the_day_of_an_unchanged_status(db, colombia):
    review = pipeline.record_privacy_review(
        colombia, programs=["QOPI"], status="in_review", status_since=D1
    )
    pipeline.update_privacy_review(review, programs=["QOPI"], status="in_review", counsel="Rios")
    assert review.status_since == D1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"programs": [], "status": "approved"}, "programs"),
        ({"programs": ["QOPI"], "status": "granted"}, "status"),
        (
            {"programs": ["QOPI"], "status": "approved", "requested_on": D2, "decided_on": D1},
            "decided_on",
        ),
        ({"programs": ["QOPI"], "status": "approved", "counsel": "x" * 201}, "counsel"),
    ],
    ids=["no-program", "unknown-status", "decided-before-requested", "counsel-too-long"],
)
def test_record_privacy_review_refuses_bad_input(db, colombia, values, field):
    with pytest.raises(InvalidInput) as raised:
        pipeline.record_privacy_review(colombia, **values)
    assert raised.value.field == field
    assert count(db, PrivacyReview) == 0


def test_a_refused_update_leaves_the_review_untouched(db, colombia):
    review = pipeline.record_privacy_review(colombia, programs=["QOPI"], status="requested")
    with pytest.raises(InvalidInput):
        pipeline.update_privacy_review(
            review, programs=["QOPI"], status="approved", counsel="x" * 300
        )
    assert (review.status, review.counsel) == ("requested", None)


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"signed_on": D2, "expires_on": D1}, "expires_on"),
        ({"signed_on": D2, "effective_on": D1}, "effective_on"),
    ],
)
def test_record_agreement_refuses_dates_out_of_order(db, colombia, dates, field):
    with pytest.raises(InvalidInput) as raised:
        pipeline.record_country_agreement(
            colombia, programs=["QOPI"], counterparty="Ministerio", status="signed", **dates
        )
    assert raised.value.field == field


def test_record_agreement_needs_a_counterparty(db, colombia):
    with pytest.raises(InvalidInput) as raised:
        pipeline.record_country_agreement(
            colombia, programs=["QOPI"], counterparty=" ", status="draft"
        )
    assert raised.value.field == "counterparty"


def test_expiry_on_the_signature_day_is_accepted(db, colombia):
    agreement = pipeline.record_country_agreement(
        colombia,
        programs=["QOPI"],
        counterparty="Ministerio",
        status="signed",
        signed_on=D1,
        expires_on=D1,
    )
    assert agreement.expires_on == D1


# --- thresholds and defaults ----------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1001, 10_000, -3])
def test_threshold_out_of_range_is_refused(db, colombia, value):
    with pytest.raises(InvalidInput) as raised:
        thresholds.set_threshold(colombia, "QOPI", value)
    assert raised.value.field == "min_eligible_practices"


def test_qtp_has_no_threshold(db, colombia):
    with pytest.raises(InvalidInput):
        thresholds.set_threshold(colombia, "QTP", 3)


def test_set_then_clear_threshold(db, colombia):
    thresholds.set_threshold(colombia, "QCP", 2, reason="Pilot country")
    db.session.commit()
    assert count(db, CountryThreshold) == 1
    assert thresholds.clear_threshold(colombia, "QCP") is True
    db.session.commit()
    assert count(db, CountryThreshold) == 0


def test_clearing_a_missing_threshold_writes_nothing(db, colombia):
    assert thresholds.clear_threshold(colombia, "QOPI") is False
    assert count(db, AuditEvent) == 0


def test_set_program_defaults(db):
    thresholds.set_program_defaults("QCP", default_threshold=4, capacity=8)
    db.session.commit()
    program = db.session.get(Program, "QCP")
    assert (program.default_threshold, program.capacity) == (4, 8)


@pytest.mark.parametrize(
    ("program", "values", "field"),
    [
        ("QOPI", {"default_threshold": 0}, "default_threshold"),
        ("QOPI", {"default_threshold": 5, "capacity": 3}, "capacity"),
        ("QCP", {"default_threshold": 3, "capacity": 0}, "capacity"),
        ("QCP", {"default_threshold": 3, "capacity": None}, "capacity"),
        ("QTP", {"default_threshold": 3}, "program"),
    ],
)
def test_set_program_defaults_refuses_bad_input(db, program, values, field):
    with pytest.raises(InvalidInput) as raised:
        thresholds.set_program_defaults(program, **values)
    assert raised.value.field == field
