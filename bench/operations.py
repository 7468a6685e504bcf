"""Running it for real: how long ``/readyz`` and ``/metrics`` take (docs/deploy.md#watch).
``BENCH_MEASURES=operations``.

Both are asked every few seconds by load balancers and Prometheus, so they must stay cheap at a
million responses: a few index reads, no full scan. Each is measured under wrk with the worker
beating beside the app (so ``/readyz`` runs every check and answers 200), and reported with its
growth from the smallest size to the largest, divided by the CPU yardstick's growth measured
beside it (as the staff pages are).
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.client import http_request
from bench.common import Run, Settings, log
from bench.load import wrk
from bench.servers import Server, Worker, app_environment

APP_TARGET = "app:create_app()"
BASELINE_TARGET = "bench.baseline:app"
#: The endpoints measured.
PATHS = {"readyz": "/readyz", "metrics": "/metrics"}
#: Workers of the app server measured.
WORKERS = 2


def measure_operations(run: Run, settings: Settings, kind: str, size: int, url: str,
                       logs: Path) -> None:  # fmt: skip
    """``/readyz`` and ``/metrics`` under wrk (``WORKERS`` workers, as many connections), and
    the CPU yardstick beside them."""
    env = {**app_environment(url), "METRICS_ALLOW": "127.0.0.1/32"}
    with (
        Server(APP_TARGET, env, WORKERS, logs / "operations.log") as app,
        Server(BASELINE_TARGET, env, WORKERS, logs / "operations-baseline.log") as baseline,
        Worker(env, logs / "operations-worker.log"),
    ):
        ready = _wait_ready(app.port)
        for name, path in PATHS.items():
            status, _headers, body = http_request(app.port, "GET", path)
            wrk(app.port, path, seconds=2, connections=WORKERS)
            result = wrk(app.port, path, seconds=settings.seconds, connections=WORKERS)
            result |= {"status": status, "bytes": len(body), "ready": ready}
            log(f"  {name}: {status}, p50 {result['p50_ms']:.1f} ms, "
                f"p99 {result['p99_ms']:.1f} ms, {result['rps']:.0f}/s")  # fmt: skip
            run.put(kind, size, f"operations {name}", result)
        result = wrk(baseline.port, "/calibrate", seconds=settings.seconds, connections=WORKERS)
        run.put(kind, size, "operations yardstick", result)


def _wait_ready(port: int, seconds: float = 60) -> bool:
    """Wait for the worker's first heartbeat (``/readyz`` 200); False if it never came."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if http_request(port, "GET", "/readyz")[0] == 200:
            return True
        time.sleep(0.5)
    return False


def operations_lines(row, fig: dict, first: dict | None) -> None:
    """Report lines: p50 and p99 of each endpoint; at the largest size, the growth of its p50
    from the smallest size over the yardstick's growth (target: at most 1.5, no full scan)."""
    for name in PATHS:
        found = fig.get(f"operations {name}")
        if not found:
            continue
        row(f"/{name} p50 ms, status {found['status']}", found["p50_ms"],
            target=f"p99 {found['p99_ms']:.1f} ms")  # fmt: skip
        before = (first or {}).get(f"operations {name}")
        yard, yard_before = (
            fig.get("operations yardstick"),
            (first or {}).get("operations yardstick"),
        )
        if before and yard and yard_before:
            growth = (found["p50_ms"] / before["p50_ms"]) / (yard["p50_ms"] / yard_before["p50_ms"])
            row(f"/{name} growth smallest -> largest", growth, target="<= 1.5", ok=growth <= 1.5)
