"""IDOR and forced browsing: no write action or admin page is reachable by URL without the role,
whatever the id, and ids that do not exist are a 404, never a 500.

The walks go over ``app.url_map`` with ids of rows that do exist, so a missing permission check
cannot hide behind a 404.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from crm.accounts.models import User
from crm.activities.operations import add_task
from crm.api.tokens import create_token
from crm.core.access import access_of
from crm.core.clock import org_today
from crm.core.extensions import db as _db
from crm.countries.models import Country
from crm.countries.operations import record_country_agreement, record_privacy_review
from crm.responses.models import Contact
from crm.responses.operations import update_contact
from tests.responses.helpers import eligible_answers, submit_response
from tests.test_permissions import sample_value

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
#: Sample values of string arguments that name nothing in the database.
UNKNOWN_ARGS = {"code": "QQ", "country_code": "QQ", "program": "XYZ", "action": "explode"}
#: A valid JSON body per API write, so that only the URL can be wrong.
API_BODIES = {
    "api_countries.put_availability": {"status": "in_pipeline"},
    "api_pipeline.put_threshold": {"min_eligible_practices": 3},
    "api_pipeline.patch_agreement": {"status": "draft"},
    "api_pipeline.patch_privacy_review": {"status": "in_review"},
    "api_merges.merge_practice": {"into": 1},
}
#: Ids no row has, down to the largest a PostgreSQL INTEGER holds and beyond it.
MISSING_IDS = [999_999, 2**31 - 1, 2**31, 10**20]


def row_counts() -> dict[str, int]:
    return {
        table.name: _db.session.scalar(select(func.count()).select_from(table))
        for table in _db.metadata.sorted_tables
    }


def path_of(rule, ids: int | None = None, **overrides) -> str:
    """The rule's path with existing sample values (ids 1) or ``ids`` in every id slot."""
    values = dict(rule.defaults or {})
    for name in rule.arguments - values.keys():
        if isinstance(rule._converters[name], IntegerConverter):
            values[name] = 1 if ids is None else ids
        else:
            values[name] = overrides.get(name, sample_value(rule, name))
    if rule.endpoint == "inbox.act":
        values.setdefault("action", "spam")
    # Build without the converter's bounds, so an id beyond them can be tried.
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[^<>:]+:)?{name}>", str(value), path)
    return path


def rules_at(app, levels: set[str], methods=WRITE_METHODS) -> list:
    return [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint in app.view_functions
        and access_of(app.view_functions[rule.endpoint]) in levels
        for method in sorted(rule.methods & set(methods))
    ]


@pytest.fixture
def rows(db, create_user):
    """One row of each kind a URL can name, each with id 1, committed."""
    admin = create_user("admin")
    submit_response(db, eligible_answers(0))
    country = db.session.get(Country, "CO")
    record_privacy_review(country, programs=["QOPI"], status="in_review")
    record_country_agreement(country, programs=["QOPI"], counterparty="Ministerio", status="draft")
    add_task(title="Call", owner=admin, due_on=org_today(), country_code="CO")
    db.session.commit()
    return admin


@pytest.fixture
def session_of(app, create_user):
    """``session_of(role)`` → a fresh client logged in as a new user with that role."""
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False

    def make(role: str):
        user = create_user(role)
        client = app.test_client()
        reply = client.post(
            "/staff/login", data={"email": user.email, "password": user.test_password}
        )
        assert reply.status_code in (302, 303)
        return client

    return make


@pytest.fixture
def token_of(db, create_user):
    """``token_of(role)`` → Authorization headers with a bearer token of a new user."""

    def make(role: str) -> dict[str, str]:
        _row, plain = create_token(create_user(role))
        db.session.commit()
        return {"Authorization": f"Bearer {plain}"}

    return make


def test_a_viewer_session_reaches_no_write_action_on_existing_rows(app, rows, session_of):
    client = session_of("viewer")
    before = row_counts()
    answered = {
        f"{method} {rule.rule}": status
        for rule, method in rules_at(app, {"staff", "admin"})
        if (status := client.open(path_of(rule), method=method, data={}).status_code) != 403
    }
    assert answered == {}
    assert row_counts() == before


def test_a_viewer_session_reaches_no_staff_or_admin_page(app, rows, session_of):
    client = session_of("viewer")
    answered = {
        rule.rule: status
        for rule, _method in rules_at(app, {"staff", "admin"}, ("GET",))
        if (status := client.get(path_of(rule)).status_code) != 403
    }
    assert answered == {}


def test_a_staff_session_reaches_no_admin_page_or_action(app, rows, session_of):
    client = session_of("staff")
    before = row_counts()
    answered = {
        f"{method} {rule.rule}": status
        for rule, method in rules_at(app, {"admin"}, ("GET", *WRITE_METHODS))
        if (status := client.open(path_of(rule), method=method, data={}).status_code) != 403
    }
    assert answered == {}
    assert row_counts() == before


def test_a_viewer_token_reaches_no_api_write(app, rows, client, token_of):
    headers = token_of("viewer")
    before = row_counts()
    api_writes = [
        (rule, method) for rule, method in rules_at(app, {"staff", "admin"}) if "/api/" in rule.rule
    ]
    assert len(api_writes) >= 6
    answered = {
        f"{method} {rule.rule}": status
        for rule, method in api_writes
        if (
            status := client.open(
                path_of(rule), method=method, json={"status": "available"}, headers=headers
            ).status_code
        )
        != 403
    }
    assert answered == {}
    assert row_counts() == before


def test_a_viewer_token_reads_no_personal_data(app, rows, client, token_of):
    headers = token_of("viewer")
    staff_reads = [
        rule for rule, _m in rules_at(app, {"staff", "admin"}, ("GET",)) if "/api/" in rule.rule
    ]
    assert {r.rule for r in staff_reads} >= {"/api/v1/responses", "/api/v1/practices"}
    answered = {
        rule.rule: status
        for rule in staff_reads
        if (status := client.get(path_of(rule), headers=headers).status_code) != 403
    }
    assert answered == {}


@pytest.mark.parametrize("role", ["viewer", "admin"])
def test_an_api_token_opens_no_screen(app, rows, client, token_of, role):
    headers = token_of(role)
    screens = [r for r, _m in rules_at(app, {"viewer", "staff", "admin"}, ("GET",))]
    opened = {
        rule.rule: reply.status_code
        for rule in screens
        if "/api/" not in rule.rule
        and (reply := client.get(path_of(rule), headers=headers)).status_code not in (302, 401)
    }
    assert opened == {}


def test_flask_security_auth_tokens_open_nothing(app, rows, client, create_user):
    """A JSON login hands out a Flask-Security token that never expires: it must not work."""
    user = create_user("staff")
    reply = client.post(
        "/staff/login?include_auth_token",
        json={"email": user.email, "password": user.test_password},
    )
    token = reply.json["response"]["user"].get("authentication_token")
    client.post("/staff/logout")
    stranger = app.test_client()
    headers = {"Authentication-Token": token or "none"}
    assert stranger.get("/staff/practices", headers=headers).status_code == 302
    assert stranger.get("/api/v1/practices", headers=headers).status_code == 401
    assert stranger.get(f"/staff/practices?auth_token={token}").status_code == 302


def test_the_id_walk_covers_every_kind_of_row(app):
    endpoints = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values())
    }
    assert len(endpoints) >= 15


@pytest.mark.parametrize("missing", MISSING_IDS)
def test_ids_that_do_not_exist_are_404_everywhere(app, rows, session_of, token_of, missing):
    client = session_of("admin")
    headers = token_of("admin")
    answered = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in app.view_functions or not any(
            isinstance(c, IntegerConverter) for c in rule._converters.values()
        ):
            continue
        for method in sorted(rule.methods & {"GET", *WRITE_METHODS}):
            extra = {"data": {}}
            if "/api/" in rule.rule:
                extra = {"headers": headers, "json": API_BODIES.get(rule.endpoint, {})}
            status = client.open(path_of(rule, ids=missing), method=method, **extra).status_code
            if status != 404:
                answered[f"{method} {rule.rule}"] = status
    assert answered == {}


def test_unknown_country_program_and_action_names_are_404(app, rows, session_of, token_of):
    client = session_of("admin")
    headers = token_of("admin")
    answered = {}
    for rule in app.url_map.iter_rules():
        names = (rule.arguments - set(rule.defaults or {})) & set(UNKNOWN_ARGS)
        if rule.endpoint not in app.view_functions or not names:
            continue
        if not (rule.rule.startswith("/staff/") or rule.rule.startswith("/api/")):
            continue
        for name in names:
            # One unknown value at a time; the others exist.
            path = path_of(rule, **{name: UNKNOWN_ARGS[name]})
            for method in sorted(rule.methods & {"GET", *WRITE_METHODS}):
                extra = {"data": {}}
                if "/api/" in rule.rule:
                    extra = {"headers": headers, "json": API_BODIES.get(rule.endpoint, {})}
                status = client.open(path, method=method, **extra).status_code
                if status != 404:
                    answered[f"{method} {path}"] = status
    assert answered == {}


def test_a_deactivated_account_loses_its_session_and_its_token(app, db, rows, client, token_of):
    headers = token_of("staff")
    user = db.session.scalars(select(User).order_by(User.id.desc())).first()
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/practices", headers=headers).status_code == 401


def test_viewers_see_no_personal_details_in_the_country_audit_trail(db, rows, session_of):
    contact = db.session.get(Contact, 1)
    update_contact(
        contact,
        name="Ana Pérez Zuluaga",
        role="Directora",
        email="ana.zuluaga@clinica.example",
        phone="+57 601 555 0123",
        preferred_language="es",
        permission_to_contact=True,
    )
    db.session.commit()
    viewer_page = session_of("viewer").get("/staff/countries/CO").get_data(as_text=True)
    staff_page = session_of("staff").get("/staff/countries/CO").get_data(as_text=True)
    for detail in ("Ana Pérez Zuluaga", "ana.zuluaga@clinica.example", "+57 601 555 0123"):
        assert detail in staff_page
        assert detail not in viewer_page
    # The pipeline's own events are still there for viewers.
    assert "Ministerio" in viewer_page
