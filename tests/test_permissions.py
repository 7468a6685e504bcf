"""Every route says who may use it (``docs/domain.md#roles``), and the app holds to it.

The walks are generic over ``app.url_map``, so they also cover routes added later.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from crm.core.access import LEVELS, access_of

#: Flask-Security's own endpoints: public by nature (login, two-factor steps); the ones that
#: need a session check it themselves. Listed so a new one is noticed.
SECURITY_ENDPOINTS = {
    "security.login",
    "security.logout",
    "security.change_password",
    "security.verify",
    "security.tf_select",
    "security.two_factor_setup",
    "security.two_factor_setup_validate",
    "security.two_factor_token_validation",
    "security.two_factor_rescue",
    "security.static",
}
#: Sample values of URL arguments by name; integers get 1, anything else "x".
SAMPLE_ARGS = {
    "code": "CO",
    "country_code": "CO",
    "program": "QOPI",
    "lang": "en",
    "locale": "en",
    "filename": "css/app.css",
}


#: Every method a route here answers (the API writes with PUT, PATCH and DELETE).
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def sample_value(rule, name: str):
    """A value the rule accepts for ``name``: 1 for an id, the first of an ``any(…)`` choice,
    else a sample by name ("x" when none)."""
    converter = rule._converters[name]
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return SAMPLE_ARGS.get(name, "x")


def sample_path(rule) -> str:
    values = dict(rule.defaults or {})
    for name in rule.arguments - values.keys():
        values[name] = sample_value(rule, name)
    return rule.build(values)[1]


def rules_at(app, levels: set[str], method: str) -> list:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint in app.view_functions
        and method in rule.methods
        and access_of(app.view_functions[rule.endpoint]) in levels
    ]


@pytest.fixture
def as_role(app, client, create_user, login):
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False

    def log_in(role: str):
        login(create_user(role))
        return client

    return log_in


def test_every_endpoint_declares_its_access_level(app):
    undeclared = sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static"
        and endpoint not in SECURITY_ENDPOINTS
        and access_of(view) not in LEVELS
    )
    assert undeclared == []


def test_flask_security_endpoints_are_the_known_ones(app):
    found = {e for e in app.view_functions if e.startswith("security.")}
    assert found == SECURITY_ENDPOINTS


def test_the_walks_cover_staff_screens(app):
    assert len(rules_at(app, {"viewer", "staff", "admin"}, "GET")) >= 10
    assert len(rules_at(app, {"staff", "admin"}, "POST")) >= 10
    assert {m: bool(rules_at(app, {"staff"}, m)) for m in ("PUT", "PATCH", "DELETE")} == {
        "PUT": True,
        "PATCH": True,
        "DELETE": True,
    }


@pytest.mark.parametrize("method", METHODS)
def test_anonymous_users_are_sent_to_log_in(app, client, method):
    answered = {}
    for rule in rules_at(app, {"viewer", "staff", "admin"}, method):
        response = client.open(sample_path(rule), method=method)
        login_redirect = response.status_code in (
            302,
            303,
        ) and "/staff/login" in response.headers.get("Location", "")
        if not (login_redirect or response.status_code == 401):
            answered[rule.rule] = response.status_code
    assert answered == {}


@pytest.mark.parametrize("method", METHODS)
def test_viewers_cannot_use_staff_or_admin_routes(app, as_role, method):
    client = as_role("viewer")
    answered = {
        rule.rule: status
        for rule in rules_at(app, {"staff", "admin"}, method)
        if (status := client.open(sample_path(rule), method=method).status_code) != 403
    }
    assert answered == {}


@pytest.mark.parametrize("method", METHODS)
def test_staff_cannot_use_admin_routes(app, as_role, method):
    client = as_role("staff")
    answered = {
        rule.rule: status
        for rule in rules_at(app, {"admin"}, method)
        if (status := client.open(sample_path(rule), method=method).status_code) != 403
    }
    assert answered == {}


def test_viewers_read_the_country_screens(as_role):
    client = as_role("viewer")
    assert client.get("/staff/countries/").status_code == 200
    assert client.get("/staff/countries/CO").status_code == 200


#: Routes whose 503 is an answer, not a failure: the readiness probe says "not ready" with
#: it (here: no worker has reported a heartbeat), in its JSON (docs/deploy.md).
ANSWERS_WITH_503 = frozenset({"/readyz"})


def test_no_page_answers_an_admin_with_a_server_error(app, as_role):
    client = as_role("admin")
    failures = {
        rule.rule: status
        for rule in rules_at(app, set(LEVELS), "GET")
        if (status := client.get(sample_path(rule)).status_code) >= 500
        and not (status == 503 and rule.rule in ANSWERS_WITH_503)
    }
    assert failures == {}
