"""Shared fixtures: a fresh, migrated and seeded database for every test.

SQLite (default): one template file is migrated and seeded per session, then copied per test.
PostgreSQL (``TEST_DATABASE_URL=postgresql+psycopg://...``): a template database is built once
and each test gets ``CREATE DATABASE ... TEMPLATE`` of it, dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from crm.extensions import db as _db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
TEMPLATE_DB = "crm_test_template"

BASE_OVERRIDES = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "SECURITY_PASSWORD_HASH": "argon2",
    "SERVER_NAME": None,
}


def _admin_engine():
    return create_engine(
        make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )


def build_schema(url: str) -> None:
    """Migrate (Alembic, the real path) and seed the database at ``url``."""
    from flask_migrate import upgrade

    from crm.seed import seed_all

    app = create_app({**BASE_OVERRIDES, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        seed_all()
        _db.session.commit()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> str:
    """URL of a migrated, seeded database that per-test databases are copied from."""
    if ON_POSTGRES:
        engine = _admin_engine()
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"'))
            conn.execute(text(f'CREATE DATABASE "{TEMPLATE_DB}"'))
        engine.dispose()
        url = make_url(TEST_DATABASE_URL).set(database=TEMPLATE_DB)
        url_text = url.render_as_string(hide_password=False)
        build_schema(url_text)
        return url_text
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    build_schema(f"sqlite:///{path}")
    return str(path)


@pytest.fixture
def database_url(database_template, tmp_path) -> Iterator[str]:
    """A fresh copy of the template database for one test."""
    if not ON_POSTGRES:
        target = tmp_path / "test.sqlite"
        shutil.copyfile(database_template, target)
        yield f"sqlite:///{target}"
        return
    name = f"crm_test_{uuid.uuid4().hex[:12]}"
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"'))
    yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def app(request, database_url) -> Iterator[Flask]:
    """The app on a fresh database. Marks: ``csrf`` turns CSRF on, ``ratelimit`` the limiter."""
    overrides = {**BASE_OVERRIDES, "SQLALCHEMY_DATABASE_URI": database_url}
    if request.node.get_closest_marker("csrf"):
        overrides["WTF_CSRF_ENABLED"] = True
    if request.node.get_closest_marker("ratelimit"):
        overrides["RATELIMIT_ENABLED"] = True
    application = create_app(overrides)
    with application.app_context():
        yield application
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def create_user(app) -> Callable[..., object]:
    """Factory: ``create_user(role="staff", email=None, password=...)`` → committed User."""
    from crm.cli import create_user as _create

    def factory(
        role: str = "staff", email: str | None = None, password: str = "correct horse battery"
    ):
        user = _create(email or f"{role}-{uuid.uuid4().hex[:8]}@example.org", role, password)
        _db.session.commit()
        user.test_password = password
        return user

    return factory


@pytest.fixture
def login(client) -> Callable[[object], FlaskClient]:
    """``login(user)`` logs the test client in through the real login form."""

    def do_login(user) -> FlaskClient:
        response = client.post(
            "/staff/login",
            data={"email": user.email, "password": user.test_password},
            follow_redirects=False,
        )
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return client

    return do_login


def pytest_configure(config):
    config.addinivalue_line("markers", "csrf: run the test with CSRF protection on")
    config.addinivalue_line("markers", "ratelimit: run the test with rate limits on")


ROOT = Path(__file__).resolve().parent.parent
