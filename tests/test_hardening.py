"""Security headers on every kind of page, cookie flags, the password policy."""

from __future__ import annotations

import pytest

from app import create_app
from config import ConfigError
from crm.core.access import LEVELS
from tests.conftest import BASE_OVERRIDES
from tests.test_permissions import rules_at, sample_path

PAGES = [
    ("/es/", 200),  # public page
    ("/staff/login", 200),  # login form
    ("/es/nowhere", 404),  # error page
    ("/static/css/app.css", 200),  # static file
    ("/api/v1/nothing", 404),  # JSON error
]


def header_problems(response) -> list[str]:
    """What is missing or wrong among the security headers of ``response``."""
    csp = response.headers.get("Content-Security-Policy", "")
    expected = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }
    problems = [name for name, value in expected.items() if response.headers.get(name) != value]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'"):
        if directive not in csp:
            problems.append(directive)
    if "frame-ancestors 'none'" not in csp:
        problems.append("frame-ancestors")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append("unsafe CSP source")
    return problems


@pytest.mark.parametrize(("path", "status"), PAGES)
def test_security_headers_on_every_kind_of_page(client, path, status):
    with client.get(path) as response:
        assert response.status_code == status
    assert header_problems(response) == []


@pytest.fixture
def admin_client(app, client, create_user, login):
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False
    login(create_user("admin"))
    return client


def test_security_headers_on_every_get_route(app, admin_client):
    statuses, problems = set(), {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint not in app.view_functions:
            continue
        with admin_client.get(sample_path(rule)) as response:
            statuses.add(response.status_code)
            if found := header_problems(response):
                problems[rule.rule] = (response.status_code, found)
    assert problems == {}
    # Pages, redirects and errors were all among the answers checked.
    assert {200, 302, 404} <= statuses


def test_staff_pages_downloads_and_the_api_are_never_cached(app, admin_client, db):
    from crm.accounts.models import User
    from crm.api.tokens import create_token

    walked = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.rule.startswith(("/staff/", "/api/v1/")):
            continue
        path = sample_path(rule)
        if path.startswith(("/api/v1/public/", "/api/v1/openapi.json")):
            continue
        with admin_client.get(path) as response:
            if response.headers.get("Cache-Control") != "no-store":
                walked.append((path, response.status_code, response.headers.get("Cache-Control")))
    assert walked == []
    _row, token = create_token(db.session.scalars(db.select(User)).first())
    db.session.commit()
    api = app.test_client().get("/api/v1/responses", headers={"Authorization": f"Bearer {token}"})
    assert (api.status_code, api.headers["Cache-Control"]) == (200, "no-store")
    public = app.test_client().get("/api/v1/public/availability")
    assert public.headers.get("Cache-Control") != "no-store"


def test_security_headers_on_every_get_route_for_anonymous_users(app, client):
    problems = {}
    for rule in rules_at(app, set(LEVELS), "GET"):
        with client.get(sample_path(rule)) as response:
            if found := header_problems(response):
                problems[rule.rule] = (response.status_code, found)
    assert problems == {}


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("POST", "/es/survey", {"data": "x", "content_type": "text/plain"}, 400),
        ("PUT", "/es/survey", {}, 405),
        ("POST", "/es/survey", {"data": {"comments": "x" * 200_000}}, 400),
        ("GET", "/api/v1/practices", {}, 401),
        ("GET", "/staff/practices", {}, 302),
    ],
)
def test_security_headers_on_error_answers(client, method, path, kwargs, status):
    with client.open(path, method=method, **kwargs) as response:
        assert response.status_code == status
    assert header_problems(response) == []


def test_security_headers_on_a_server_error(app, client):
    from crm.core.access import public

    def failing_view():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.add_url_rule("/es/failing", "failing", public(failing_view))
    with client.get("/es/failing") as response:
        assert response.status_code == 500
    assert header_problems(response) == []


@pytest.mark.csrf
def test_security_headers_on_a_refused_csrf_token(client):
    with client.post("/staff/login", data={"email": "x@example.org"}) as response:
        assert response.status_code == 400
    assert header_problems(response) == []


@pytest.mark.ratelimit
def test_security_headers_on_a_rate_limited_answer(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "1 per minute"
    client.post("/staff/login", data={"email": "x@example.org", "password": "x"})
    with client.post("/staff/login", data={"email": "x@example.org", "password": "x"}) as response:
        assert response.status_code == 429
    assert header_problems(response) == []


def test_no_hsts_on_the_embedded_default(client):
    assert "Strict-Transport-Security" not in client.get("/es/").headers


@pytest.fixture
def deployed(database_url):
    """A client of the app as deployed outside the embedded default (secure cookies, HSTS),
    on the test database; its connections are closed afterwards."""
    from crm.core.extensions import db

    app = create_app(
        {
            **BASE_OVERRIDES,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "CRM_EMBEDDED": False,
            "SESSION_COOKIE_SECURE": True,
            "REMEMBER_COOKIE_SECURE": True,
        }
    )
    with app.app_context():
        yield app.test_client()
        db.session.remove()
        db.engine.dispose()


def test_hsts_outside_the_embedded_default(deployed):
    response = deployed.get("/es/", base_url="https://crm.example")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def log_in_remembered(client, user, **kwargs):
    """A login that asks to be remembered: there is no "remember me" (a login lasts as long as
    its server session, docs/decisions.md#server-sessions), so no remember cookie is set."""
    response = client.post(
        "/staff/login",
        data={"email": user.email, "password": user.test_password, "remember": "y"},
        **kwargs,
    )
    assert response.status_code == 302


def test_cookies_after_a_real_login_are_httponly_and_lax(client, create_user):
    log_in_remembered(client, create_user("staff"))
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert (cookie.http_only, cookie.same_site, cookie.secure) == (True, "Lax", False)
    assert client.get_cookie("remember_token") is None


def test_cookies_after_a_real_login_are_secure_outside_the_embedded_default(deployed):
    from crm.cli import create_user
    from crm.core.extensions import db

    user = create_user("staff@example.org", "staff", "correct horse battery")
    db.session.commit()
    user.test_password = "correct horse battery"
    log_in_remembered(deployed, user, base_url="https://crm.example")
    cookie = deployed.get_cookie("session", domain="crm.example")
    assert (cookie.http_only, cookie.same_site, cookie.secure) == (True, "Lax", True)
    assert deployed.get_cookie("remember_token", domain="crm.example") is None


@pytest.mark.csrf
def test_the_survey_sets_no_cookie(client):
    """Its CSRF token is a signed stamp tied to no session (docs/decisions.md#survey-stamp),
    as its privacy notice says."""
    response = client.get("/pt/survey")
    assert response.headers.getlist("Set-Cookie") == []
    assert client.get_cookie("session") is None


def test_session_cookie_is_httponly_and_samesite(client):
    client.get("/language/es?next=/es/")
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_session_cookie_secure_outside_the_embedded_default(deployed):
    deployed.get("/language/es?next=/es/", base_url="https://crm.example")
    assert deployed.get_cookie("session", domain="crm.example").secure


def test_debug_refused_in_production(database_url):
    with pytest.raises(ConfigError, match="debug"):
        create_app(
            {
                **BASE_OVERRIDES,
                "SQLALCHEMY_DATABASE_URI": database_url,
                "CRM_PRODUCTION": True,
                "DEBUG": True,
            }
        )


@pytest.mark.parametrize("password", ["password1234", "qwertyuiop12", "short"])
def test_weak_or_common_passwords_are_refused(app, password):
    from crm.cli import create_user

    with pytest.raises(ValueError, match="."):
        create_user("new@example.org", "staff", password)


def test_password_built_from_the_email_is_refused(app):
    from crm.cli import create_user

    with pytest.raises(ValueError, match="."):
        create_user("marialopez2026@example.org", "staff", "marialopez2026")


def test_strong_password_is_accepted_and_hashed_with_argon2(app):
    from crm.cli import create_user

    user = create_user("new@example.org", "viewer", "staff-password-1 violet")
    assert user.password.startswith("$argon2")
