"""Engine-level settings: SQLite pragmas and write transactions
(``docs/decisions.md#begin-immediate``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Set by :func:`reading_transaction`: the next transaction begins deferred whatever the method.
_reading: ContextVar[bool] = ContextVar("reading_transaction", default=False)


def _is_sqlite(dialect_name: str) -> bool:
    return dialect_name == "sqlite"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL, a busy timeout and foreign keys on every SQLite connection."""
    if type(dbapi_connection).__module__.split(".")[0] != "sqlite3":
        return
    # Our own BEGIN below replaces pysqlite's implicit, deferred one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    """Writes start with BEGIN IMMEDIATE so concurrent writers wait instead of failing.

    A deferred transaction that reads and then writes fails with "database is locked" when
    another writer got there first (``docs/decisions.md#begin-immediate``). Read-only requests
    keep the cheaper deferred BEGIN.
    """
    if not _is_sqlite(conn.dialect.name):
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE" if begins_immediately() else "BEGIN")


def begins_immediately() -> bool:
    """Whether a transaction begun now on SQLite takes the write lock at once (a write
    request, outside :func:`reading_transaction`). A second connection that writes while such
    a transaction is open waits for it, and fails after the busy timeout."""
    reading = _reading.get() or (has_request_context() and request.method in _READ_METHODS)
    return not reading


@contextmanager
def reading_transaction() -> Iterator[None]:
    """Transactions begun inside start deferred on SQLite even in a POST, so a long read does
    not hold the single write lock (survey submits would wait past the busy timeout). Use it
    only for work that does not write, and end that transaction inside (commit or rollback):
    a deferred transaction that writes later can fail "database is locked". No effect on
    PostgreSQL."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)
