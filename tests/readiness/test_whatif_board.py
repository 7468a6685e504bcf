"""What-if on the database (docs/domain.md#what-if): the API and the page compute with the board's
rules on today's facts, list what changes, and write nothing; an admin may apply a threshold or
capacity change, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm.readiness.queries import readiness_board
from crm.readiness.rules import HOME_COUNTRIES, State

WHAT_IF = "/api/v1/readiness/what-if"


@pytest.fixture
def demo(db):
    from crm.demo.generate import load_demo

    load_demo()
    db.session.commit()
    return db


@pytest.fixture
def viewer_client(client, create_user, login):
    return login(create_user("viewer"))


def row_counts(db) -> dict[str, int]:
    """Rows of every table, to show nothing was written."""
    return {
        name: db.session.scalar(select(func.count()).select_from(table))
        for name, table in db.metadata.tables.items()
    }


def qopi_candidates_at(db, counts: set[int]) -> set[str]:
    """QOPI candidates (not launched, not home, default threshold) whose eligible count is in
    ``counts`` and whose privacy review and agreement criteria hold."""
    from crm.countries.models import CountryThreshold

    overrides = select(CountryThreshold.country_code).where(CountryThreshold.program_code == "QOPI")
    overridden = set(db.session.scalars(overrides))
    found = set()
    for row in readiness_board():
        if row.program != "QOPI" or row.state in (State.LAUNCHED, State.HOME):
            continue
        criteria = {c.key: c for c in row.criteria}
        others_hold = criteria["privacy_review"].met and criteria["country_agreement"].met
        eligible = criteria["eligible_practices"].params["eligible"]
        if others_hold and eligible in counts and row.country not in overridden:
            found.add(row.country)
    return found


def test_lowering_qopi_to_3_lists_exactly_the_countries_at_3_or_4(demo, viewer_client):
    expected = qopi_candidates_at(demo, {3, 4})
    assert expected  # the demo has one: Ecuador, 3 of 5 with review and agreement
    before = row_counts(demo)
    response = viewer_client.post(WHAT_IF, json={"thresholds": {"QOPI": 3}})
    assert response.status_code == 200
    rows = response.get_json()
    became_ready = {r["country"] for r in rows if r["program"] == "QOPI"
                    and r["state_after"] == "ready"}  # fmt: skip
    assert became_ready == expected
    assert {r["country"] for r in rows} == expected
    for row in rows:
        assert row["state"] == "near_ready"
        assert set(row) == {"country", "program", "state", "state_after", "criteria_after",
                            "criteria_changed"}  # fmt: skip
        assert row["criteria_changed"] == ["eligible_practices"]
        eligible = next(c for c in row["criteria_after"] if c["key"] == "eligible_practices")
        assert eligible["met"] is True
        assert eligible["params"]["threshold"] == 3
    demo.session.rollback()
    assert row_counts(demo) == before


def test_all_gives_every_row(demo, viewer_client):
    rows = viewer_client.post(f"{WHAT_IF}?all=1", json={}).get_json()
    assert len(rows) == 2 * len(readiness_board()) // 2
    assert all(r["state"] == r["state_after"] for r in rows)


def test_the_example_body_is_understood(demo, viewer_client):
    from crm.countries.models import CountryAgreement, PrivacyReview

    review = demo.session.scalar(select(PrivacyReview).where(PrivacyReview.status != "approved"))
    agreement = demo.session.scalar(
        select(CountryAgreement).where(CountryAgreement.status != "signed")
    )
    body = {
        "thresholds": {"QOPI": 3},
        "country_thresholds": {"CO": {"QOPI": 4}},
        "qcp_capacity": 8,
        "privacy_reviews_approved": [review.id],
        "agreements_signed": [{"id": agreement.id, "expires_on": "2029-12-31"}],
    }
    before = row_counts(demo)
    response = viewer_client.post(WHAT_IF, json=body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()
    demo.session.rollback()
    assert row_counts(demo) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"thresholds": {"QTP": 3}}, "thresholds"),
        ({"thresholds": {"QOPI": 0}}, "thresholds"),
        ({"qcp_capacity": "eight"}, "qcp_capacity"),
        ({"privacy_reviews_approved": [999999]}, "privacy_reviews_approved"),
        ({"agreements_signed": [{"id": 999999}]}, "agreements_signed"),
        ({"country_thresholds": {"ZZ": {"QOPI": 3}}}, "country_thresholds"),
        ({"thresholds": {"QOPI": 3}, "surprise": 1}, "surprise"),
    ],
)
def test_a_body_that_cannot_be_understood_is_refused(db, viewer_client, body, field):
    response = viewer_client.post(WHAT_IF, json=body)
    assert response.status_code == 422
    assert field in str(response.get_json()["error"])


def test_a_body_that_is_not_json_is_refused(db, viewer_client):
    response = viewer_client.post(WHAT_IF, data="thresholds=3")
    assert response.status_code == 415


def test_the_page_shows_the_change_and_saves_nothing(demo, viewer_client):
    before = row_counts(demo)
    page = viewer_client.get("/staff/what-if/?qopi_threshold=3")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    table = html[html.index('class="whatif-table"') :]
    for code in qopi_candidates_at(demo, {3, 4}):
        assert f'href="/staff/countries/{code}"' in table
    assert "Save the thresholds and capacity" not in html  # viewers do not apply
    demo.session.rollback()
    assert row_counts(demo) == before


def test_an_admin_applies_the_change_and_it_is_audited(demo, client, create_user, login, app):
    from crm.audit.models import AuditEvent
    from crm.countries.models import Program

    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False
    login(create_user("admin"))
    html = client.get("/staff/what-if/?qopi_threshold=3&qcp_capacity=8").get_data(as_text=True)
    assert "Save the thresholds and capacity" in html
    token = html.split('name="csrf_token" value="')[-1].split('"')[0]
    response = client.post("/staff/what-if/apply?qopi_threshold=3&qcp_capacity=8",
                           data={"csrf_token": token})  # fmt: skip
    assert response.status_code == 303
    demo.session.expire_all()
    assert demo.session.get(Program, "QOPI").default_threshold == 3
    assert demo.session.get(Program, "QCP").capacity == 8
    actions = demo.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "program.update")
    ).all()
    assert len(actions) == 2


def test_a_refused_value_saves_nothing(demo, client, create_user, login, app):
    """A threshold the form refuses is left out of the preview; applying must not then save the
    other values as if the whole form had been accepted."""
    from crm.audit.models import AuditEvent
    from crm.countries.models import Program

    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False
    login(create_user("admin"))
    query = "qopi_threshold=3&qcp_capacity=-2"
    html = client.get(f"/staff/what-if/?{query}").get_data(as_text=True)
    token = html.split('name="csrf_token" value="')[-1].split('"')[0]
    before = demo.session.get(Program, "QOPI").default_threshold
    response = client.post(f"/staff/what-if/apply?{query}", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/staff/what-if/?")
    demo.session.expire_all()
    assert demo.session.get(Program, "QOPI").default_threshold == before
    assert not demo.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "program.update")
    ).all()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "nothing was saved" in page


def test_staff_cannot_apply(db, client, create_user, login):
    login(create_user("staff"))
    assert client.post("/staff/what-if/apply?qopi_threshold=3").status_code == 403


def test_the_home_is_never_listed(demo, viewer_client):
    rows = viewer_client.post(WHAT_IF, json={"thresholds": {"QOPI": 1, "QCP": 1}}).get_json()
    assert not {r["country"] for r in rows} & HOME_COUNTRIES
