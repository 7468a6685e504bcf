"""The measurements of one database: staff pages, exports, submits and the soak, each against
its baseline in the same run; every figure goes into the :class:`bench.common.Run`."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

from sqlalchemy import create_engine, text

from bench import generate
from bench.client import http_request, login, survey_session
from bench.common import EXPORTS, PAGES, ROOT, USER_AGENT, Run, Settings, log
from bench.load import form_bodies, paired, soak_load, stored_with_prefix, wrk
from bench.servers import Server, Worker, app_environment, drain, peak_rss_mib

APP_TARGET = "app:create_app()"
BASELINE_TARGET = "bench.baseline:app"


def biggest_country(database_url: str) -> str:
    """The ISO code of the country with the most practices (its page is measured)."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        code = conn.execute(
            text(
                "SELECT country_code FROM practices GROUP BY country_code "
                "ORDER BY COUNT(*) DESC LIMIT 1"
            )
        ).scalar()
    engine.dispose()
    return code


def measure_pages(run: Run, settings: Settings, kind: str, size: int, url: str, logs: Path):
    """Each staff page of :data:`PAGES` under wrk, per worker count, beside the baseline's
    GROUP BY and the CPU yardstick measured on the same database."""
    env = app_environment(url)
    country = biggest_country(url)
    for workers in settings.workers:
        with (
            Server(APP_TARGET, env, workers, logs / "app.log") as app,
            Server(BASELINE_TARGET, env, workers, logs / "baseline.log") as baseline,
        ):
            cookie = login(app.port, generate.STAFF_EMAIL)
            for name, template in PAGES.items():
                path = template.format(country=country)
                status, _headers, _body = http_request(app.port, "GET", path, headers={
                    "Cookie": cookie})  # fmt: skip
                if status != 200:
                    log(f"  {name}: {path} answered {status}, not measured")
                    run.put(kind, size, f"page {name} w{workers}", {"status": status})
                    continue
                wrk(app.port, path, seconds=2, connections=workers, cookie=cookie)
                result = paired(
                    partial(wrk, app.port, path, connections=workers, cookie=cookie),
                    partial(wrk, baseline.port, "/calibrate", connections=workers),
                    settings.seconds,
                )
                log(f"  {name} ({workers} workers): p50 {result['p50_ms']:.1f} ms, "
                    f"p99 {result['p99_ms']:.1f} ms, {result['rps']:.1f}/s, "
                    f"{result.get('per_yardstick', 0):.2f} yardsticks")  # fmt: skip
                run.put(kind, size, f"page {name} w{workers}", result)
            wrk(baseline.port, "/counts", seconds=2, connections=workers)
            result = wrk(baseline.port, "/counts", seconds=settings.seconds, connections=workers)
            log(f"  baseline GROUP BY ({workers} workers): p50 {result['p50_ms']:.1f} ms")
            run.put(kind, size, f"baseline group-by w{workers}", result)
            result = wrk(baseline.port, "/calibrate", seconds=settings.seconds,
                         connections=workers)  # fmt: skip
            log(f"  CPU yardstick ({workers} workers): p50 {result['p50_ms']:.1f} ms")
            run.put(kind, size, f"yardstick w{workers}", result)


def measure_exports(run: Run, kind: str, size: int, url: str, logs: Path, workdir: Path):
    """Each export of :data:`EXPORTS` by one gunicorn worker (time, bytes, peak memory), and
    pandas' ``read_sql`` + ``to_csv`` of the same rows."""
    env = app_environment(url)
    for name, path in EXPORTS.items():
        with Server(APP_TARGET, env, 1, logs / "export.log") as app:
            cookie = login(app.port, generate.STAFF_EMAIL)
            worker = app.worker_pids()[0]
            before = peak_rss_mib(worker)
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=3600)
            conn.request("GET", path, headers={"Cookie": cookie, "User-Agent": USER_AGENT})
            response = conn.getresponse()
            size_bytes = 0
            while chunk := response.read(1 << 20):
                size_bytes += len(chunk)
            conn.close()
            seconds = time.perf_counter() - started
            result = {
                "status": response.status,
                "seconds": seconds,
                "bytes": size_bytes,
                "idle_rss_mib": before,
                "peak_rss_mib": peak_rss_mib(worker),
            }
        log(f"  {name} export: {result}")
        run.put(kind, size, f"export {name}", result)
    out = workdir / "pandas.csv"
    completed = subprocess.run(
        [sys.executable, "-m", "bench.pandas_export", url, str(out)],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    out.unlink(missing_ok=True)
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    log(f"  pandas read_sql + to_csv: {result}")
    run.put(kind, size, "export pandas", result)


def measure_submits(run: Run, settings: Settings, kind: str, size: int, url: str, logs: Path):
    """Survey submits under wrk against the baseline's bare insert, per worker count, with the
    worker filing beside them; how many were stored and how long filing took after."""
    env = app_environment(url)
    workdir = logs
    for workers in settings.workers:
        with (
            Server(APP_TARGET, env, workers, logs / "app.log") as app,
            Server(BASELINE_TARGET, env, workers, logs / "baseline.log") as baseline,
            Worker(env, logs / "worker.log"),
        ):
            cookie, csrf = survey_session(app.port)
            bodies_path = workdir / "bodies.txt"
            bodies_path.write_text("\n".join(form_bodies(url, csrf)) + "\n")
            for side, server, path in (("app", app, "/en/survey"), ("baseline", baseline,
                                                                    "/submit")):  # fmt: skip
                connections = 2 * workers
                warm = f"bw{secrets.token_hex(4)}"
                sent_cookie = cookie if side == "app" else ""
                wrk(server.port, path, seconds=2, connections=connections, cookie=sent_cookie,
                    bodies=bodies_path, prefix=warm)  # fmt: skip
                prefix = f"bm{secrets.token_hex(4)}"
                result = wrk(
                    server.port, path, seconds=settings.seconds, connections=connections,
                    cookie=sent_cookie, bodies=bodies_path, prefix=prefix,
                )  # fmt: skip
                result["stored"] = stored_with_prefix(url, prefix)
                if side == "app" and os.environ.get("BENCH_WORKER") != "0":
                    result |= drain(url)
                log(f"  submit {side} ({workers} workers): {result['rps']:.1f}/s, "
                    f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
                    f"statuses {result['statuses']}, stored {result['stored']}, "
                    f"filed after {result.get('drain_seconds', 0):.1f} s")  # fmt: skip
                run.put(kind, size, f"submit {side} w{workers}", result)


def measure_soak(run: Run, settings: Settings, kind: str, size: int, url: str, logs: Path):
    """Concurrent submits for ``BENCH_SOAK_SECONDS`` on 4 workers: every answer counted, every
    303 stored and filed, and the logs searched for lock errors and tracebacks."""
    env = app_environment(url)
    soak_log = logs / "soak.log"
    soak_log.unlink(missing_ok=True)
    workers = 4
    worker_log = logs / "soak-worker.log"
    worker_log.unlink(missing_ok=True)
    with Server(APP_TARGET, env, workers, soak_log) as app, Worker(env, worker_log):
        cookie, csrf = survey_session(app.port)
        bodies = form_bodies(url, csrf, seed=23)
        prefix = f"bs{secrets.token_hex(4)}"
        result = soak_load(app.port, cookie, bodies, prefix, settings.soak_seconds, 16)
        result |= drain(url)
    result["stored"] = stored_with_prefix(url, prefix)
    text_log = soak_log.read_text(errors="replace") + worker_log.read_text(errors="replace")
    result["database_is_locked"] = text_log.count("database is locked")
    result["tracebacks"] = text_log.count("Traceback")
    statuses = {int(k): v for k, v in result["statuses"].items()}
    result["accepted"] = statuses.get(303, 0)
    result["2xx"] = sum(v for k, v in statuses.items() if 200 <= k < 300)
    result["5xx"] = sum(v for k, v in statuses.items() if k >= 500)
    result["failed_connections"] = statuses.get(0, 0)
    log(f"  soak ({workers} workers, {settings.soak_seconds} s): {result | {'p50_ms': None}}")
    run.put(kind, size, "soak", result)


#: Rows of the generated legacy files the import is measured with (``BENCH_IMPORT_ROWS``).
IMPORT_ROWS = tuple(int(n) for n in os.environ.get("BENCH_IMPORT_ROWS", "20000,100000").split(","))


def measure_imports(run: Run, kind: str, size: int, url: str) -> None:
    """The legacy import (stage, check, commit) of :data:`IMPORT_ROWS` rows, each in a process
    of its own: seconds per step and peak memory (``bench.imports``)."""
    for rows in IMPORT_ROWS:
        completed = subprocess.run(
            [sys.executable, "-m", "bench.imports", url, str(rows)],
            cwd=ROOT, check=True, capture_output=True, text=True,
            env=app_environment(url),
        )  # fmt: skip
        result = json.loads(completed.stdout.strip().splitlines()[-1])
        log(f"  import of {rows:,} rows: {result}")
        run.put(kind, size, f"import {rows}", result)
