"""Forecasts and the recorded eligible counts on the database, time frozen
(docs/domain.md#forecast): the country page, the board and the readiness JSON give the
documented month; the counts are recorded when a write commits."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from crm.readiness.models import EligibleCount

NOW = "2026-12-07 15:00:00"
TODAY = date(2026, 12, 7)
SUBMITTED = [datetime(2026, m, 3, 12, 0, tzinfo=UTC) for m in (7, 8, 9, 11)]


@pytest.fixture
def colombia(db, submit_response):
    """Colombia: QOPI threshold 6, and ``n`` eligible practices that came in the last months."""
    from crm.countries import thresholds
    from crm.countries.models import Country

    def make(n: int):
        thresholds.set_threshold(db.session.get(Country, "CO"), "QOPI", 6, "test")
        db.session.commit()
        for i, when in enumerate(SUBMITTED[:n]):
            submit_response(practice_name=f"Clínica {i}", email=f"c{i}@x.example", at=when)
        return db

    return make


@freeze_time(NOW)
def test_the_country_page_gives_the_documented_month(colombia, client, create_user, login):
    colombia(4)
    login(create_user("viewer"))
    html = client.get("/staff/countries/CO").get_data(as_text=True)
    assert 'data-projected="2027-03"' in html
    assert "Estimate: 4 of 6 eligible practices, about Mar 2027" in html


@freeze_time(NOW)
def test_the_readiness_json_carries_the_forecast(colombia, client, create_user, login):
    colombia(4)
    login(create_user("viewer"))
    (qopi,) = client.get("/api/v1/readiness?country=CO&program=QOPI").get_json()
    assert qopi["forecast"] == {
        "pace_per_month": 0.67,
        "window_months": 6,
        "projected_month": "2027-03",
        "basis": {
            "status": "projected",
            "new_practices": 4,
            "window_start": "2026-06-07",
            "window_end": "2026-12-07",
            "eligible": 4,
            "threshold": 6,
            "minimum_new_practices": 3,
        },
    }
    (peru,) = client.get("/api/v1/readiness?country=PE&program=QOPI").get_json()
    assert peru["forecast"] is None  # launched: no forecast


@freeze_time(NOW)
def test_too_few_new_practices_is_not_enough_data(colombia, client, create_user, login):
    colombia(2)
    login(create_user("viewer"))
    html = client.get("/staff/countries/CO").get_data(as_text=True)
    assert 'data-projected=""' in html
    assert "Estimate: not enough data (2 new eligible practices in the last 6 months" in html


@freeze_time(NOW)
def test_the_counts_are_recorded_when_a_write_commits(colombia, db):
    colombia(3)
    rows = db.session.scalars(select(EligibleCount).where(EligibleCount.country_code == "CO")).all()
    assert {(r.program_code, r.counted_on, r.practices) for r in rows} == {
        ("QOPI", TODAY, 3),
        ("QCP", TODAY, 3),
    }


@freeze_time(NOW)
def test_a_practice_no_longer_eligible_lowers_the_days_count(colombia, db):
    from crm.responses.models import SurveyResponse

    colombia(3)
    response = db.session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)).first()
    response.triage_status = "spam"
    db.session.commit()
    row = db.session.get(EligibleCount, ("CO", "QOPI", TODAY))
    assert row.practices == 2


@freeze_time(NOW)
def test_the_rebuild_counts_from_each_practices_first_response(colombia, db):
    from crm.readiness.operations import rebuild_eligible_counts
    from crm.readiness.queries import eligible_counts_on

    colombia(4)
    rebuild_eligible_counts(db.session.connection())
    db.session.commit()
    assert eligible_counts_on(date(2026, 7, 31), ["CO"]) == {("CO", "QOPI"): 1, ("CO", "QCP"): 1}
    assert eligible_counts_on(date(2026, 10, 1), ["CO"])[("CO", "QOPI")] == 3
    assert eligible_counts_on(TODAY, ["CO"])[("CO", "QOPI")] == 4
    assert eligible_counts_on(date(2026, 6, 1), ["CO"]) == {}


@freeze_time(NOW)
def test_one_new_practice_is_said_in_the_singular(colombia, client, create_user, login):
    colombia(1)
    login(create_user("viewer"))
    html = client.get("/staff/countries/CO").get_data(as_text=True)
    assert "Estimate: not enough data (1 new eligible practice in the last 6 months" in html
    client.get("/language/es?next=/")
    html = client.get("/staff/countries/CO").get_data(as_text=True)
    assert "(1 nuevo centro elegible en los últimos 6 meses" in html
