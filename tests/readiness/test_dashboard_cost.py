"""The board, the dashboard and the what-if read no table whole that grows with the responses
(docs/decisions.md#dashboard-cost): every statement a request runs is planned by SQLite as an
index search on survey_responses, practices, interests and contacts, never a scan. Their cost
then follows the countries, not the responses; ``make bench`` measures the time."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

#: Tables with a row per response or per practice.
GROWING = ("survey_responses", "practices", "interests", "contacts")
SCAN = re.compile(r"\bSCAN (" + "|".join(GROWING) + r")\b")
PAGES = (
    "/staff/dashboard/board",
    "/staff/dashboard/",
    "/staff/dashboard/?region=019&program=QOPI&language=es&period=6",
    "/staff/what-if/?qopi_threshold=3",
)


@pytest.fixture
def demo(db):
    from crm.demo.generate import load_demo

    if db.engine.dialect.name != "sqlite":
        pytest.skip("reads SQLite's EXPLAIN QUERY PLAN (PostgreSQL plans small tables as scans)")
    load_demo()
    db.session.commit()
    return db


@pytest.fixture
def statements(demo):
    """The SELECT statements run while the test makes its requests, with their parameters."""
    seen: list[tuple[str, tuple]] = []

    def note(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, tuple(parameters or ())))

    event.listen(demo.engine, "before_cursor_execute", note)
    yield seen
    event.remove(demo.engine, "before_cursor_execute", note)


def plans(db, seen: list[tuple[str, tuple]]) -> list[tuple[str, str]]:
    """``(statement, plan)`` of each statement, the plan as SQLite's EXPLAIN QUERY PLAN lines."""
    found = []
    with db.engine.connect() as conn:
        for statement, parameters in seen:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            found.append((statement, "\n".join(str(row[-1]) for row in rows)))
    return found


@pytest.mark.parametrize("path", PAGES)
def test_no_request_reads_a_growing_table_whole(demo, statements, client, create_user, login, path):
    viewer = login(create_user("viewer"))
    assert viewer.get(path).status_code == 200
    planned = plans(demo, statements)
    scans = [(statement, plan) for statement, plan in planned if SCAN.search(plan)]
    assert scans == []
    if path.startswith("/staff/dashboard/"):
        # Today's responses are counted live, through the index: the check above saw them.
        assert any("FROM survey_responses" in statement for statement, _plan in planned)


def test_the_what_if_api_reads_no_growing_table_whole(demo, statements, create_user, login):
    viewer = login(create_user("viewer"))
    response = viewer.post("/api/v1/readiness/what-if", json={"thresholds": {"QOPI": 3}})
    assert response.status_code == 200
    assert [s for s, plan in plans(demo, statements) if SCAN.search(plan)] == []
