"""Backups that restore (docs/deploy.md#backups, docs/decisions.md#backups).

``flask backup PATH`` writes a consistent snapshot of the database into the new folder PATH
while the app keeps serving: SQLite's online backup API (``database.sqlite``), or on PostgreSQL
``pg_dump`` in its custom format (``database.dump``) run on a snapshot exported from a
repeatable-read transaction. The same snapshot's row counts go into ``manifest.json`` with the
schema revision and the time the snapshot was taken (UTC), so a restore can check itself.

``flask restore PATH`` loads a backup into the *empty* database ``DATABASE_URL`` names (a
SQLite file that does not exist yet or has no table; a PostgreSQL database created empty), then
counts every table and compares with the manifest.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Connection, make_url

from crm.core.columns import utcnow

MANIFEST = "manifest.json"
FILES = {"sqlite": "database.sqlite", "postgresql": "database.dump"}
FORMAT = 1


class BackupError(RuntimeError):
    """A backup or restore that cannot be made or does not check out; the message says why,
    naming no data."""


@dataclass(frozen=True)
class Manifest:
    """What a backup holds: its ``dialect`` (sqlite or postgresql), the database ``file`` in
    the folder, the schema ``revision``, ``tables`` (name → rows) and ``taken_at`` (ISO 8601,
    UTC: the snapshot's moment, so every commit before it is in)."""

    dialect: str
    file: str
    revision: str | None
    tables: dict[str, int]
    taken_at: str
    format: int = FORMAT

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """The manifest of the backup in ``folder``; BackupError when there is none."""
        path = folder / MANIFEST
        if not path.is_file():
            raise BackupError(f"{folder} holds no {MANIFEST}: not a backup")
        data = json.loads(path.read_text())
        if data.get("format") != FORMAT:
            raise BackupError(f"{path}: unknown backup format {data.get('format')!r}")
        return cls(**data)

    def write(self, folder: Path) -> None:
        """Write it as ``folder/manifest.json``."""
        (folder / MANIFEST).write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")


def row_counts(connection: Connection) -> dict[str, int]:
    """Rows of every table of the database, read in ``connection``'s transaction."""
    names = sorted(inspect(connection).get_table_names())
    quote = connection.dialect.identifier_preparer.quote
    return {
        name: connection.execute(text(f"SELECT COUNT(*) FROM {quote(name)}")).scalar()  # noqa: S608  (names from the database's own catalog, quoted)
        for name in names
    }


def _revision(connection: Connection, tables: dict[str, int]) -> str | None:
    if "alembic_version" not in tables:
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("a SQLite backup needs a database file")
    return Path(url.database)


def _new_folder(folder: Path) -> None:
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} exists and is not empty: back up into a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)  # a backup holds every person's answers: its owner alone reads it


def backup(database_url: str, folder: Path) -> Manifest:
    """Write a consistent snapshot of ``database_url`` and its manifest into ``folder`` (new or
    empty); returns the manifest. Raises BackupError (folder not empty, ``pg_dump`` missing or
    failing)."""
    url = make_url(database_url)
    _new_folder(folder)
    dialect = url.get_backend_name()
    if dialect == "sqlite":
        manifest = _backup_sqlite(url, folder)
    elif dialect == "postgresql":
        manifest = _backup_postgres(url, folder)
    else:
        raise BackupError(f"no backup for {dialect} databases")
    manifest.write(folder)
    for written in folder.iterdir():
        written.chmod(0o600)
    return manifest


def _backup_sqlite(url: URL, folder: Path) -> Manifest:
    """SQLite's online backup API copies every page in one step under a read transaction: in
    WAL mode writers go on meanwhile, and the copy is the database as of that moment."""
    target = folder / FILES["sqlite"]
    taken_at = utcnow()
    source = sqlite3.connect(_sqlite_file(url))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    engine = create_engine(f"sqlite:///{target}")
    with engine.connect() as connection:
        tables = row_counts(connection)
        revision = _revision(connection, tables)
    engine.dispose()
    return Manifest("sqlite", target.name, revision, tables, taken_at.isoformat())


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The libpq connection string of ``url`` (no password) and the environment carrying the
    password (``PGPASSWORD``): a password never appears in a command line."""
    plain = url.set(drivername="postgresql", password=None)
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return plain.render_as_string(hide_password=False), env


def _program(name: str) -> str:
    """``name`` on the PATH, else the newest of Debian's ``/usr/lib/postgresql/*/bin``."""
    found = shutil.which(name)
    if found is None:
        versions = sorted(
            Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
            key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
        )
        found = str(versions[-1]) if versions else None
    if found is None:
        raise BackupError(f"{name} not found: install PostgreSQL's client programs")
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603  (our own fixed command)
    if completed.returncode:
        raise BackupError(f"{Path(command[0]).name} failed: {completed.stderr.strip()[-500:]}")


def _backup_postgres(url: URL, folder: Path) -> Manifest:
    """pg_dump (custom format) on a snapshot exported from a repeatable-read transaction that
    also counts the rows, so the counts are those of the dump."""
    target = folder / FILES["postgresql"]
    dsn, env = _libpq(url)
    engine = create_engine(url, isolation_level="REPEATABLE READ")
    with engine.connect() as connection:
        # One statement: every commit before its start is in the snapshot.
        snapshot, taken_at = connection.execute(
            text("SELECT pg_export_snapshot(), statement_timestamp()")
        ).one()
        tables = row_counts(connection)
        revision = _revision(connection, tables)
        _run(
            [_program("pg_dump"), "--format=custom", f"--snapshot={snapshot}",
             f"--file={target}", f"--dbname={dsn}"],
            env,
        )  # fmt: skip
        connection.rollback()
    engine.dispose()
    return Manifest("postgresql", target.name, revision, tables, _iso(taken_at))


def _iso(moment: datetime) -> str:
    return moment.astimezone(utcnow().tzinfo).isoformat()


def restore(database_url: str, folder: Path) -> Manifest:
    """Load the backup in ``folder`` into the empty database ``database_url``, then check
    that every table has the rows the manifest lists; returns the manifest. Raises
    BackupError: not a backup, another kind of database, a target that is not empty, a failed
    load, or counts that differ (named per table)."""
    manifest = Manifest.read(folder)
    url = make_url(database_url)
    if url.get_backend_name() != manifest.dialect:
        raise BackupError(
            f"this backup is of a {manifest.dialect} database; DATABASE_URL names a "
            f"{url.get_backend_name()} one"
        )
    _require_empty(url)
    source = folder / manifest.file
    if manifest.dialect == "sqlite":
        _restore_sqlite(source, _sqlite_file(url))
    else:
        dsn, env = _libpq(url)
        _run(
            [_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
             "--single-transaction", f"--dbname={dsn}", str(source)],
            env,
        )  # fmt: skip
    check(url, manifest)
    return manifest


def _require_empty(url: URL) -> None:
    if url.get_backend_name() == "sqlite" and not _sqlite_file(url).exists():
        return
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BackupError(
            f"the database DATABASE_URL names is not empty ({len(tables)} tables): restore "
            "only into a new, empty database"
        )


def _restore_sqlite(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    backup_copy = sqlite3.connect(source)
    database = sqlite3.connect(target)
    try:
        backup_copy.backup(database)
    finally:
        backup_copy.close()
        database.close()


def check(url: URL | str, manifest: Manifest) -> None:
    """Compare the rows of every table of the database at ``url`` with ``manifest``; raises
    BackupError naming each table that differs."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = row_counts(connection)
    finally:
        engine.dispose()
    differing = [
        f"{name}: {manifest.tables.get(name)} in the backup, {found.get(name)} restored"
        for name in sorted(set(found) | set(manifest.tables))
        if found.get(name) != manifest.tables.get(name)
    ]
    if differing:
        raise BackupError("the restored database differs from the backup: " + "; ".join(differing))
