"""CSRF is enforced on every POST (Flask-WTF), and a refused POST writes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from crm.extensions import db as _db
from tests.crm.test_permissions import sample_path

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


def test_every_post_without_a_token_is_refused_and_writes_nothing(app, admin_client):
    before = row_counts()
    accepted = {}
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in WRITES_NOTHING:
            continue
        response = admin_client.post(sample_path(rule), data={"status": "available"})
        if response.status_code != 400:
            accepted[rule.rule] = response.status_code
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
