"""Configuration from the environment, and SQLite connection settings."""

from __future__ import annotations

import pytest
from sqlalchemy import text

import config


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
