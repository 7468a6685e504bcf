"""A backup taken while survey submits arrive restores every answer acknowledged before the
backup began (docs/deploy.md#backups): one app server under gunicorn, a bounded submit load from
127.0.0.1, ``flask backup`` in the middle of it, ``flask restore`` into an empty database. On
SQLite, or on PostgreSQL with TEST_DATABASE_URL. Marked ``processes`` (slow)."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from sqlalchemy import create_engine, text

from crm.core import backups
from tests.operations import processes as p

pytestmark = pytest.mark.processes


def tokens(url: str, prefix: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = {
            token
            for (token,) in conn.execute(
                text(
                    "SELECT submission_token FROM survey_responses WHERE submission_token LIKE :p"
                ),
                {"p": f"{prefix}%"},
            )
        }
    engine.dispose()
    return found


def test_a_backup_during_a_submit_load_restores_every_acknowledged_answer(
    tmp_path, database_url, empty_database_url
):
    env = p.environment(database_url, SURVEY_SUBMIT_RATE_LIMIT="100000 per hour", LOG_FORMAT="json")
    port = p.free_port()
    server = p.gunicorn(env, port, 2, tmp_path / "server.log").start()
    try:
        p.wait_ready(port)
        prefix = f"back-{uuid.uuid4().hex[:10]}-"
        load = p.SubmitLoad([port], 300, 4, prefix, pause=0.1)
        thread = load.start()
        p.wait_until(lambda: load.done >= 30, 60, "30 submits answered")
        began = time.monotonic()
        manifest = backups.backup(database_url, tmp_path / "backup")  # what `flask backup` runs
        ended = time.monotonic()
        thread.join(120)
    finally:
        server.stop()
    before = {s.token for s in load.submits if s.status == 303 and s.answered < began}
    after = {s.token for s in load.submits if s.status == 303 and s.sent > ended}
    assert len(before) >= 30
    assert after, "the load ended before the backup did: it was not taken under load"
    assert len(load.with_status(303)) == len(load.submits)

    restored = p.flask(
        {**env, "DATABASE_URL": empty_database_url}, "restore", str(tmp_path / "backup")
    )
    assert "every table has the rows of the backup" in restored
    in_backup = tokens(empty_database_url, prefix)
    assert before <= in_backup
    assert not after & in_backup
    assert manifest.tables["survey_responses"] >= len(in_backup)
    assert tokens(database_url, prefix) >= in_backup | after
    lines = [json.loads(line) for line in (tmp_path / "server.log").read_text().splitlines()]
    access = [line for line in lines if line["logger"] == "crm.access"]
    assert len(access) >= len(load.submits)
    assert all(len(line["request_id"]) == 32 for line in access)
    assert {line["logger"] for line in lines} >= {"gunicorn.error", "crm.access"}
