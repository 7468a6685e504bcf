"""Shared fixtures: a fresh, migrated and seeded database for every test.

SQLite (default): one template file is migrated and seeded per session, then copied per test.
PostgreSQL (``TEST_DATABASE_URL=postgresql+psycopg://...``): a template database is built once
and each test gets ``CREATE DATABASE ... TEMPLATE`` of it, dropped afterwards.
"""

from __future__ import annotations

import contextvars
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from crm.core.extensions import db as _db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
#: The template database per test-database name, so two runs on one server never share one.
TEST_DB_NAME = make_url(TEST_DATABASE_URL).database if ON_POSTGRES else None
TEMPLATE_DB = f"{TEST_DB_NAME or 'crm_test'}_template"

BASE_OVERRIDES = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "SECURITY_PASSWORD_HASH": "argon2",
    # Still argon2, with the smallest cost: a hash takes ~10 ms instead of ~250 ms per login.
    "SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS": {
        "argon2__rounds": 1,
        "argon2__memory_cost": 1024,
        "argon2__parallelism": 1,
    },
    "SERVER_NAME": None,
    # Filing in the submit's own transaction, so a test sees the practice right after its POST;
    # tests/surveys/test_deferred_filing.py covers the default (the worker files).
    "SURVEY_FILING": "inline",
}


def _admin_engine():
    return create_engine(
        make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )


def build_schema(url: str) -> None:
    """Migrate (Alembic, the real path) and seed the database at ``url``."""
    from flask_migrate import upgrade

    from crm.countries.seed import seed_all

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
    name = f"{TEMPLATE_DB.removesuffix('_template')}_{uuid.uuid4().hex[:12]}"
    engine = _admin_engine()
    with engine.connect() as conn:
        # FILE_COPY copies the template's files; PostgreSQL 15's default (WAL_LOG) writes every
        # page through the WAL and took five times as long per test.
        strategy = " STRATEGY FILE_COPY" if conn.dialect.server_version_info >= (15,) else ""
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"{strategy}'))
    yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    with engine.connect() as conn:
        left_open = _open_connections(conn, name)
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()
    # A connection the test left open would be reported only when garbage-collected, as an
    # error of whichever later test runs then; here it is the test that opened it.
    if left_open:
        pytest.fail(
            f"{left_open} connection(s) to the test database left open (dispose its engine)"
        )


def _open_connections(conn, database: str, wait: float = 3.0) -> int:
    """Connections to ``database`` still open after up to ``wait`` seconds: a server process
    whose client has just disconnected is listed until it has exited."""
    deadline = time.monotonic() + wait
    while True:
        count = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = :name AND backend_type = 'client backend'"
            ),
            {"name": database},
        ).scalar_one()
        if not count or time.monotonic() > deadline:
            return count
        time.sleep(0.02)


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    """A new, empty database of the suite's kind (SQLite, or PostgreSQL in CI): no schema, for
    migrations and restores; dropped afterwards."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    name = f"{TEMPLATE_DB.removesuffix('_template')}_empty_{uuid.uuid4().hex[:10]}"
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


class RequestIsolatingClient(FlaskClient):
    """A test client whose requests each get a fresh app context, as in a real server.

    The ``app`` fixture keeps an app context pushed for the test body; Flask would reuse it
    for every request, sharing ``g`` (Flask-Login's cached user, the locale) between requests.
    Pending test data is committed before a request and the test's session is expired after,
    so the test reads what the request wrote.
    """

    def open(self, *args, **kwargs):
        if not has_app_context():
            # A redirect being followed: already inside the request's own context.
            return super().open(*args, **kwargs)
        _db.session.commit()
        # Streamed bodies are read inside the request's own context, as a server would.
        kwargs.setdefault("buffered", True)
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            _db.session.rollback()


@pytest.fixture
def app(request, database_url) -> Iterator[Flask]:
    """The app on a fresh database. Marks: ``csrf`` turns CSRF on, ``ratelimit`` the limiter."""
    overrides = {**BASE_OVERRIDES, "SQLALCHEMY_DATABASE_URI": database_url}
    if request.node.get_closest_marker("csrf"):
        overrides["WTF_CSRF_ENABLED"] = True
    if request.node.get_closest_marker("ratelimit"):
        overrides["RATELIMIT_ENABLED"] = True
    application = create_app(overrides)
    application.test_client_class = RequestIsolatingClient
    with application.app_context():
        yield application
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def make_app(database_url) -> Iterator[Callable[..., Flask]]:
    """Further app objects on the test's database (another server, other settings). Their
    connections are closed after the test: one left open is reported when it is collected,
    after its database was dropped, as an error of whichever test runs then."""
    made: list[Flask] = []

    def factory(**settings) -> Flask:
        application = create_app(
            {**BASE_OVERRIDES, "SQLALCHEMY_DATABASE_URI": database_url, **settings}
        )
        application.test_client_class = RequestIsolatingClient
        made.append(application)
        return application

    yield factory
    for application in made:
        with application.app_context():
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


# Browser tests (pytest-playwright driving Debian's Chromium; never `playwright install`).
CHROMIUM = "/usr/bin/chromium"


class LiveServer:
    """The app served over HTTP for a browser: ``url`` to open, ``app`` to query its database."""

    def __init__(self, url: str, app: Flask) -> None:
        self.url = url
        self.app = app


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The app on a fresh migrated and seeded SQLite file, served on 127.0.0.1 and a free port.

    CSRF is on (as in production); rate limits are off so tests do not trip them.
    """
    import threading

    from werkzeug.serving import make_server

    path = tmp_path_factory.mktemp("live") / "live.sqlite"
    url = f"sqlite:///{path}"
    build_schema(url)
    application = create_app(
        {
            **BASE_OVERRIDES,
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": True,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=application)
    server.shutdown()
    thread.join(timeout=5)
    with application.app_context():
        _db.engine.dispose()


@pytest.fixture
def app_server(app) -> Iterator[str]:
    """The test's own ``app`` (its database, as the test set it up) served on 127.0.0.1 and a
    free port for a browser; yields the base URL. Admins need no two-factor here. End the
    test's own transaction (``db.session.close()``) before the browser writes."""
    import threading

    from werkzeug.serving import make_server

    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    # A request the browser left running (or an import's background thread) still holds its
    # connection; wait for it, so none is open when the test's database goes.
    _db.session.remove()
    deadline = time.monotonic() + 10
    while getattr(_db.engine.pool, "checkedout", lambda: 0)() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
def browser_page(browser):
    """A fresh page in its own browser context of the session's Chromium (pytest-playwright's
    ``browser``; its own ``page`` fixture needs ``base_url``, which these tests do not use)."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args) -> dict:
    """Launch Debian's Chromium rather than a Playwright download."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
        ],
    }


@pytest.fixture
def submit_response(app) -> Callable[..., object]:
    """Factory: ``submit_response(token=None, at=None, language="es", **answers)`` → a committed
    SurveyResponse entered through ``crm.responses.intake.intake_response``. Default answers: a
    Colombian practice eligible for QOPI and QCP (``docs/domain.md#eligible-practices``); keyword
    arguments override single answers."""
    from datetime import UTC, datetime

    from crm.responses.intake import intake_response

    def factory(token: str | None = None, at=None, language: str = "es", **overrides):
        answers = {
            "name": "Ana Pérez",
            "email": f"{uuid.uuid4().hex[:8]}@clinica.example",
            "practice_name": "Clínica San José",
            "country": "CO",
            "city": "Bogotá",
            "practice_type": "private_practice",
            "outpatient_hem_onc": "yes",
            "asco_members_count": 2,
            "reads_english": "yes",
            "interest_qopi": "very",
            "interest_qcp": "somewhat",
            "willing_to_pay_qcp_fee": "yes",
            "timeframe": "within_6_months",
            "consent": True,
            "permission_to_contact": True,
        } | overrides
        when = at or datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
        result = intake_response(
            answers,
            language=language,
            submission_token=token or uuid.uuid4().hex,
            consent_at=when,
            privacy_notice_version="2026-11",
            submitted_at=when,
        )
        _db.session.commit()
        return result.response

    return factory
