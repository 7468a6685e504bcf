"""Nothing is lost when a process dies (docs/deploy.md#several).

On PostgreSQL: two app servers under gunicorn on two ports and two workers on one database,
rate limits shared in a Redis server (Debian's ``redis-server``, started here), a bounded
concurrent submit load from 127.0.0.1. One worker is SIGKILLed in the middle of a filing batch,
another while it holds a claim on an email (the mail server is slow), and one app server is
SIGKILLed mid-load, then restarted. Afterwards every submit answered 303 is stored once and
filed once, the tallies equal a rebuild, each confirmation email arrived once (the dead
worker's claim taken over after ``OUTBOX_CLAIM_SECONDS``) and the rate limit counted across
both servers. On SQLite the same with one server of two gunicorn workers and the killed workers.

Slow (about a minute each): marked ``processes``; ``-m processes`` runs only these, ``-m "not
processes"`` leaves them out. CI runs them: the SQLite one in the SQLite pass, the PostgreSQL
one in the PostgreSQL pass.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

from tests.conftest import ON_POSTGRES
from tests.operations import processes as p

pytestmark = pytest.mark.processes

FILED = re.compile(r"response (\d+) filed under practice")
STARTED = re.compile(r"Worker (\S+) started\.")
#: The submit limit shared by both servers, and the load: more submits than the limit, while
#: each server alone receives fewer than it.
LIMIT = 150


@dataclass
class WorkerWatch:
    """What a worker printed: its name, the responses it logged as filed."""

    name: str = ""
    filed: list[int] = field(default_factory=list)
    enough: threading.Event = field(default_factory=threading.Event)
    threshold: int = 10

    def __call__(self, line: str) -> None:
        if match := STARTED.search(line):
            self.name = match.group(1)
        if match := FILED.search(line):
            self.filed.append(int(match.group(1)))
            if len(self.filed) >= self.threshold:
                self.enough.set()


class Database:
    """Reads of the test's database, each in its own short connection."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)

    def scalar(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params) -> list:
        with self.engine.connect() as conn:
            return list(conn.execute(text(sql), params))


def stored(db: Database, prefix: str) -> int:
    return db.scalar(
        "SELECT COUNT(*) FROM survey_responses WHERE submission_token LIKE :p", p=f"{prefix}%"
    )


def drained(db: Database) -> bool:
    waiting = db.scalar("SELECT COUNT(*) FROM survey_responses WHERE filed_at IS NULL")
    unsent = db.scalar("SELECT COUNT(*) FROM outbox_messages WHERE status IN ('queued', 'sending')")
    return waiting == 0 and unsent == 0


TALLIES = {
    "interest_tallies": "SELECT country_code, program_code, level, eligible, practices "
    "FROM interest_tallies WHERE practices <> 0",
    "response_tallies": "SELECT month, country_code, language, responses FROM response_tallies "
    "WHERE responses <> 0",
    "interest_tally_entries": "SELECT practice_id, program_code, country_code, level, eligible "
    "FROM interest_tally_entries",
}


def tallies_equal_a_rebuild(url: str) -> bool:
    """The maintained tallies against ``crm.responses.tallies.rebuild``, in a transaction
    rolled back after (rows with a zero count left out, as the tally tests do)."""
    from crm.responses import tallies

    engine = create_engine(url)
    with engine.connect() as conn:

        def read() -> dict:
            return {
                name: sorted(map(tuple, conn.execute(text(sql)))) for name, sql in TALLIES.items()
            }

        maintained = read()
        tallies.rebuild(conn)
        rebuilt = read()
        conn.rollback()
    engine.dispose()
    assert maintained["response_tallies"], "nothing was tallied"
    return maintained == rebuilt


def scrape(port: int) -> dict[tuple[str, tuple], float]:
    status, _headers, body = p.request(
        port, "GET", "/metrics", headers={"Authorization": f"Bearer {p.METRICS_TOKEN}"}
    )
    assert status == 200, status
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def posts_answered(samples, status: str) -> float:
    labels = (("endpoint", "surveys.survey"), ("method", "POST"), ("status", status))
    return samples.get(("crm_http_request_duration_seconds_count", labels), 0.0)


@dataclass
class Run:
    """One scenario's processes and what they did; ``stage`` notes the time of each step in
    ``stages.log`` beside the processes' logs."""

    tmp: Path
    url: str
    env: dict[str, str]
    ports: list[int]
    servers: list[p.Process] = field(default_factory=list)
    workers: list[p.Process] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def stage(self, what: str) -> None:
        with (self.tmp / "stages.log").open("a") as out:
            out.write(f"{time.monotonic() - self.started:7.1f} s  {what}\n")

    def server(self, port: int, workers: int) -> p.Process:
        process = p.gunicorn(self.env, port, workers, self.tmp / f"server-{port}.log").start()
        self.servers.append(process)
        return process

    def worker(self, name: str, *options: str, watch=None) -> p.Process:
        process = p.worker(self.env, self.tmp / f"{name}.log", *options, watch=watch).start()
        self.workers.append(process)
        return process

    def stop(self) -> None:
        for process in self.workers + self.servers:
            process.stop()


def kill_a_worker_mid_filing(run: Run, db: Database) -> list[int]:
    """Start a worker whose filing batches last up to 5 s and SIGKILL it once it has logged ten
    responses as filed: its batch is open, none of them committed. Returns their ids."""
    watch = WorkerWatch()
    doomed = run.worker("worker-killed-filing", "--batch-seconds", "5", watch=watch)
    assert watch.enough.wait(60), "the worker filed nothing"
    doomed.kill()
    logged = sorted(set(watch.filed))
    filed_now = db.scalar(
        f"SELECT COUNT(*) FROM survey_responses WHERE filed_at IS NOT NULL "  # noqa: S608
        f"AND id IN ({', '.join(map(str, logged))})"
    )
    assert filed_now == 0, "the killed worker's batch was committed: it was not mid-batch"
    return logged


def kill_a_worker_holding_a_claim(run: Run, db: Database, smtp: p.Smtp) -> list[int]:
    """Start a worker while the mail server is slow; SIGKILL it once it holds a claim on an
    email it is sending. Returns the claimed rows' ids."""
    watch = WorkerWatch()
    doomed = run.worker("worker-killed-sending", watch=watch)
    assert smtp.sink.waiting.wait(60), "no email was sent"
    p.wait_until(lambda: bool(watch.name), 10, "the worker's name")
    claimed = [
        row.id
        for row in db.rows(
            "SELECT id FROM outbox_messages WHERE status = 'sending' AND locked_by = :w",
            w=watch.name,
        )
    ]
    assert claimed, "the worker held no claim"
    doomed.kill()
    return claimed


def check_everything_once(run: Run, db: Database, load: p.SubmitLoad, smtp: p.Smtp,
                          prefix: str, claimed: list[int]) -> list[p.Submit]:  # fmt: skip
    """Every 303 stored once and filed once, one confirmation each, sent once; the dead
    worker's claimed emails sent once; tallies equal a rebuild. Returns the accepted submits."""
    answers = Counter(s.status for s in load.submits)
    assert set(answers) <= {303, 429}, answers
    accepted = load.with_status(303)
    by_token = dict(
        db.rows(
            "SELECT submission_token, COUNT(*) FROM survey_responses "
            "WHERE submission_token LIKE :p GROUP BY submission_token",
            p=f"{prefix}%",
        )
    )
    assert all(by_token.get(s.token) == 1 for s in accepted)
    tries = {s.token: s.tries for s in load.submits}
    statuses = {s.token: s.status for s in load.submits}
    assert all(statuses[t] == 303 or tries[t] > 1 for t in by_token)
    unfiled = db.scalar(
        "SELECT COUNT(*) FROM survey_responses WHERE submission_token LIKE :p "
        "AND (filed_at IS NULL OR practice_id IS NULL OR contact_id IS NULL)",
        p=f"{prefix}%",
    )
    assert unfiled == 0
    practices = Counter(
        name for (name,) in db.rows("SELECT name FROM practices WHERE name LIKE 'Clínica Carga %'")
    )
    assert practices == Counter(f"Clínica Carga {t}" for t in by_token)
    contacts = Counter(
        e for (e,) in db.rows("SELECT email FROM contacts WHERE email LIKE 'load-%'")
    )
    emails = {s.token: s.email for s in load.submits}
    assert contacts == Counter(emails[t] for t in by_token)
    confirmations = Counter(
        (r, s)
        for r, s in db.rows(
            "SELECT recipient, status FROM outbox_messages WHERE kind = 'confirmation'"
        )
    )
    assert confirmations == Counter((emails[t], "sent") for t in by_token)
    received = Counter(smtp.sink.received)
    assert received == Counter(emails[t] for t in by_token)
    for row_id in claimed:
        recipient, status = db.rows(
            "SELECT recipient, status FROM outbox_messages WHERE id = :i", i=row_id
        )[0]
        assert (status, received[recipient]) == ("sent", 1)
    assert tallies_equal_a_rebuild(run.url)
    return accepted


class ServerKiller(threading.Thread):
    """SIGKILLs the first app server (master and workers) once 40% of the load is answered,
    then starts it again on the same port; ``mid_load`` tells whether the load was still
    running at the kill."""

    def __init__(self, run: Run, load: p.SubmitLoad, workers: int) -> None:
        super().__init__(daemon=True)
        self.run_, self.load, self.workers, self.mid_load = run, load, workers, False
        self.start()

    def run(self) -> None:
        count = len(self.load.submits)
        p.wait_until(lambda: self.load.done >= count * 0.4, 60, "40% of the load")
        self.mid_load = self.load.done < count
        self.run_.servers[0].kill()
        self.run_.stage(f"app server killed; load {self.load.done}/{count}")
        self.run_.server(self.run_.ports[0], self.workers)
        p.wait_ready(self.run_.ports[0])
        self.run_.stage(f"app server restarted; load {self.load.done}/{count}")


def scenario(tmp: Path, url: str, ports: list[int], gunicorn_workers: int,
             settings: dict[str, str], kill_server: bool, count: int, threads: int,
             after: Callable[[Run, p.SubmitLoad], None]) -> None:  # fmt: skip
    """Run the load with its kills, check that everything is there once, then ``after(run,
    load)`` while the servers still run (the first port's server is the restarted one when
    ``kill_server``)."""
    db = Database(url)
    prefix = f"load-{secrets.token_hex(5)}-"  # a token is 20 to 64 characters
    with p.Smtp() as smtp:
        env = p.environment(url, OUTBOX_CLAIM_SECONDS="3", **settings, **smtp.settings())
        run = Run(tmp, url, env, ports)
        try:
            for port in ports:
                run.server(port, gunicorn_workers)
            # The daily jobs' first run (readiness of every country) before the load, as a
            # deployment's first worker did long ago.
            p.flask(env, "worker", "--once")
            for port in ports:
                p.wait_ready(port)
            run.stage("servers ready")
            load = p.SubmitLoad(ports, count, threads, prefix, pause=0.3)
            thread = load.start()
            killer = ServerKiller(run, load, gunicorn_workers) if kill_server else None
            p.wait_until(lambda: stored(db, prefix) >= 40, 60, "40 stored responses")
            run.stage("40 stored")
            kill_a_worker_mid_filing(run, db)
            run.stage(f"worker killed mid-filing; load {load.done}/{count}")
            if killer is not None:
                killer.join(120)
                assert killer.mid_load, "the load ended before the app server was killed"
            claimed = kill_a_worker_holding_a_claim(run, db, smtp)
            run.stage(f"worker killed holding a claim; load {load.done}/{count}")
            run.worker("worker-a")
            run.worker("worker-b")
            smtp.sink.gate.set()
            thread.join(120)
            assert not thread.is_alive(), "the load did not end"
            latencies = sorted(s.answered - s.sent for s in load.submits)
            run.stage(
                f"load ended: {Counter(s.status for s in load.submits)}, latency p50 "
                f"{latencies[len(latencies) // 2]:.2f} s, max {latencies[-1]:.2f} s"
            )
            p.wait_until(lambda: drained(db), 120, "every response filed and email sent")
            run.stage("everything filed and sent")
            check_everything_once(run, db, load, smtp, prefix, claimed)
            run.stage("checked")
            for port in ports:
                status, _headers, body = p.request(port, "GET", "/readyz")
                assert status == 200, body
            after(run, load)
        finally:
            run.stop()
            db.engine.dispose()


def metrics_count_every_worker(port: int, load: p.SubmitLoad) -> None:
    """The server's /metrics adds up the submits of all its gunicorn workers."""
    samples = scrape(port)
    for status in (303, 429):
        answered = sum(1 for s in load.submits if s.port == port and s.status == status)
        assert posts_answered(samples, str(status)) == answered
    assert samples[("crm_workers_beating", ())] >= 1
    assert samples[("crm_responses_waiting", ())] == 0


def test_nothing_is_lost_when_processes_die_on_postgresql(tmp_path, database_url):
    if not ON_POSTGRES:
        pytest.skip("runs in .ci/run's PostgreSQL pass (TEST_DATABASE_URL)")
    if not os.path.exists(p.REDIS_SERVER):
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: .ci/run installs Debian's redis-server")
        pytest.skip("redis-server is not installed (Debian's redis-server package)")
    ports = [p.free_port(), p.free_port()]

    def after(run: Run, load: p.SubmitLoad) -> None:
        # The rate limit counted across both servers: each alone got fewer submits than the
        # limit, yet no more than the limit were accepted, and both servers refused some.
        posts = Counter(s.port for s in load.submits)
        assert all(n < LIMIT for n in posts.values()), posts
        accepted = load.with_status(303)
        assert LIMIT * 0.8 <= len(accepted) <= LIMIT
        refused = Counter(s.port for s in load.with_status(429))
        assert set(refused) == set(ports), refused
        metrics_count_every_worker(ports[1], load)  # the server that was never killed
        # The restarted server counts what was sent before it died: the store is Redis.
        again = p.SubmitLoad([ports[0]], 1, 1, f"again-{secrets.token_hex(5)}-")
        again.run()
        assert again.submits[0].status == 429

    with p.Redis(tmp_path) as redis:
        settings = {
            "RATELIMIT_STORAGE_URI": redis.url,
            "SURVEY_SUBMIT_RATE_LIMIT": f"{LIMIT} per hour",
        }
        scenario(tmp_path, database_url, ports, 2, settings, kill_server=True, count=220,
                 threads=6, after=after)  # fmt: skip


def test_nothing_is_lost_when_a_worker_dies_on_sqlite(tmp_path, database_url):
    if ON_POSTGRES:
        pytest.skip("the SQLite pass runs this one")
    port = p.free_port()

    def after(run: Run, load: p.SubmitLoad) -> None:
        assert len(load.with_status(303)) == len(load.submits)
        metrics_count_every_worker(port, load)

    settings = {"SURVEY_SUBMIT_RATE_LIMIT": "100000 per hour"}
    scenario(tmp_path, database_url, [port], 2, settings, kill_server=False, count=160,
             threads=4, after=after)  # fmt: skip
