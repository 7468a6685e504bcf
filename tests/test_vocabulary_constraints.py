"""Every vocabulary the code enforces with a CHECK constraint is the one the migrated database
enforces, on SQLite and on PostgreSQL: a status added to the code without its migration fails
here, not as a 500 when it is first used (Alembic's autogenerate does not compare CHECKs;
docs/architecture.md#anatomy)."""

from __future__ import annotations

import re

from sqlalchemy import CheckConstraint, inspect

from crm.core.extensions import db as _db

QUOTED = re.compile(r"'([^']*)'")


def _is_vocabulary(sqltext: str) -> bool:
    return " IN (" in sqltext.upper() or "= ANY" in sqltext.upper()


def _full_name(table: str, name: str) -> str:
    return name if name.startswith("ck_") else f"ck_{table}_{name}"


def code_vocabularies() -> dict[tuple[str, str], set[str]]:
    """(table, constraint) → the values the models' CHECK constraints allow."""
    found = {}
    for table in _db.metadata.tables.values():
        for constraint in table.constraints:
            text = str(getattr(constraint, "sqltext", ""))
            if isinstance(constraint, CheckConstraint) and _is_vocabulary(text):
                key = (table.name, _full_name(table.name, str(constraint.name)))
                found[key] = set(QUOTED.findall(text))
    return found


def database_vocabularies(engine) -> dict[tuple[str, str], set[str]]:
    """(table, constraint) → the values the migrated database's CHECK constraints allow."""
    inspector = inspect(engine)
    found = {}
    for table in inspector.get_table_names():
        for check in inspector.get_check_constraints(table):
            if _is_vocabulary(check["sqltext"]):
                found[(table, check["name"])] = set(QUOTED.findall(check["sqltext"]))
    return found


def differences(code: dict, database: dict) -> dict:
    """Each constraint whose values differ: ``{key: (in code only, in the database only)}``."""
    return {
        key: (
            sorted(code.get(key, set()) - database.get(key, set())),
            sorted(database.get(key, set()) - code.get(key, set())),
        )  # fmt: skip
        for key in code.keys() | database.keys()
        if code.get(key) != database.get(key)
    }


def test_every_check_constraint_matches_its_vocabulary(db):
    code = code_vocabularies()
    assert len(code) >= 15  # statuses, kinds, languages, states...
    assert differences(code, database_vocabularies(db.engine)) == {}


def test_a_status_added_without_its_migration_is_caught():
    code = {("privacy_reviews", "ck_privacy_reviews_status_allowed"): {"approved", "withdrawn"}}
    database = {("privacy_reviews", "ck_privacy_reviews_status_allowed"): {"approved"}}
    assert differences(code, database) == {
        ("privacy_reviews", "ck_privacy_reviews_status_allowed"): (["withdrawn"], [])
    }
