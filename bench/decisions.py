"""The decision-support measure (``BENCH_MEASURES=decisions``): the IQSG dashboard narrowed by
its filters and the what-if API, under wrk beside the baseline's GROUP BY and the CPU yardstick
measured in the same run on the same database (docs/decisions.md#dashboard-cost).

- ``dashboard, filtered``: ``GET /staff/dashboard/`` with a region, a program, a survey language
  and a period (the region and language of the country with the most practices);
- ``what-if``: ``POST /api/v1/readiness/what-if`` with a bearer token and a body like the API's
  example: QOPI's default threshold 3, one country's threshold, QCP capacity, a privacy review
  approved and an agreement signed (the first on record).

At the largest size each figure is compared with the baseline's GROUP BY (target: at most it)
and with its own figure at the smallest size, net of the machine's yardstick (target: at most
1.5 times).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text

from bench import generate
from bench.client import http_request, login
from bench.common import ROOT, USER_AGENT, VENV_BIN, Run, Settings, log
from bench.load import growth_figures, paired, wrk
from bench.servers import Server, app_environment

APP_TARGET = "app:create_app()"
BASELINE_TARGET = "bench.baseline:app"
JSON_SCRIPT = ROOT / "bench" / "wrk_json.lua"
#: The measures' names, in the table's order.
DECISIONS = ("dashboard, filtered", "what-if")


def dashboard_path(database_url: str) -> str:
    """The dashboard narrowed by every filter: the region and most used survey language of the
    country with the most practices, QOPI, the last 6 months."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        region = conn.execute(text(
            "SELECT c.region FROM practices p JOIN countries c ON c.code = p.country_code "
            "GROUP BY c.code, c.region ORDER BY COUNT(*) DESC LIMIT 1"
        )).scalar()  # fmt: skip
        language = conn.execute(text(
            "SELECT language FROM response_tallies GROUP BY language "
            "ORDER BY SUM(responses) DESC LIMIT 1"
        )).scalar()  # fmt: skip
    engine.dispose()
    query = {"region": region or "", "program": "QOPI", "language": language or "", "period": "6"}
    return "/staff/dashboard/?" + urlencode(query)


def what_if_body(database_url: str) -> dict:
    """A what-if body like the API's example, naming records of this database."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        country = conn.execute(text(
            "SELECT country_code FROM practices GROUP BY country_code "
            "ORDER BY COUNT(*) DESC LIMIT 1"
        )).scalar()  # fmt: skip
        review = conn.execute(text("SELECT MIN(id) FROM privacy_reviews")).scalar()
        agreement = conn.execute(text("SELECT MIN(id) FROM country_agreements")).scalar()
    engine.dispose()
    return {
        "thresholds": {"QOPI": 3},
        "country_thresholds": {country: {"QOPI": 4}} if country else {},
        "qcp_capacity": 8,
        "privacy_reviews_approved": [review] if review else [],
        "agreements_signed": [{"id": agreement, "expires_on": "2029-12-31"}] if agreement else [],
    }


def api_token(env: dict) -> str:
    """A new API token for the bench's staff account (``flask tokens create``)."""
    completed = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "app", "tokens", "create", "--email",
         generate.STAFF_EMAIL, "--label", "bench decisions"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return completed.stdout.strip().splitlines()[-1]


def wrk_json(port: int, path: str, body: Path, token: str, *, seconds: int, connections: int):
    """One wrk run posting ``body`` as JSON with the bearer ``token``; figures as
    :func:`bench.load.wrk` gives them."""
    command = [
        "wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "60s",
        "-s", str(JSON_SCRIPT), "-H", f"User-Agent: {USER_AGENT}",
        "-H", f"Authorization: Bearer {token}", f"http://127.0.0.1:{port}{path}", "--", str(body),
    ]  # fmt: skip
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("BENCH-JSON "))
    result = json.loads(line.removeprefix("BENCH-JSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["p50_ms"], result["p99_ms"] = result["p50_us"] / 1000, result["p99_us"] / 1000
    return result


def measure_decisions(run: Run, settings: Settings, kind: str, size: int, url: str, logs: Path):
    """The filtered dashboard and the what-if per worker count, then the baseline's GROUP BY
    and the yardstick on the same database."""
    env = app_environment(url)
    path = dashboard_path(url)
    body = logs / "what-if.json"
    body.write_text(json.dumps(what_if_body(url)))
    token = api_token(env)
    for workers in settings.workers:
        with (
            Server(APP_TARGET, env, workers, logs / "app.log") as app,
            Server(BASELINE_TARGET, env, workers, logs / "baseline.log") as baseline,
        ):
            cookie = login(app.port, generate.STAFF_EMAIL)
            status, _headers, _body = http_request(app.port, "GET", path, headers={
                "Cookie": cookie})  # fmt: skip
            status_api, _headers, answer = http_request(
                app.port, "POST", "/api/v1/readiness/what-if", body.read_bytes(),
                {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )  # fmt: skip
            for name, answered in zip(DECISIONS, (status, status_api), strict=True):
                if answered != 200:
                    log(f"  {name}: answered {answered}, not measured {answer[:200]!r}")
                    run.put(kind, size, f"decisions {name} w{workers}", {"status": answered})
            yardstick = partial(wrk, baseline.port, "/calibrate", connections=workers)
            if status == 200:
                wrk(app.port, path, seconds=2, connections=workers, cookie=cookie)
                result = paired(
                    partial(wrk, app.port, path, connections=workers, cookie=cookie),
                    yardstick,
                    settings.seconds,
                )
                _put(run, kind, size, f"dashboard, filtered w{workers}", result)
            if status_api == 200:
                api = "/api/v1/readiness/what-if"
                wrk_json(app.port, api, body, token, seconds=2, connections=workers)
                result = paired(
                    partial(wrk_json, app.port, api, body, token, connections=workers),
                    yardstick,
                    settings.seconds,
                )
                _put(run, kind, size, f"what-if w{workers}", result)
            wrk(baseline.port, "/counts", seconds=2, connections=workers)
            result = wrk(baseline.port, "/counts", seconds=settings.seconds, connections=workers)
            _put(run, kind, size, f"baseline group-by w{workers}", result)
            result = wrk(baseline.port, "/calibrate", seconds=settings.seconds,
                         connections=workers)  # fmt: skip
            _put(run, kind, size, f"yardstick w{workers}", result)


def _put(run: Run, kind: str, size: int, name: str, result: dict) -> None:
    log(f"  decisions, {name}: p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
        f"{result['rps']:.1f}/s, statuses {result['statuses']}")  # fmt: skip
    run.put(kind, size, f"decisions {name}", result)


def decision_lines(
    row: Callable[..., None],
    fig: dict,
    workers: Sequence[int],
    smallest: int,
    growth_from: dict | None,
) -> None:
    """The table's lines of this measure: each p50 against the baseline's GROUP BY measured
    beside it (at most 1 at the largest size) and, at the largest size (``growth_from``: the
    smallest size's figures), its growth since the smallest net of the yardstick's (at most
    1.5)."""
    for w in workers:
        base = fig.get(f"decisions baseline group-by w{w}")
        yardstick = fig.get(f"decisions yardstick w{w}")
        for name in DECISIONS:
            measured = fig.get(f"decisions {name} w{w}")
            if not measured or not measured.get("p50_ms"):  # refused, or nothing answered in time
                if measured:
                    row(f"{name}, {w} workers", f"HTTP {measured.get('status', 'none')}")
                continue
            largest = growth_from is not None
            ratio = measured["p50_ms"] / base["p50_ms"] if base and base.get("p50_ms") else None
            row(f"{name} p50 ms / GROUP BY, {w} workers", measured["p50_ms"],
                base["p50_ms"] if base else None, ratio, "<= 1" if largest else "",
                ratio <= 1 if largest and ratio is not None else None)  # fmt: skip
            if not largest:
                continue
            first = growth_from.get(f"decisions {name} w{w}") or {}
            first_yardstick = growth_from.get(f"decisions yardstick w{w}") or {}
            figures = growth_figures(measured, first, yardstick, first_yardstick)
            if figures:
                growth, machine, net = figures
                row(f"{name} growth from {smallest:,}, {w} workers", growth, machine, net,
                    "<= 1.5", net <= 1.5)  # fmt: skip
