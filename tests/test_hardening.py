"""Security headers on every kind of page, cookie flags, the password policy (issue 6)."""

from __future__ import annotations

import pytest

from app import create_app
from config import ConfigError
from tests.conftest import BASE_OVERRIDES

PAGES = [
    ("/es/", 200),  # public page
    ("/staff/login", 200),  # login form
    ("/es/nowhere", 404),  # error page
    ("/static/css/app.css", 200),  # static file
    ("/api/v1/nothing", 404),  # JSON error
]


@pytest.mark.parametrize(("path", "status"), PAGES)
def test_security_headers_on_every_kind_of_page(client, path, status):
    with client.get(path) as response:
        assert response.status_code == status
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_no_hsts_on_the_embedded_default(client):
    assert "Strict-Transport-Security" not in client.get("/es/").headers


def test_hsts_outside_the_embedded_default(database_url):
    app = create_app(
        {
            **BASE_OVERRIDES,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "CRM_EMBEDDED": False,
            "SESSION_COOKIE_SECURE": True,
        }
    )
    response = app.test_client().get("/es/", base_url="https://crm.example")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_session_cookie_is_httponly_and_samesite(client):
    client.get("/language/es?next=/es/")
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_session_cookie_secure_outside_the_embedded_default(database_url):
    app = create_app(
        {
            **BASE_OVERRIDES,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "CRM_EMBEDDED": False,
            "SESSION_COOKIE_SECURE": True,
        }
    )
    client = app.test_client()
    client.get("/language/es?next=/es/", base_url="https://crm.example")
    assert client.get_cookie("session", domain="crm.example").secure


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
