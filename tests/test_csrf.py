"""CSRF is enforced on every POST (Flask-WTF), and a refused POST writes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from crm.core.extensions import db as _db
from tests.test_permissions import sample_path

pytestmark = pytest.mark.csrf

#: POST endpoints that write nothing, so a CSRF token protects nothing there: the survey's
#: language switch only re-renders the typed answers in another language (no JS needed).
WRITES_NOTHING = {"surveys.switch_language"}


def csrf_token_of(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def row_counts() -> dict[str, int]:
    return {
        table.name: _db.session.scalar(select(func.count()).select_from(table))
        for table in _db.metadata.sorted_tables
    }


@pytest.fixture
def admin_client(app, client, create_user):
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False
    user = create_user("admin")
    token = csrf_token_of(client.get("/staff/login").get_data(as_text=True))
    response = client.post(
        "/staff/login",
        data={"email": user.email, "password": user.test_password, "csrf_token": token},
    )
    assert response.status_code == 302
    return client


def test_login_itself_needs_the_token(client, create_user):
    user = create_user("staff")
    response = client.post(
        "/staff/login", data={"email": user.email, "password": user.test_password}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_every_write_without_a_token_is_refused_and_writes_nothing(app, admin_client, method):
    """Forms post; the API's PUT, PATCH and DELETE also take a session cookie, so they need
    the token too (a bearer token needs none: a browser never sends one by itself)."""
    before = row_counts()
    accepted = {}
    walked = 0
    for rule in app.url_map.iter_rules():
        if method not in rule.methods or rule.endpoint in WRITES_NOTHING:
            continue
        walked += 1
        body = {"status": "available"}
        # The API reads JSON: a form body would be refused for its type, not for CSRF.
        sent = {"json": body} if rule.rule.startswith("/api/") else {"data": body}
        response = admin_client.open(sample_path(rule), method=method, **sent)
        if response.status_code != 400:
            accepted[rule.rule] = response.status_code
    assert walked > 0
    assert accepted == {}
    assert row_counts() == before


def test_a_post_with_the_token_is_accepted(admin_client):
    html = admin_client.get("/staff/countries/CO/thresholds/QOPI").get_data(as_text=True)
    response = admin_client.post(
        "/staff/countries/CO/thresholds/QOPI",
        data={"min_eligible_practices": "4", "csrf_token": csrf_token_of(html)},
    )
    assert response.status_code == 303


def test_a_stale_token_gets_a_clear_message_not_a_500(admin_client):
    response = admin_client.post(
        "/staff/countries/CO/privacy-reviews/new",
        data={"programs": "QOPI", "status": "approved", "csrf_token": "stale"},
    )
    assert response.status_code == 400
    assert "Please reload the page" in response.get_data(as_text=True)
