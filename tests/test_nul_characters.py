"""A NUL character (U+0000) in anything a client sends is refused before the database sees it.

PostgreSQL cannot store or compare one in a text column: unguarded, it was a 500 there (CI,
schemathesis on POST /api/v1/agreements). These run on SQLite and, in CI, on PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm.api.tokens import create_token
from crm.countries.models import CountryAgreement
from tests.surveys.support import stored_responses, valid_form

NUL = "\x00"


def agreements() -> int:
    from crm.core.extensions import db

    return db.session.scalar(select(func.count()).select_from(CountryAgreement))


@pytest.fixture
def api_headers(db, create_user):
    _row, plain = create_token(create_user("staff"))
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_survey_answer_with_nul_is_a_400_page_in_the_language(client):
    response = client.post("/es/survey", data=valid_form(practice_name=f"Clínica{NUL}"))
    assert response.status_code == 400
    assert "Solicitud" in response.get_data(as_text=True)
    assert stored_responses() == 0


def test_login_with_nul_in_the_email_is_a_400(client, create_user):
    user = create_user("staff")
    response = client.post(
        "/staff/login", data={"email": f"{user.email}{NUL}", "password": user.test_password}
    )
    assert response.status_code == 400


def test_staff_search_with_nul_is_a_400(client, create_user, login):
    login(create_user("staff"))
    response = client.get("/staff/practices", query_string={"q": f"San{NUL}"})
    assert response.status_code == 400


def test_api_body_with_nul_is_a_422_naming_the_field(client, api_headers):
    body = {
        "country": "CO",
        "programs": ["QOPI"],
        "counterparty": "Ministerio de Salud",
        "status": "draft",
        "notes": f"first{NUL}draft",
    }
    response = client.post("/api/v1/agreements", json=body, headers=api_headers)
    assert response.status_code == 422, response.json
    assert list(response.json["error"]["errors"]) == ["notes"]
    assert agreements() == 0


def test_api_nested_nul_and_nul_in_a_key_are_refused(client, api_headers):
    body = {"country": "CO", "programs": [f"QOPI{NUL}"], "counterparty": "x", "status": "draft"}
    response = client.post("/api/v1/agreements", json=body, headers=api_headers)
    assert response.status_code == 422
    assert list(response.json["error"]["errors"]) == ["programs"]
    body = {"country": "CO", f"note{NUL}s": "x"}
    response = client.post("/api/v1/agreements", json=body, headers=api_headers)
    assert response.status_code == 422


def test_api_query_with_nul_is_a_422(client, api_headers):
    response = client.get(
        "/api/v1/practices", query_string={"country": f"C{NUL}"}, headers=api_headers
    )
    assert response.status_code == 422
    assert list(response.json["error"]["errors"]) == ["country"]


def test_api_path_with_nul_names_nothing(client, api_headers):
    response = client.get("/api/v1/countries/C%00", headers=api_headers)
    assert response.status_code == 404
    assert response.json["error"]["status"] == 404


def test_text_without_nul_still_goes_through(client, api_headers):
    body = {"country": "CO", "programs": ["QOPI"], "counterparty": "MinSalud", "status": "draft"}
    response = client.post("/api/v1/agreements", json=body, headers=api_headers)
    assert response.status_code == 201, response.json
    assert agreements() == 1


def test_every_route_but_static_files_is_guarded(app):
    from crm.core.hardening import refuse_nul_characters

    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        blueprint = rule.endpoint.rsplit(".", 1)[0]
        assert refuse_nul_characters in app.before_request_funcs.get(blueprint, []), rule


def test_the_survey_body_limit_still_answers_first(client):
    response = client.post("/en/survey", data=valid_form(comments="x" * 150_000 + NUL))
    assert response.status_code == 400
    assert "The form you sent was too large." in response.get_data(as_text=True)
