"""``make bench``: generate 10k/100k/1M responses, serve the app and the bare-Flask baseline under
gunicorn, load them from 127.0.0.1, and print one table of figures and ratios.

Every figure is compared with a baseline measured in the same run on the same database, so the
ratios hold on a noisy, shared machine. Settings (environment variables):

- ``BENCH_SIZES``: responses per database, default ``10000,100000,1000000``;
- ``BENCH_DATABASES``: ``sqlite,postgresql`` (PostgreSQL in a throwaway cluster);
- ``BENCH_WORKERS``: gunicorn worker counts, default ``2,4``;
- ``BENCH_SECONDS``: length of each measured load, default 10;
- ``BENCH_SOAK_SECONDS``: the concurrent-submit soak, default 120 (0 skips it);
- ``BENCH_WORKDIR``: where databases and logs go, default ``/tmp/crm-bench``;
- ``BENCH_MEASURES``: which parts run, default ``pages,exports,submits,soak``.

Raw results: ``bench/results/<time>.json`` and ``.md`` (git-ignored).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text

from bench import generate, postgres

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent
WRK_SCRIPT = ROOT / "bench" / "wrk.lua"
USER_AGENT = "crm-bench"
STAFF_PASSWORD = "bench: correct horse battery staple 7"  # noqa: S105 (throwaway bench account)
APP_TARGET = "app:create_app()"
BASELINE_TARGET = "bench.baseline:app"
#: Staff pages measured: name → path ({country} is the country with the most responses).
PAGES = {
    "readiness board": "/staff/dashboard/board",
    "dashboard": "/staff/dashboard/",
    "country page": "/staff/countries/{country}",
    "country list": "/staff/countries/",
}
EXPORTS = {"CSV": "/staff/data/export/responses.csv", "XLSX": "/staff/data/export/responses.xlsx"}


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, ...]
    databases: tuple[str, ...]
    workers: tuple[int, ...]
    seconds: int
    soak_seconds: int
    workdir: Path
    measures: tuple[str, ...] = ("pages", "exports", "submits", "soak")

    @classmethod
    def from_environment(cls) -> Settings:
        def numbers(name: str, default: str) -> tuple[int, ...]:
            raw = os.environ.get(name) or default
            return tuple(int(part.replace("_", "")) for part in raw.split(",") if part.strip())

        return cls(
            sizes=numbers("BENCH_SIZES", "10000,100000,1000000"),
            databases=tuple(
                part.strip()
                for part in (os.environ.get("BENCH_DATABASES") or "sqlite,postgresql").split(",")
                if part.strip()
            ),
            workers=numbers("BENCH_WORKERS", "2,4"),
            seconds=int(os.environ.get("BENCH_SECONDS") or 10),
            soak_seconds=int(os.environ.get("BENCH_SOAK_SECONDS") or 120),
            workdir=Path(os.environ.get("BENCH_WORKDIR") or "/tmp/crm-bench"),
            measures=tuple(
                part.strip()
                for part in (
                    os.environ.get("BENCH_MEASURES") or "pages,exports,submits,soak"
                ).split(",")
                if part.strip()
            ),
        )


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
# HTTP


def http_request(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request to 127.0.0.1:port, redirects not followed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    try:
        conn.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def session_cookie(headers: http.client.HTTPMessage, previous: str = "") -> str:
    """The ``name=value`` of the session cookie the response set (else ``previous``)."""
    for header in headers.get_all("Set-Cookie") or []:
        pair = header.split(";", 1)[0]
        if pair.startswith("session="):
            return pair
    return previous


def csrf_token(html: bytes) -> str:
    """The value of the page's ``csrf_token`` hidden field."""
    for tag in re.findall(rb"<input[^>]*>", html):
        if b'name="csrf_token"' in tag:
            return re.search(rb'value="([^"]*)"', tag).group(1).decode()
    raise RuntimeError("no csrf_token field on the page")


def login(port: int, email: str) -> str:
    """Log in through /staff/login; returns the session cookie."""
    status, headers, body = http_request(port, "GET", "/staff/login")
    cookie = session_cookie(headers)
    form = urlencode({"email": email, "password": STAFF_PASSWORD, "csrf_token": csrf_token(body)})
    status, headers, body = http_request(
        port,
        "POST",
        "/staff/login",
        form.encode(),
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    if status not in (302, 303):
        raise RuntimeError(f"login failed ({status}): {body[:300]!r}")
    return session_cookie(headers, cookie)


def survey_session(port: int) -> tuple[str, str]:
    """The session cookie and CSRF token a respondent gets from GET /en/survey."""
    status, headers, body = http_request(port, "GET", "/en/survey")
    if status != 200:
        raise RuntimeError(f"GET /en/survey answered {status}")
    return session_cookie(headers), csrf_token(body)


# ------------------------------------------------------------------------------------------------
# Servers


def stop(process: subprocess.Popen | None) -> None:
    """Terminate ``process`` if it still runs; killed after 30 s."""
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Server:
    """A gunicorn master (sync workers) on a free port of 127.0.0.1, stopped on exit."""

    def __init__(self, target: str, env: dict, workers: int, log_path: Path) -> None:
        self.target, self.env, self.workers, self.log_path = target, env, workers, log_path
        self.port = postgres.free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"), "-w", str(self.workers),
                "-b", f"127.0.0.1:{self.port}", "--timeout", "3600", "--graceful-timeout", "5",
                self.target,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.target} exited; see {self.log_path}")
            try:
                http_request(self.port, "GET", "/")
                if len(self.worker_pids()) >= self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn {self.target} did not start; see {self.log_path}")

    def __exit__(self, *exc) -> None:
        stop(self.process)
        self.log_file.close()

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []


class Worker:
    """``flask worker`` beside the servers, as deployed: it files the responses the submits
    stored (``SURVEY_FILING=worker``) while they arrive, so its CPU and its share of the
    database's write lock are paid for inside the measured load."""

    def __init__(self, env: dict, log_path: Path) -> None:
        self.env, self.log_path = env, log_path
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Worker:
        self.log_file = self.log_path.open("ab")
        if os.environ.get("BENCH_WORKER") == "0":  # experiments only: the load without filing
            return self
        self.process = subprocess.Popen(
            [str(VENV_BIN / "flask"), "--app", "app", "worker",
             "--filing-interval", "0.5", "--interval", "3600",
             "--batch-seconds", os.environ.get("BENCH_FILING_BATCH") or "0.02"],
            cwd=ROOT, env=self.env, stdout=self.log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
        return self

    def __exit__(self, *exc) -> None:
        stop(self.process)
        self.log_file.close()


def waiting_to_be_filed(database_url: str) -> int:
    """Responses stored but not yet filed by the worker."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        count = conn.execute(
            text("SELECT COUNT(*) FROM survey_responses WHERE filed_at IS NULL")
        ).scalar()
    engine.dispose()
    return count


def drain(database_url: str, timeout: float = 900) -> dict:
    """Wait until the worker has filed every stored response; how many waited when the load
    ended and how long the worker took to file them (seconds)."""
    started = time.perf_counter()
    waiting = waiting_to_be_filed(database_url)
    left = waiting
    while left and time.perf_counter() - started < timeout:
        time.sleep(0.25)
        left = waiting_to_be_filed(database_url)
    return {
        "waiting_after_load": waiting,
        "drain_seconds": time.perf_counter() - started,
        "left_unfiled": left,
    }


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident set size so far (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ------------------------------------------------------------------------------------------------
# Load


def wrk(
    port: int,
    path: str,
    *,
    seconds: int,
    connections: int,
    cookie: str = "",
    bodies: Path | None = None,
    prefix: str = "",
) -> dict:
    """One wrk run (1 thread) against 127.0.0.1; its counts by status and latency percentiles."""
    command = [
        "wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "60s",
        "-s", str(WRK_SCRIPT), "-H", f"User-Agent: {USER_AGENT}",
    ]  # fmt: skip
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    if bodies:
        command += ["--", str(bodies), prefix]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("BENCH-JSON "))
    result = json.loads(line.removeprefix("BENCH-JSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["p50_ms"], result["p99_ms"] = result["p50_us"] / 1000, result["p99_us"] / 1000
    return result


async def _post_until(
    port: int, bodies: list[str], prefix: str, number: int, deadline: float, tally: dict
) -> None:
    sent = 0
    while time.monotonic() < deadline:
        sent += 1
        token = f"{prefix}-{number:02d}-{sent:010d}"
        body = bodies[(sent * 7 + number) % len(bodies)].replace("@TOKEN@", token).encode()
        head = (
            f"POST /en/survey HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"User-Agent: {USER_AGENT}\r\nCookie: {tally['cookie']}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        started = time.perf_counter()
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 60)
            writer.write(head + body)
            await writer.drain()
            status_line = await asyncio.wait_for(reader.readline(), 120)
            await asyncio.wait_for(reader.read(), 120)
            writer.close()
            status = int(status_line.split()[1])
        except (OSError, TimeoutError, IndexError, ValueError):
            status = 0
        tally["latencies"].append(time.perf_counter() - started)
        tally["statuses"][status] += 1


def soak_load(port: int, cookie: str, bodies: list[str], prefix: str, seconds: int,
              connections: int) -> dict:  # fmt: skip
    """Concurrent submits for ``seconds``: every answer is awaited, so the counts are exact
    (wrk drops the answers still in flight when its time is up)."""
    tally = {"cookie": cookie, "latencies": [], "statuses": Counter()}
    deadline = time.monotonic() + seconds

    async def run() -> None:
        await asyncio.gather(
            *(_post_until(port, bodies, prefix, n, deadline, tally) for n in range(connections))
        )

    started = time.perf_counter()
    asyncio.run(run())
    elapsed = time.perf_counter() - started
    latencies = sorted(tally["latencies"])
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "statuses": {str(k): v for k, v in sorted(tally["statuses"].items())},
        "p50_ms": latencies[len(latencies) // 2] * 1000 if latencies else None,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000 if latencies else None,
    }


def form_bodies(database_url: str, csrf: str, count: int = 4000, seed: int = 11) -> list[str]:
    """Url-encoded valid survey forms, ``@TOKEN@`` where the one-time token goes: three in four
    from existing practices (a repeat response: matched and linked), one in four a new practice
    (matching, then the suggestion scan over its country's practices)."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        existing = conn.execute(
            text(
                "SELECT p.name, p.city, p.country_code, c.email FROM practices p "
                "JOIN contacts c ON c.practice_id = p.id ORDER BY p.id DESC LIMIT 20000"
            )
        ).all()
        reference = generate.read_reference(conn, seed)
    engine.dispose()
    rng = random.Random(seed)
    maker = generate.Generator(reference, None, seed)  # type: ignore[arg-type]
    bodies = []
    for index in range(count):
        if existing and index % 4:
            name, city, country, email = rng.choice(existing)
            person = maker.person(country, 50_000_000 + index)
            person.update(practice_name=name, city=city, email=email)
        else:
            person = maker.person(maker.country(), 50_000_000 + index)
        facts = rng.choice(maker.facts).answers
        opinions = rng.choice(maker.opinions).answers
        fields = {**person, **facts, **opinions}
        fields = {k: v for k, v in fields.items() if v is not None and v != "" and v != []}
        fields.update(consent="y", permission_to_contact="y", website="", csrf_token=csrf)
        bodies.append(urlencode(fields, doseq=True) + "&submission_token=@TOKEN@")
    return bodies


def stored_with_prefix(database_url: str, prefix: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        count = conn.execute(
            text("SELECT COUNT(*) FROM survey_responses WHERE submission_token LIKE :p"),
            {"p": f"{prefix}-%"},
        ).scalar()
    engine.dispose()
    return count


# ------------------------------------------------------------------------------------------------
# Databases


def flask_cli(env: dict, *args: str) -> None:
    subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "app", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def build_template(env: dict) -> None:
    """Migrate, seed and create the bench's staff account (the documented commands)."""
    flask_cli(env, "db", "upgrade")
    flask_cli(env, "seed")
    flask_cli({**env, "CRM_PASSWORD": STAFF_PASSWORD}, "users", "create", "--email",
              generate.STAFF_EMAIL, "--role", "staff")  # fmt: skip


class Databases:
    """Fresh databases of one kind (sqlite files, or databases of a throwaway cluster), each a
    copy of a migrated and seeded template."""

    def __init__(self, kind: str, workdir: Path, cluster: postgres.Cluster | None) -> None:
        self.kind, self.workdir, self.cluster = kind, workdir, cluster
        self.template: str | None = None

    def _sqlite_path(self, name: str) -> Path:
        return self.workdir / f"{name}.sqlite"

    def fresh(self, name: str, env: dict) -> str:
        if self.kind == "sqlite":
            if self.template is None:
                self.template = str(self._sqlite_path("template"))
                self._remove(self._sqlite_path("template"))
                build_template({**env, "DATABASE_URL": f"sqlite:///{self.template}"})
            path = self._sqlite_path(name)
            self._remove(path)
            shutil.copyfile(self.template, path)
            return f"sqlite:///{path}"
        if self.template is None:
            self.template = "bench_template"
            build_template({**env, "DATABASE_URL": self.cluster.create_database(self.template)})
        return self.cluster.create_database(name, template=self.template)

    def drop(self, name: str) -> None:
        if self.kind == "sqlite":
            self._remove(self._sqlite_path(name))
        else:
            self.cluster.drop_database(name)

    @staticmethod
    def _remove(path: Path) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------------
# Measurements


@dataclass
class Run:
    """Everything measured, as a JSON-able tree: {database: {size: {...}}}."""

    started: str
    settings: dict
    figures: dict = field(default_factory=dict)

    def put(self, database: str, size: int | str, key: str, value) -> None:
        self.figures.setdefault(database, {}).setdefault(str(size), {})[key] = value


def app_environment(database_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "SECURITY_PASSWORD_SALT": "bench-salt",
        "TOTP_SECRET": "bench-totp-secret",
        "SURVEY_SUBMIT_RATE_LIMIT": "1000000 per minute",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "PYTHONUNBUFFERED": "1",
    }


def biggest_country(database_url: str) -> str:
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
                result = wrk(app.port, path, seconds=settings.seconds, connections=workers,
                             cookie=cookie)  # fmt: skip
                log(f"  {name} ({workers} workers): p50 {result['p50_ms']:.1f} ms, "
                    f"p99 {result['p99_ms']:.1f} ms, {result['rps']:.1f}/s")  # fmt: skip
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


# ------------------------------------------------------------------------------------------------
# Report


@dataclass(frozen=True)
class Line:
    database: str
    size: str
    measure: str
    app: str
    baseline: str
    ratio: str
    target: str
    verdict: str


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def report_lines(run: Run, settings: Settings) -> list[Line]:
    """The table: one line per figure, its baseline, ratio, target and verdict."""
    lines: list[Line] = []

    def add(db, size, measure, app, baseline="", ratio=None, target="", ok=None):
        verdict = "" if ok is None else ("PASS" if ok else "MISS")
        shown_ratio = _fmt(ratio, 2) if ratio is not None else ""
        lines.append(Line(db, str(size), measure, _fmt(app), _fmt(baseline), shown_ratio,
                          target, verdict))  # fmt: skip

    for db, by_size in run.figures.items():
        sizes = sorted(int(s) for s in by_size if s.isdigit())
        smallest, largest = (sizes[0], sizes[-1]) if sizes else (None, None)
        for size in sizes:
            fig = by_size[str(size)]
            gen = fig.get("generate")
            if gen:
                add(db, size, "generate (s)", gen["seconds"], target=f"{gen['rows']:,} rows")
            for w in settings.workers:
                app, base = fig.get(f"submit app w{w}"), fig.get(f"submit baseline w{w}")
                if app and base:
                    ratio = app["rps"] / base["rps"] if base["rps"] else None
                    add(db, size, f"submit req/s, {w} workers", app["rps"], base["rps"], ratio,
                        ">= 0.50", ratio is not None and ratio >= 0.5)  # fmt: skip
                    ratio = app["p99_ms"] / base["p99_ms"] if base["p99_ms"] else None
                    add(db, size, f"submit p99 ms, {w} workers", app["p99_ms"], base["p99_ms"],
                        ratio, "< 2", ratio is not None and ratio < 2)  # fmt: skip
                    if "drain_seconds" in app:
                        add(db, size, f"submit: waiting to be filed after the load / filed "
                            f"after (s), {w} workers", f"{app['waiting_after_load']:,}",
                            _fmt(app["drain_seconds"]), None, "all filed",
                            app["left_unfiled"] == 0)  # fmt: skip
            for w in settings.workers:
                base = fig.get(f"baseline group-by w{w}")
                yardstick = fig.get(f"yardstick w{w}")
                first_fig = by_size[str(smallest)]
                for name in PAGES:
                    page = fig.get(f"page {name} w{w}")
                    if not page or "p50_ms" not in page:
                        continue
                    largest_here = size == largest and size != smallest
                    ratio = page["p50_ms"] / base["p50_ms"] if base else None
                    add(db, size, f"{name} p50 ms / GROUP BY, {w} workers", page["p50_ms"],
                        base["p50_ms"] if base else None, ratio,
                        "<= 1" if largest_here else "",
                        ratio <= 1 if largest_here and ratio is not None else None)  # fmt: skip
                    first = first_fig.get(f"page {name} w{w}") or {}
                    first_yardstick = first_fig.get(f"yardstick w{w}") or {}
                    if largest_here and first.get("p50_ms") and yardstick and first_yardstick:
                        growth = page["p50_ms"] / first["p50_ms"]
                        machine = yardstick["p50_ms"] / first_yardstick["p50_ms"]
                        net = growth / machine
                        add(db, size, f"{name} growth from {smallest:,}, {w} workers", growth,
                            machine, net, "<= 1.5", net <= 1.5)  # fmt: skip
                if base:
                    add(db, size, f"baseline GROUP BY p50 ms, {w} workers", base["p50_ms"])
            pandas = fig.get("export pandas")
            for name in EXPORTS:
                export = fig.get(f"export {name}")
                if not export:
                    continue
                if export["status"] != 200:
                    add(db, size, f"{name} export", f"HTTP {export['status']}")
                    continue
                ratio = export["seconds"] / pandas["seconds"] if pandas and name == "CSV" else None
                add(db, size, f"{name} export s", export["seconds"],
                    pandas["seconds"] if name == "CSV" and pandas else "", ratio,
                    "<= 1.5" if name == "CSV" else "", ratio <= 1.5 if ratio else None)  # fmt: skip
                add(db, size, f"{name} export peak RSS MiB", export["peak_rss_mib"],
                    pandas["peak_rss_mib"] if name == "CSV" and pandas else "", None,
                    "< 400" if name == "CSV" else "",
                    export["peak_rss_mib"] < 400 if name == "CSV" else None)  # fmt: skip
            soak = fig.get("soak")
            if soak:
                ok = (
                    soak["stored"] == soak["accepted"]
                    and soak.get("left_unfiled", 0) == 0
                    and soak["2xx"] == 0
                    and soak["5xx"] == 0
                    and soak["database_is_locked"] == 0
                    and soak["failed_connections"] == 0
                )
                stored = f"{soak['stored']:,} / {soak['accepted']:,}"
                add(db, size, f"soak {soak['seconds']:.0f} s, 4 workers: stored / 303 answers",
                    stored, "", None, "equal", ok)  # fmt: skip
                add(db, size, "soak: 5xx, 'database is locked', re-shown forms",
                    f"{soak['5xx']}, {soak['database_is_locked']}, {soak['2xx']}", "", None,
                    "0, 0, 0", ok)  # fmt: skip
                if "drain_seconds" in soak:
                    add(db, size, "soak: waiting to be filed at its end / filed after (s)",
                        f"{soak['waiting_after_load']:,}", _fmt(soak["drain_seconds"]), None,
                        "all filed", soak["left_unfiled"] == 0)  # fmt: skip
    return lines


def render_table(lines: Sequence[Line], markdown: bool = False) -> str:
    headers = Line("database", "responses", "measure", "app", "baseline", "ratio", "target", "")
    rows = [asdict(headers).values(), *(asdict(line).values() for line in lines)]
    rows = [list(r) for r in rows]
    if markdown:
        out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
        out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(out)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


# ------------------------------------------------------------------------------------------------


@contextmanager
def cluster_for(kind: str) -> Iterator[postgres.Cluster | None]:
    if kind != "postgresql":
        with nullcontext(None) as nothing:
            yield nothing
        return
    with postgres.postgres_cluster() as cluster:
        yield cluster


def bench_database(run: Run, settings: Settings, kind: str) -> None:
    reason = postgres.available() if kind == "postgresql" else None
    if reason:
        log(f"{kind}: skipped ({reason})")
        run.put(kind, "skipped", "reason", reason)
        return
    with cluster_for(kind) as cluster:
        databases = Databases(kind, settings.workdir, cluster)
        for size in settings.sizes:
            name = f"bench_{size}"
            logs = settings.workdir / f"{kind}-{size}"
            shutil.rmtree(logs, ignore_errors=True)
            logs.mkdir(parents=True)
            log(f"{kind}, {size:,} responses: generating")
            url = databases.fresh(name, app_environment(""))
            generated = generate.generate(url, size)
            run.put(kind, size, "generate", {
                "seconds": generated.seconds, "rows": generated.rows,
                "practices": generated.practices, "by_status": generated.by_status})  # fmt: skip
            log(f"  {generated.rows:,} rows in {generated.seconds:.1f} s")
            if "pages" in settings.measures:
                measure_pages(run, settings, kind, size, url, logs)
            if "exports" in settings.measures:
                measure_exports(run, kind, size, url, logs, settings.workdir)
            if "submits" in settings.measures:
                measure_submits(run, settings, kind, size, url, logs)
            soak = "soak" in settings.measures and settings.soak_seconds
            if soak and size == max(settings.sizes):
                measure_soak(run, settings, kind, size, url, logs)
            save(run, settings)
            databases.drop(name)


def save(run: Run, settings: Settings) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / run.started.replace(":", "")
    stem.with_suffix(".json").write_text(json.dumps(asdict(run), indent=1))
    lines = report_lines(run, settings)
    stem.with_suffix(".md").write_text(render_table(lines, markdown=True) + "\n")
    return stem


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    settings = Settings.from_environment()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `apt-get install -y wrk` (make bench does it)")
    settings.workdir.mkdir(parents=True, exist_ok=True)
    run = Run(
        started=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        settings={k: str(v) for k, v in asdict(settings).items()},
    )
    log(f"bench: {settings}")
    try:
        for kind in settings.databases:
            bench_database(run, settings, kind)
    finally:
        stem = save(run, settings)
        print(render_table(report_lines(run, settings)))
        print(f"\nraw results: {stem}.json, table: {stem}.md")


if __name__ == "__main__":
    main()
