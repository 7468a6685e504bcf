"""API writes: the same validation, permissions and audit trail as the screens
(``docs/architecture.md#interfaces``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.api.tokens import create_token
from crm.audit.models import AuditEvent
from crm.countries.models import PrivacyReview


@pytest.fixture
def headers_for(db, create_user):
    def make(role: str) -> dict[str, str]:
        _row, plain = create_token(create_user(role))
        db.session.commit()
        return {"Authorization": f"Bearer {plain}"}

    return make


def test_viewer_cannot_write(client, headers_for):
    response = client.put(
        "/api/v1/countries/CO/availability/QOPI",
        json={"status": "in_pipeline"},
        headers=headers_for("viewer"),
    )
    assert response.status_code == 403


def test_staff_sets_availability_with_history_and_audit(client, db, headers_for):
    response = client.put(
        "/api/v1/countries/co/availability/QOPI",
        json={"status": "in_pipeline", "note": "Board approved the plan"},
        headers=headers_for("staff"),
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "in_pipeline"
    assert response.json["source"] == "api"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "availability.update"))
    assert event.actor.startswith("api:staff-")
    assert event.changes["status"] == ["not_available", "in_pipeline"]


def test_operation_refusal_is_a_422_with_the_field(client, headers_for):
    response = client.post(
        "/api/v1/agreements",
        json={
            "country": "CO",
            "programs": ["QOPI"],
            "counterparty": "MinSalud",
            "status": "signed",
            "signed_on": "2026-05-10",
            "expires_on": "2026-05-01",
        },
        headers=headers_for("staff"),
    )
    assert response.status_code == 422
    assert "expires_on" in response.json["error"]["errors"]


def test_schema_refusal_names_the_field(client, headers_for):
    response = client.put(
        "/api/v1/countries/CO/thresholds/QOPI",
        json={"min_eligible_practices": 0},
        headers=headers_for("staff"),
    )
    assert response.status_code == 422
    assert "min_eligible_practices" in response.json["error"]["errors"]


def test_review_created_then_patched_keeps_other_fields(client, db, headers_for):
    headers = headers_for("staff")
    created = client.post(
        "/api/v1/privacy-reviews",
        json={
            "country": "CO",
            "programs": ["QOPI", "QCP"],
            "status": "in_review",
            "applicable_law": "Ley 1581 de 2012",
            "requested_on": "2026-03-02",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.json
    review_id = created.json["id"]
    patched = client.patch(
        f"/api/v1/privacy-reviews/{review_id}", json={"status": "approved"}, headers=headers
    )
    assert patched.status_code == 200, patched.json
    review = db.session.get(PrivacyReview, review_id)
    assert (review.status, review.applicable_law) == ("approved", "Ley 1581 de 2012")
    assert review.program_codes == {"QOPI", "QCP"}


def test_threshold_override_and_clear(client, headers_for):
    headers = headers_for("staff")
    rows = client.put(
        "/api/v1/countries/CO/thresholds/QOPI", json={"min_eligible_practices": 3}, headers=headers
    ).json
    qopi = next(r for r in rows if r["program"] == "QOPI")
    assert (qopi["min_eligible_practices"], qopi["default"], qopi["overridden"]) == (3, 5, True)
    assert client.delete("/api/v1/countries/CO/thresholds/QOPI", headers=headers).status_code == 204


def test_readiness_endpoint_matches_spec_shape(client, headers_for):
    rows = client.get("/api/v1/readiness?country=BR", headers=headers_for("viewer")).json
    assert {(r["country"], r["program"]) for r in rows} == {("BR", "QOPI"), ("BR", "QCP")}
    for row in rows:
        assert row["state"] == "launched"
        assert {"key", "met", "detail"} <= set(row["criteria"][0])


def test_session_writes_need_the_csrf_token(app, client, create_user, login):
    login(create_user("staff"))  # CSRF is off in tests until here
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.put("/api/v1/countries/CO/availability/QOPI", json={"status": "pilot"})
    assert response.status_code == 400


def test_every_api_write_is_audited_with_its_token_user(client, db, headers_for):
    """Each write endpoint leaves its audit row, the actor named by the token."""
    headers = headers_for("staff")
    review = client.post(
        "/api/v1/privacy-reviews",
        json={"country": "CO", "programs": ["QOPI"], "status": "in_review"},
        headers=headers,
    ).json
    client.patch(
        f"/api/v1/privacy-reviews/{review['id']}", json={"status": "approved"}, headers=headers
    )
    agreement = client.post(
        "/api/v1/agreements",
        json={"country": "CO", "programs": ["QOPI"], "counterparty": "MinSalud", "status": "draft"},
        headers=headers,
    ).json
    client.patch(
        f"/api/v1/agreements/{agreement['id']}",
        json={"status": "signed", "signed_on": "2026-05-10"},
        headers=headers,
    )
    client.put(
        "/api/v1/countries/CO/thresholds/QOPI", json={"min_eligible_practices": 3}, headers=headers
    )
    client.delete("/api/v1/countries/CO/thresholds/QOPI", headers=headers)
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.actor).where(
            AuditEvent.entity_type.not_in(("api_token", "user"))
        )
    ).all()
    assert sorted(action for action, _actor in events) == [
        "country_agreement.create",
        "country_agreement.update",
        "privacy_review.create",
        "privacy_review.update",
        "threshold.clear",
        "threshold.set",
    ]
    assert all(actor.startswith("api:staff-") for _action, actor in events)


@pytest.mark.parametrize("day", ["9999-12-31", "1066-10-14"])
def test_dates_outside_the_calendar_are_a_422_as_on_the_screens(client, headers_for, day):
    response = client.post(
        "/api/v1/agreements",
        json={
            "country": "CO",
            "programs": ["QOPI"],
            "counterparty": "MinSalud",
            "status": "signed",
            "signed_on": "2026-05-10",
            "expires_on": day,
        },
        headers=headers_for("staff"),
    )
    assert response.status_code == 422
    assert "expires_on" in response.json["error"]["errors"]
