"""``flask outbox send`` and the long-running ``flask worker`` (issue 9).

The worker delivers the outbox every few seconds and runs the daily jobs once a day; the jobs
are idempotent, so a restart or a second worker repeats nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date

import click
from flask import Flask
from flask.cli import AppGroup

from crm import outbox
from crm.clock import org_today
from crm.extensions import db

logger = logging.getLogger(__name__)
outbox_cli = AppGroup("outbox", help="Deliver queued emails.")

#: Jobs run once per organization day by the worker; each must be safe to run twice.
DAILY_JOBS: list[tuple[str, Callable[[], object]]] = []


def daily_job(name: str) -> Callable:
    """Register a function as a daily job of the worker."""

    def register(function: Callable) -> Callable:
        DAILY_JOBS.append((name, function))
        return function

    return register


@outbox_cli.command("send")
def outbox_send() -> None:
    """Deliver every email that is due now, once, then exit."""
    counts = outbox.send_due()
    click.echo(f"Outbox: {counts['sent']} sent, {counts['failed']} failed (will retry).")


def run_daily_jobs() -> None:
    """Run every daily job, each in its own transaction; one failing does not stop the rest."""
    for name, job in DAILY_JOBS:
        try:
            job()
            db.session.commit()
        except Exception:
            db.session.rollback()
            logger.exception("daily job %s failed", name)


@click.command("worker")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between outbox runs.")
@click.option("--once", is_flag=True, help="One round (outbox + daily jobs), then exit.")
def worker_command(interval: float, once: bool) -> None:
    """Deliver the outbox continuously and run the daily jobs once a day."""
    last_daily: date | None = None
    name = outbox.worker_name()
    click.echo(f"Worker {name} started.")
    while True:
        if last_daily != org_today():
            run_daily_jobs()
            last_daily = org_today()
        try:
            outbox.send_due(worker=name)
        except Exception:
            db.session.rollback()
            logger.exception("outbox round failed")
        db.session.remove()
        if once:
            return
        time.sleep(interval)


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(outbox_cli)
    app.cli.add_command(worker_command)
