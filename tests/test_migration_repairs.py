"""Data migrations of the trust pass, on SQLite and on PostgreSQL: the programs' home gets its
seeded availability, and status days that survived a status change are repaired from the
audit trail (docs/domain.md#home, docs/domain.md#status-dates)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from crm.core.extensions import db
from crm.countries import seed
from tests.conftest import BASE_OVERRIDES

BEFORE_HOME = "5c1e7a2b9d40"
BEFORE_REPAIR = "0f4f40aabca6"


@pytest.fixture
def migration_app(empty_database_url):
    app = create_app({**BASE_OVERRIDES, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _seed_without_home_rows(monkeypatch) -> None:
    """Seed as before the home rows were added to availability.csv."""
    read = seed.read_availability
    home = {"PR", "GU", "VI", "AS", "MP", "UM"}

    def earlier_rows(path: Path = seed.DATA_DIR / "availability.csv"):
        return [
            row
            for row in read(path)
            if not (row["country"] in home or (row["country"], row["program"]) == ("US", "QCP"))
        ]

    monkeypatch.setattr(seed, "read_availability", earlier_rows)
    seed.seed_all()
    db.session.commit()


def _availability(code: str, program: str) -> tuple[str, str, int]:
    status, source, history = db.session.execute(
        text(
            "SELECT a.status, a.source, (SELECT count(*) FROM availability_changes c "
            "WHERE c.availability_id = a.id) FROM availabilities a "
            "WHERE a.country_code = :code AND a.program_code = :program"
        ),
        {"code": code, "program": program},
    ).one()
    return status, source, history


def test_the_home_gets_its_seeded_availability(migration_app, monkeypatch):
    upgrade(revision=BEFORE_HOME)
    _seed_without_home_rows(monkeypatch)
    # A pair staff changed since the seed is theirs: the migration leaves it.
    db.session.execute(
        text(
            "UPDATE availabilities SET source = 'staff', status = 'in_pipeline' "
            "WHERE country_code = 'GU' AND program_code = 'QOPI'"
        )
    )
    db.session.commit()
    assert _availability("PR", "QOPI")[0] == "not_available"
    db.session.remove()
    upgrade(revision="a7d3e91c2b10")
    assert _availability("PR", "QOPI") == (
        "available",
        "seed 001: ASCO international quality programs page",
        2,
    )
    assert _availability("US", "QCP")[0] == "available"
    assert _availability("GU", "QOPI")[:2] == ("in_pipeline", "staff")
    assert _availability("PR", "QCP")[0] == "not_available"


def _audit(entity_type: str, entity_id: int, action: str, at: datetime, changes: dict) -> None:
    db.session.execute(
        text(
            "INSERT INTO audit_events (occurred_at, actor, action, entity_type, entity_id, "
            "changes) VALUES (:at, 'ana@example.org', :action, :type, :id, :changes)"
        ),
        {
            "at": at,
            "action": f"{entity_type}.{action}",
            "type": entity_type,
            "id": str(entity_id),
            "changes": json.dumps(changes),
        },
    )


def _insert(table: str, **values) -> int:
    columns = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    returned = db.session.execute(
        text(f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id"),  # noqa: S608
        values,
    )
    return returned.scalar_one()


def _dates(table: str, row_id: int, *columns: str) -> tuple:
    row = db.session.execute(
        text(f"SELECT {', '.join(columns)} FROM {table} WHERE id = :id"),  # noqa: S608
        {"id": row_id},
    ).one()
    return tuple(date.fromisoformat(str(v)[:10]) if v is not None else None for v in row)


def test_status_days_are_repaired_from_the_audit_trail(migration_app, capfd):
    upgrade(revision=BEFORE_REPAIR)
    seed.seed_all()
    db.session.commit()
    created = datetime(2026, 11, 6, 15, tzinfo=UTC)
    approved = datetime(2026, 12, 5, 3, tzinfo=UTC)  # still 4 December in New York
    now = datetime(2026, 12, 5, 3, tzinfo=UTC)
    review = _insert(
        "privacy_reviews",
        country_code="CO",
        status="approved",
        status_since=date(2026, 11, 6),
        requested_on=date(2026, 11, 6),
        created_at=created,
        updated_at=now,
    )
    _audit("privacy_review", review, "create", created, {"status": [None, "requested"]})
    _audit("privacy_review", review, "update", approved, {"status": ["requested", "approved"]})
    chosen = _insert(
        "privacy_reviews",
        country_code="CO",
        status="in_review",
        status_since=date(2026, 11, 20),
        created_at=created,
        updated_at=now,
    )
    _audit(
        "privacy_review",
        chosen,
        "update",
        approved,
        {"status": ["requested", "in_review"], "status_since": ["2026-11-06", "2026-11-20"]},
    )
    unrecorded = _insert(
        "privacy_reviews",
        country_code="PE",
        status="approved",
        status_since=date(2026, 1, 2),
        created_at=created,
        updated_at=now,
    )
    agreement = _insert(
        "country_agreements",
        country_code="CO",
        counterparty="Sociedad",
        status="negotiating",
        status_since=date(2026, 11, 2),
        created_at=created,
        updated_at=now,
    )
    _audit("country_agreement", agreement, "update", approved, {"status": ["draft", "negotiating"]})
    db.session.commit()
    db.session.remove()
    upgrade()  # Alembic's logging configuration writes its INFO lines to stderr
    day = date(2026, 12, 4)
    columns = ("status_since", "decided_on")
    assert _dates("privacy_reviews", review, *columns) == (day, day)
    assert _dates("privacy_reviews", chosen, *columns) == (date(2026, 11, 20), None)
    assert _dates("privacy_reviews", unrecorded, *columns) == (date(2026, 1, 2), None)
    assert _dates("country_agreements", agreement, "status_since") == (day,)
    said = capfd.readouterr().err
    assert "privacy_reviews: 1 status day(s) repaired" in said
    assert "1 row(s) have no recorded status change" in said
