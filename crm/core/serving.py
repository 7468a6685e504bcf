"""gunicorn's settings for production (docs/deploy.md#serve):

    gunicorn --config python:crm.core.serving "app:create_app()"

- ``BIND`` (default ``127.0.0.1:8000``): where to listen; the reverse proxy forwards there.
- ``WEB_CONCURRENCY`` (default 2): worker processes (sync workers: one request each at a time).
- ``GUNICORN_TIMEOUT`` (default 120 s): a request running longer is killed; an export of a
  million responses takes about 45 s.
- Prometheus counts go to ``PROMETHEUS_MULTIPROC_DIR`` (a fresh folder per start unless set;
  emptied at start), so ``/metrics`` adds up every worker's (``crm.core.metrics``).
- gunicorn's own access log stays off: the app writes one ``crm.access`` line per request,
  without query strings and without the tokens some paths carry (``crm.core.logs``); with
  ``LOG_FORMAT=json`` gunicorn's own messages are JSON lines too.
- ``forwarded_allow_ips`` is empty: only ``TRUSTED_PROXIES`` decides whether forwarded headers
  count (werkzeug's ProxyFix in ``app.trust_proxies``).
- gunicorn's control socket is off: every server of one user would share its one default path
  (``~/.gunicorn/gunicorn.ctl``), the last started taking it from the others; servers are
  reloaded with HUP (``systemctl reload``) instead.

This module is read by the gunicorn master before any worker starts; it imports neither the app
nor ``prometheus_client`` (whose mode is fixed when first imported).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
accesslog = None
forwarded_allow_ips = ""
control_socket_disable = True
#: Tells the app it runs under this configuration (its access lines are then written).
raw_env = ["CRM_ACCESS_LOG=1"]

if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
    # A whole configuration: gunicorn lays it over its defaults key by key, so every handler
    # its defaults name is defined here. Its access log stays silent (the app writes its own).
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "crm.core.logs.json_formatter"}},
        "filters": {"request_id": {"()": "crm.core.logs.RequestIdFilter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["request_id"],
                "stream": "ext://sys.stdout",
            },
        },
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
            # /readyz reads the migrations once per process: no line per plugin Alembic loads
            "alembic": {"level": "WARNING"},
        },
    }

_made_metrics_folder: list[str] = []


def on_starting(server) -> None:
    """Before the workers fork: an empty folder for the workers' Prometheus counts."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()
    else:
        folder = tempfile.mkdtemp(prefix="crm-metrics-")
        _made_metrics_folder.append(folder)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder


def child_exit(server, worker) -> None:
    """A worker ended: its live gauges no longer count (counters and histograms stay)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    """The folder made at start goes with the server."""
    for folder in _made_metrics_folder:
        shutil.rmtree(folder, ignore_errors=True)
