"""The JSON API: tokens, roles, pagination, filters, error objects
(``docs/architecture.md#interfaces``)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from crm.api.tokens import create_token, revoke_token
from tests.countries.test_seed import SPEC_AVAILABLE


@pytest.fixture
def token_for(db, create_user):
    """``token_for(role)`` → headers with a fresh bearer token of a new user with that role."""

    def make(role: str) -> dict[str, str]:
        _row, plain = create_token(create_user(role))
        db.session.commit()
        return {"Authorization": f"Bearer {plain}"}

    return make


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}
    return body["error"]


def test_openapi_document_is_public_and_3_1(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert "/api/v1/countries" in document["paths"]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_missing_token_is_401_with_a_challenge(client):
    response = client.get("/api/v1/countries")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert error_of(response)["status"] == 401


def test_wrong_token_is_401(client):
    response = client.get("/api/v1/countries", headers={"Authorization": "Bearer iqc_nope"})
    assert response.status_code == 401


def test_revoked_token_is_401(client, db, create_user):
    row, plain = create_token(create_user("viewer"))
    revoke_token(row)
    db.session.commit()
    response = client.get("/api/v1/countries", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 401


def test_token_is_stored_hashed(db, create_user):
    row, plain = create_token(create_user("viewer"))
    assert plain not in (row.token_hash, row.prefix)
    assert len(row.token_hash) == 64


def test_viewer_reads_countries_with_pagination(client, token_for):
    body = client.get("/api/v1/countries?page=2&page_size=10", headers=token_for("viewer")).json
    assert (body["page"], body["page_size"], body["total"]) == (2, 10, 250)
    assert len(body["items"]) == 10
    brazil = client.get("/api/v1/countries/br", headers=token_for("viewer")).json
    assert brazil["names"] == {"en": "Brazil", "es": "Brasil", "pt_BR": "Brasil"}
    assert brazil["availability"] == {"QOPI": "available", "QCP": "available", "QTP": "available"}


def test_filters_select_what_they_say(client, token_for):
    headers = token_for("viewer")
    body = client.get(
        "/api/v1/countries?program=QCP&availability=available&page_size=200", headers=headers
    ).json
    assert {c["code"] for c in body["items"]} == SPEC_AVAILABLE["QCP"]
    rows = client.get("/api/v1/availability?program=QTP&status=available", headers=headers).json
    assert {r["country"] for r in rows["items"]} == SPEC_AVAILABLE["QTP"]


def test_viewer_cannot_read_personal_data(client, token_for):
    assert client.get("/api/v1/responses", headers=token_for("viewer")).status_code == 403
    assert client.get("/api/v1/practices", headers=token_for("viewer")).status_code == 403
    assert client.get("/api/v1/responses", headers=token_for("staff")).status_code == 200


def test_invalid_query_is_422_with_field_errors(client, token_for):
    response = client.get("/api/v1/countries?page_size=1000", headers=token_for("viewer"))
    assert response.status_code == 422
    assert "page_size" in error_of(response)["errors"]


@pytest.mark.parametrize(
    "path", ["/api/v1/countries/QQ", "/api/v1/privacy-reviews/999", "/api/v1/agreements/999"]
)
def test_unknown_ids_are_404_error_objects(client, token_for, path):
    response = client.get(path, headers=token_for("viewer"))
    assert response.status_code == 404
    assert error_of(response)["status"] == 404


def test_public_feed_lists_the_seeded_availability(client):
    body = client.get("/api/v1/public/availability").get_json()
    launched = {p["program"]: {c["code"] for c in p["countries"]} for p in body["programs"]}
    assert launched == SPEC_AVAILABLE
    assert body["as_of"] == "2022-01-01"


def test_public_feed_answers_a_conditional_get_with_304_until_availability_changes(client, db):
    from crm.countries import operations as pipeline
    from crm.countries.models import Country

    first = client.get("/api/v1/public/availability")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/public/availability", headers={"If-None-Match": etag})
    assert again.status_code == 304
    pipeline.set_availability(db.session.get(Country, "CO"), "QOPI", "available")
    db.session.commit()
    changed = client.get("/api/v1/public/availability", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "CO" in {c["code"] for p in changed.get_json()["programs"] for c in p["countries"]}


def test_tokens_cli_prints_a_token_once(app, create_user):
    user = create_user("viewer")
    result = CliRunner().invoke(app.cli, ["tokens", "create", "--email", user.email])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("iqc_")
    response = app.test_client().get(
        "/api/v1/countries", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200


def test_tokens_cli_revokes_by_prefix(app, db, create_user):
    row, plain = create_token(create_user("viewer"))
    db.session.commit()
    result = CliRunner().invoke(app.cli, ["tokens", "revoke", "--prefix", row.prefix])
    assert result.exit_code == 0, result.output
    headers = {"Authorization": f"Bearer {plain}"}
    assert app.test_client().get("/api/v1/countries", headers=headers).status_code == 401


def test_an_admin_lists_and_revokes_tokens_in_the_app(app, client, db, create_user, login):
    from sqlalchemy import select

    from crm.audit.models import AuditEvent

    row, plain = create_token(create_user("staff"), label="Website sync")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/countries", headers=headers).status_code == 200
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False
    login(create_user("admin"))
    listing = client.get("/staff/admin/tokens").get_data(as_text=True)
    assert f"{row.prefix}…" in listing
    assert "Website sync" in listing
    assert plain not in listing
    response = client.post(f"/staff/admin/tokens/{row.id}/revoke")
    assert response.status_code == 303
    assert "Revoked on" in client.get("/staff/admin/tokens").get_data(as_text=True)
    assert client.get("/api/v1/countries", headers=headers).status_code == 401
    revoked = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.revoke"))
    assert revoked.entity_id == str(row.id)
    assert client.post("/staff/admin/tokens/999999/revoke").status_code == 404


@pytest.mark.parametrize("role", ["viewer", "staff"])
def test_only_admins_reach_the_token_list(client, create_user, login, role):
    login(create_user(role))
    assert client.get("/staff/admin/tokens").status_code == 403


def test_reading_personal_data_through_the_api_is_audited(client, db, token_for):
    """What holds personal data is recorded when it leaves, by the API as by export
    (``docs/domain.md#roles``)."""
    from sqlalchemy import select

    from crm.audit.models import AuditEvent

    headers = token_for("staff")
    assert client.get("/api/v1/responses?country=CO", headers=headers).status_code == 200
    assert client.get("/api/v1/practices", headers=headers).status_code == 200
    assert client.get("/api/v1/countries", headers=headers).status_code == 200  # no one's data
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "export").order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.changes["format"][1]) for e in events] == [
        ("export.responses", "api"),
        ("export.practices", "api"),
    ]
    assert events[0].changes["filters"][1]["country"] == "CO"
    assert events[0].actor.startswith("api:staff-")
