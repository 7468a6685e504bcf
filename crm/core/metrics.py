"""Prometheus metrics through ``prometheus_client`` (docs/deploy.md#watch,
docs/decisions.md#metrics): the request histogram every response adds to, the counters a domain
increments, the text a scrape gets, and who may scrape.

Under gunicorn the serving configuration (``crm.core.serving``) sets
``PROMETHEUS_MULTIPROC_DIR`` before any worker starts: each worker then writes its counts to
files there, and a scrape answered by any worker adds them all up (``MultiProcessCollector``).
Elsewhere (``flask run``, tests) the counts live in the process.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Iterable

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.registry import Collector

#: Seconds: from a cached page to an export of a million rows.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
#: HTTP methods named as themselves in the ``method`` label; any other is ``other``.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_SECONDS = Histogram(
    "crm_http_request_duration_seconds",
    "Time to answer a request, by endpoint (Flask's name of the view), method and status.",
    ["endpoint", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
SURVEY_SUBMITS = Counter(
    "crm_survey_submits",
    "Survey responses received, by source (web, import, api) and result (stored, duplicate: "
    "a submission token seen before, nothing stored).",
    ["source", "result"],
)


def _started() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.pop("metrics_started", None)
    if started is not None:
        method = request.method if request.method in METHODS else "other"
        REQUEST_SECONDS.labels(
            endpoint=request.endpoint or "none", method=method, status=str(response.status_code)
        ).observe(time.perf_counter() - started)
    return response


def exposition(collectors: Iterable[Collector] = ()) -> tuple[bytes, str]:
    """The Prometheus text of every process's counts (all gunicorn workers' in multiprocess
    mode) and of ``collectors`` (collected now, in this process); with its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    extra = CollectorRegistry(auto_describe=False)
    for collector in collectors:
        extra.register(collector)
    return text + generate_latest(extra), CONTENT_TYPE_LATEST


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _address_allowed(address: str | None, allowed: Iterable[str]) -> bool:
    if not address:
        return False
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(client in ipaddress.ip_network(entry, strict=False) for entry in allowed)


def refusal(token: str, allowed: Iterable[str]) -> int | None:
    """Why this request may not read the metrics: None when it bears the bearer ``token``
    (``METRICS_TOKEN``) or comes from an address or network of ``allowed``
    (``METRICS_ALLOW``, the client's address as ``TRUSTED_PROXIES`` tells it); else 401 when a
    token is set (none or a wrong one was sent), 403 when none is."""
    sent = _bearer_token()
    if token and sent and hmac.compare_digest(sent.encode(), token.encode()):
        return None
    if _address_allowed(request.remote_addr, allowed):
        return None
    return 401 if token else 403


def init_app(app: Flask) -> None:
    """Time every request into :data:`REQUEST_SECONDS`."""
    app.before_request(_started)
    app.after_request(_observe)
