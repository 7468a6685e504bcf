"""Configuration from the environment, and SQLite connection settings."""

from __future__ import annotations

import pytest
from flask import request
from sqlalchemy import text

import config
from app import create_app
from crm.core.access import public
from crm.core.extensions import db as _db
from tests.conftest import BASE_OVERRIDES


def test_production_refuses_missing_secret_key():
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        config.load_config({"FLASK_ENV": "production", "DATABASE_URL": "postgresql://x/y"})


def test_production_with_secrets_uses_secure_cookies():
    settings = config.load_config(
        {
            "CRM_ENV": "production",
            "SECRET_KEY": "k" * 40,
            "SECURITY_PASSWORD_SALT": "s" * 40,
            "TOTP_SECRET": "t" * 40,
            "DATABASE_URL": "postgresql+psycopg://db/crm",
        }
    )
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CRM_EMBEDDED"] is False


def test_embedded_default_is_sqlite_under_instance():
    settings = config.load_config({})
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert "/instance/" in settings["SQLALCHEMY_DATABASE_URI"]
    assert settings["CRM_EMBEDDED"] is True
    assert settings["SECRET_KEY"] == config.load_config({})["SECRET_KEY"]


@pytest.mark.skipif(
    __import__("tests.conftest", fromlist=["ON_POSTGRES"]).ON_POSTGRES, reason="SQLite pragmas"
)
def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(db):
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_trusted_proxies_default_to_none():
    assert config.load_config({})["TRUSTED_PROXIES"] == 0
    assert config.load_config({"TRUSTED_PROXIES": " 2 "})["TRUSTED_PROXIES"] == 2


@pytest.mark.parametrize("value", ["-1", "one", "1.5", "²"])
def test_trusted_proxies_must_be_a_count(value):
    with pytest.raises(config.ConfigError, match="TRUSTED_PROXIES"):
        config.load_config({"TRUSTED_PROXIES": value})


@pytest.fixture
def app_behind(database_url):
    """Factory: ``app_behind(proxies, **overrides)`` → the app with ``TRUSTED_PROXIES`` set
    (left to its default for None); its engine is disposed after the test."""
    made = []

    def factory(proxies: int | None, **overrides):
        settings = {**BASE_OVERRIDES, "SQLALCHEMY_DATABASE_URI": database_url, **overrides}
        if proxies is not None:
            settings["TRUSTED_PROXIES"] = proxies
        made.append(create_app(settings))
        return made[-1]

    yield factory
    for application in made:
        with application.app_context():
            _db.engine.dispose()


FORWARDED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "crm.example.org",
}


def client_seen_by(app) -> dict[str, str]:
    """What the app takes for the client of a request through a proxy at 10.0.0.1."""

    def whoami():
        return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

    app.add_url_rule("/test-whoami", "test_whoami", public(whoami))
    response = app.test_client().get(
        "/test-whoami", environ_base={"REMOTE_ADDR": "10.0.0.1"}, headers=FORWARDED
    )
    return response.get_json()


def test_one_trusted_proxy_gives_the_forwarded_client(app_behind):
    seen = client_seen_by(app_behind(1))
    # The host is not taken from the proxy's headers: a client could set it (app.trust_proxies).
    assert seen == {"addr": "203.0.113.7", "scheme": "https", "host": "localhost"}


@pytest.mark.parametrize("proxies", [None, 0])
def test_without_trusted_proxies_forwarded_headers_are_ignored(app_behind, proxies):
    seen = client_seen_by(app_behind(proxies))
    assert seen == {"addr": "10.0.0.1", "scheme": "http", "host": "localhost"}


def test_behind_a_trusted_proxy_the_survey_rate_limit_counts_each_client(app_behind):
    app = app_behind(1, RATELIMIT_ENABLED=True, SURVEY_SUBMIT_RATE_LIMIT="1 per hour")
    client = app.test_client()

    def submit(client_address: str) -> int:
        response = client.post(
            "/en/survey",
            data={"name": "Ana"},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
            headers={"X-Forwarded-For": client_address},
        )
        return response.status_code

    statuses = [submit("203.0.113.7"), submit("198.51.100.9"), submit("203.0.113.7")]
    assert [status == 429 for status in statuses] == [False, False, True]
