"""Migration 0f4f40aabca6: an activity keeps the day it was logged for, not an invented time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from crm.core.extensions import db
from tests.conftest import BASE_OVERRIDES, ON_POSTGRES, TEST_DATABASE_URL

BEFORE = "a7d3e91c2b10"
AFTER = "0f4f40aabca6"

#: Stored by the old code: "now" for an activity logged for today (evening in New York, already
#: the next day in UTC), local noon for an activity logged for another day.
OLD_ROWS = {
    1: datetime(2026, 12, 7, 2, 16, tzinfo=UTC),  # Dec 6, 9:16 PM in New York
    2: datetime(2026, 12, 4, 17, 0, tzinfo=UTC),  # Dec 4, noon in New York
}


def _utc(value: object) -> datetime:
    # SQLite hands the stored text back, without its zone (UTC).
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _round_trip(url: str) -> None:
    app = create_app(
        {**BASE_OVERRIDES, "SQLALCHEMY_DATABASE_URI": url, "ORG_TIMEZONE": "America/New_York"}
    )
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO countries (code, alpha3, name, eu_member) "
                    "VALUES ('CO', 'COL', 'Colombia', false)"
                )
            )
            for activity_id, occurred_at in OLD_ROWS.items():
                conn.execute(
                    text(
                        "INSERT INTO activities (id, kind, country_code, subject, occurred_at, "
                        "created_at) VALUES (:id, 'note', 'CO', 'Llamada', :at, :at)"
                    ),
                    {"id": activity_id, "at": occurred_at},
                )
        upgrade(revision=AFTER)
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, occurred_on, occurred_at FROM activities ORDER BY id")
            ).all()
        assert [(r[0], str(r[1]), r[2]) for r in rows] == [
            (1, "2026-12-06", None),
            (2, "2026-12-04", None),
        ]
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, occurred_at FROM activities ORDER BY id")).all()
        # Back to an instant: local noon of the kept day.
        noon = {
            1: datetime(2026, 12, 6, 17, 0, tzinfo=UTC),
            2: datetime(2026, 12, 4, 17, 0, tzinfo=UTC),
        }
        assert {activity_id: _utc(value) for activity_id, value in rows} == noon
        db.engine.dispose()


def test_sqlite_keeps_the_organization_day_and_drops_the_invented_time(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'activities.sqlite'}")


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="runs in .ci/run's PostgreSQL pass")
def test_postgres_keeps_the_organization_day_and_drops_the_invented_time():
    name = f"crm_migr_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _round_trip(
            make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
