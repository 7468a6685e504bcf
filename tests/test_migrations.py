"""Migrations build the schema from empty, go back to base and up again; models agree."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from crm.core.extensions import db
from tests.conftest import BASE_OVERRIDES, ON_POSTGRES, TEST_DATABASE_URL


def _include(obj, name, type_, reflected, compare_to):
    # The search index is no model's: its migration builds it (docs/decisions.md#search-index).
    if type_ in ("table", "index") and name and name.startswith("fts_"):
        return False
    return not (type_ == "table" and name in {"alembic_version"} | {"sqlite_sequence"})


def assert_round_trip(url: str) -> None:
    app = create_app({**BASE_OVERRIDES, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        assert "availabilities" in inspect(db.engine).get_table_names()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": _include}
            )
            assert compare_metadata(context, db.metadata) == []
        db.engine.dispose()


def test_sqlite_round_trip_and_models_agree(tmp_path):
    assert_round_trip(f"sqlite:///{tmp_path / 'empty.sqlite'}")


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="runs in .ci/run's PostgreSQL pass")
def test_postgres_round_trip_and_models_agree():
    name = f"crm_migr_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        assert_round_trip(
            make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
