"""Readiness facts from SQL (docs/domain.md#readiness): who counts as eligible, thresholds,
capacity, recording."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from crm.countries import operations as pipeline
from crm.countries import thresholds
from crm.countries.models import Program
from crm.countries.queries import get_country_or_404
from crm.readiness.models import ReadinessChange
from crm.readiness.queries import (
    country_facts,
    country_readiness,
    effective_thresholds,
    eligible_practice_counts,
    launched_count,
    qcp_capacity,
    readiness_board,
)
from crm.responses.matching import refresh_practice
from tests.responses.helpers import T0, eligible_answers, submit_eligible, submit_response

TODAY = date(2026, 11, 15)


def counts(country: str = "CO") -> dict[str, int]:
    return eligible_practice_counts([country]).get(country, {})


# --- who is eligible ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, {"QOPI": 1, "QCP": 1}),
        ({"interest_qopi": "somewhat"}, {"QOPI": 1, "QCP": 1}),
        ({"interest_qopi": "not_very"}, {"QCP": 1}),
        ({"interest_qopi": "not_at_all", "interest_qcp": "not_at_all"}, {}),
        ({"asco_members_count": 0}, {}),
        ({"asco_members_count": None}, {}),
        ({"reads_english": "no"}, {}),
        ({"outpatient_hem_onc": "no"}, {"QOPI": 1}),
        ({"willing_to_pay_qcp_fee": "no"}, {"QOPI": 1}),
        ({"willing_to_pay_qcp_fee": "unsure"}, {"QOPI": 1}),
        ({"interest_qcp": "not_very"}, {"QOPI": 1}),
    ],
    ids=[
        "all-met",
        "somewhat-interested",
        "qopi-not-very",
        "not-interested",
        "no-asco-member",
        "asco-unanswered",
        "no-english",
        "not-outpatient-hem-onc",
        "no-fee",
        "fee-unsure",
        "qcp-not-very",
    ],
)
def test_eligibility_conditions(db, overrides, expected):
    submit_response(db, eligible_answers(**overrides))
    assert counts() == expected


def test_a_practice_with_two_responses_counts_once(db):
    submit_response(db, eligible_answers(), at=T0)
    second = submit_response(db, eligible_answers(), at=T0 + timedelta(days=3))
    assert second.triage_status == "linked"
    assert counts() == {"QOPI": 1, "QCP": 1}


def test_the_latest_response_gives_the_practice_its_answers(db):
    submit_response(db, eligible_answers(), at=T0)
    submit_response(db, eligible_answers(interest_qopi="not_at_all"), at=T0 + timedelta(days=1))
    assert counts() == {"QCP": 1}


@pytest.mark.parametrize("status", ["spam", "duplicate"])
def test_spam_and_duplicates_are_excluded(db, status):
    response = submit_response(db, eligible_answers())
    response.triage_status = status
    refresh_practice(response.practice)
    db.session.commit()
    assert counts() == {}


@pytest.mark.parametrize("status", ["spam", "duplicate"])
def test_a_practice_whose_only_response_is_excluded_never_counts(db, status):
    # Even if its interests were not refreshed yet, eligibility requires a counted response
    # (crm.responses.tallies re-tallies the practice of every response whose triage changed).
    response = submit_response(db, eligible_answers())
    response.triage_status = status
    db.session.commit()
    assert counts() == {}


def test_counts_are_per_country(db):
    submit_eligible(db, 2, country="CO")
    submit_eligible(db, 1, country="PE")
    assert eligible_practice_counts(["CO", "PE"]) == {
        "CO": {"QOPI": 2, "QCP": 2},
        "PE": {"QOPI": 1, "QCP": 1},
    }


# --- thresholds, capacity, facts ------------------------------------------------------------------


def test_threshold_is_the_program_default_without_override(db):
    assert effective_thresholds(["CO"]) == {"CO": {"QOPI": 5, "QCP": 3}}


def test_country_threshold_overrides_the_default(db):
    thresholds.set_threshold(get_country_or_404("CO"), "QOPI", 2)
    db.session.commit()
    assert effective_thresholds(["CO", "PE"]) == {
        "CO": {"QOPI": 2, "QCP": 3},
        "PE": {"QOPI": 5, "QCP": 3},
    }


def test_threshold_override_decides_readiness(db):
    submit_eligible(db, 2)
    thresholds.set_threshold(get_country_or_404("CO"), "QOPI", 2)
    db.session.commit()
    criterion = country_readiness("CO", TODAY)["QOPI"].criteria[2]
    assert (criterion.key, criterion.met, criterion.params["threshold"]) == (
        "eligible_practices",
        True,
        2,
    )


def test_qcp_launched_count_comes_from_availabilities(db):
    # Seeded (docs/domain.md#availability): QCP open in Brazil, Greece, Romania, Saudi Arabia and
    # Spain.
    assert launched_count("QCP") == 5
    assert qcp_capacity() == 6


def make_qcp_ready_in_mexico(db):
    """Mexico has QOPI launched (seed); give it what QCP needs."""
    mexico = get_country_or_404("MX")
    submit_eligible(db, 3, country="MX")
    pipeline.record_privacy_review(mexico, programs=["QCP"], status="approved")
    pipeline.record_country_agreement(
        mexico, programs=["QCP"], counterparty="Sociedad", status="signed", signed_on=T0.date()
    )
    db.session.commit()


def test_qcp_ready_when_capacity_is_free(db):
    make_qcp_ready_in_mexico(db)
    assert country_readiness("MX", TODAY)["QCP"].state == "ready"


def test_qcp_awaiting_capacity_when_capacity_is_full(db):
    make_qcp_ready_in_mexico(db)
    db.session.get(Program, "QCP").capacity = 5
    db.session.commit()
    result = country_readiness("MX", TODAY)["QCP"]
    assert result.state == "awaiting_capacity"
    assert result.capacity == {"launched": 5, "capacity": 5}


def test_board_has_every_country_and_launch_program(db):
    board = readiness_board(TODAY)
    assert len(board) == 2 * len(country_facts())
    assert {r.program for r in board} == {"QOPI", "QCP"}
    assert {(r.country, r.program, r.state) for r in board if r.country == "BR"} == {
        ("BR", "QOPI", "launched"),
        ("BR", "QCP", "launched"),
    }


def test_board_takes_a_handful_of_queries_whatever_the_data(db):
    submit_eligible(db, 3, country="CO")
    submit_eligible(db, 2, country="PE")
    pipeline.record_privacy_review(get_country_or_404("PE"), programs=["QOPI"], status="approved")
    db.session.commit()
    statements = []

    def count(*args, **kwargs):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        readiness_board(TODAY)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) <= 10


# --- recording changes (docs/decisions.md#readiness-recording) -------------------------------


def changes(db, country: str, program: str = "QOPI") -> list[tuple[str | None, str]]:
    rows = db.session.scalars(
        select(ReadinessChange)
        .where(ReadinessChange.country_code == country, ReadinessChange.program_code == program)
        .order_by(ReadinessChange.id)
    )
    return [(row.previous_state, row.state) for row in rows]


def test_a_change_of_readiness_is_recorded_on_commit(db):
    colombia = get_country_or_404("CO")
    pipeline.record_privacy_review(colombia, programs=["QOPI"], status="approved")
    db.session.commit()
    assert changes(db, "CO") == [(None, "blocked")]
    pipeline.record_country_agreement(
        colombia, programs=["QOPI"], counterparty="Ministerio", status="signed", signed_on=T0.date()
    )
    db.session.commit()
    assert changes(db, "CO") == [(None, "blocked"), ("blocked", "near_ready")]


def test_nothing_is_recorded_when_the_state_stays(db):
    colombia = get_country_or_404("CO")
    pipeline.record_privacy_review(colombia, programs=["QOPI"], status="requested")
    db.session.commit()
    pipeline.record_privacy_review(colombia, programs=["QOPI"], status="in_review")
    db.session.commit()
    assert changes(db, "CO") == [(None, "blocked")]


def test_a_rolled_back_change_records_nothing(db):
    pipeline.record_privacy_review(get_country_or_404("CO"), programs=["QOPI"], status="approved")
    db.session.rollback()
    db.session.commit()
    assert changes(db, "CO") == []


def test_responses_coming_in_record_the_change(db):
    submit_eligible(db, 1)
    assert changes(db, "CO") == [(None, "blocked")]


def test_capacity_filling_elsewhere_is_recorded_for_a_ready_country(db):
    make_qcp_ready_in_mexico(db)
    assert changes(db, "MX", "QCP")[-1][1] == "ready"
    chile = get_country_or_404("CL")
    pipeline.set_availability(chile, "QCP", "available")
    db.session.commit()
    assert changes(db, "MX", "QCP")[-1] == ("ready", "awaiting_capacity")


def test_capacity_freed_elsewhere_is_recorded_for_an_awaiting_country(db):
    make_qcp_ready_in_mexico(db)
    chile = get_country_or_404("CL")
    pipeline.set_availability(chile, "QCP", "available")
    db.session.commit()
    pipeline.set_availability(chile, "QCP", "suspended")
    db.session.commit()
    assert changes(db, "MX", "QCP")[-2:] == [
        ("ready", "awaiting_capacity"),
        ("awaiting_capacity", "ready"),
    ]


def test_the_daily_job_records_what_changed_without_a_write(db):
    from sqlalchemy import update

    from crm.countries.models import CountryAgreement
    from crm.readiness.operations import record_todays_readiness

    make_qcp_ready_in_mexico(db)
    record_todays_readiness()  # the first run records every country's first state
    db.session.commit()
    assert record_todays_readiness() == []  # a second run the same day adds nothing
    # As if the calendar had passed the agreement's expiry: no write tells readiness.
    db.session.execute(
        update(CountryAgreement)
        .where(CountryAgreement.country_code == "MX")
        .values(status="expired")
    )
    [change] = [c for c in record_todays_readiness() if c.program_code == "QCP"]
    db.session.commit()
    assert change.country_code == "MX"
    assert changes(db, "MX", "QCP")[-1][0] == "ready"
    assert changes(db, "MX", "QCP")[-1][1] != "ready"
