"""A throwaway PostgreSQL 15 cluster on 127.0.0.1 for the bench (the same commands as .ci/run).

``with postgres_cluster() as server:`` runs ``initdb`` and ``pg_ctl start`` as the ``postgres``
user in a temporary directory, yields its admin URL, and stops and deletes it on the way out,
whatever happened.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def available() -> str | None:
    """None when a cluster can be started here, else the reason it cannot."""
    if not (PG_BIN / "initdb").exists():
        return f"no PostgreSQL server binaries in {PG_BIN}"
    if os.geteuid() != 0:
        return "starting a cluster as the postgres user needs root (runuser)"
    return None


def free_port() -> int:
    """A TCP port nobody listens on at the moment, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Cluster:
    """A running cluster: its port and directory."""

    port: int
    directory: Path

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """(Re)create database ``name``, as a copy of ``template`` when given; returns its URL."""
        engine = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            suffix = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
        engine.dispose()
        return self.url(name)

    def drop_database(self, name: str) -> None:
        engine = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def _as_postgres(*args: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True)


@contextmanager
def postgres_cluster() -> Iterator[Cluster]:
    """Start a cluster (fsync on, ``synchronous_commit=off``: the durability class of SQLite's
    WAL with ``synchronous=NORMAL``), yield it, stop and remove it at the end."""
    directory = Path(tempfile.mkdtemp(prefix="crm-bench-pg."))
    shutil.chown(directory, "postgres")
    data, port = directory / "data", free_port()
    started = False
    try:
        _as_postgres(
            str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {directory} -c max_connections=200 "
            "-c synchronous_commit=off -c shared_buffers=256MB"
        )
        _as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(directory / "log"), "-w",
            "-o", options, "start",
        )  # fmt: skip
        started = True
        yield Cluster(port=port, directory=directory)
    finally:
        if started:
            subprocess.run(
                ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(data),
                 "-m", "fast", "stop"],
                check=False,
                capture_output=True,
            )  # fmt: skip
        shutil.rmtree(directory, ignore_errors=True)
