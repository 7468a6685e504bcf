"""``flask outbox send``, ``flask outbox retry-failed`` and the long-running ``flask worker``
(docs/architecture.md#worker).

The worker files survey responses waiting for it every second (``crm.responses.intake``,
docs/decisions.md#worker-filing), delivers the outbox every few seconds and runs the daily jobs
once a day; all three are idempotent, so a restart or a second worker repeats nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date, datetime

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError

from crm.core.clock import org_today
from crm.core.columns import utcnow
from crm.core.errors import without_values
from crm.core.extensions import db
from crm.core.jobs import run_daily_jobs
from crm.monitoring import operations as monitoring
from crm.outreach import outbox
from crm.responses.intake import file_pending, latest_response_id, pending_response_ids

logger = logging.getLogger(__name__)
outbox_cli = AppGroup("outbox", help="Deliver queued emails.")


@outbox_cli.command("send")
def outbox_send() -> None:
    """Deliver every email that is due now, once, then exit (docs/decisions.md#retry-policy)."""
    counts = outbox.deliver_due()
    failed = counts["rejected"] + counts["withheld"]
    click.echo(
        f"Outbox: {counts['sent']} sent; {counts['retry']} not delivered yet (mail server "
        f"unreachable or deferring: kept queued and retried later); {failed} failed for good "
        f"({counts['rejected']} rejected by the mail server or not encodable, {counts['withheld']} "
        f"held back)."
    )
    if counts["rejected"]:
        click.echo("`flask outbox retry-failed` queues failed emails again.")


@outbox_cli.command("retry-failed")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Only emails queued on or after this day (YYYY-MM-DD, the organization's calendar). "
    "Default: every failed email, however old.",
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(outbox.KINDS),
    help="Only emails of this kind; repeat for several. Default: every kind.",
)
def outbox_retry_failed(since: datetime | None, kinds: tuple[str, ...]) -> None:
    """Queue failed emails again, due now (audited; docs/decisions.md#retry-policy).

    By default every failed email, of every kind and age: narrow it with --since and --kind
    so an old digest is not sent again blindly. An invitation or reminder whose link has
    expired is held back again at delivery.
    """
    requeued = outbox.retry_failed(since=since.date() if since else None, kinds=kinds)
    db.session.commit()
    click.echo(
        f"Outbox: {requeued} failed emails queued again; `flask outbox send` or the worker "
        "delivers them."
    )


#: Longest a filing transaction runs before it commits: SQLite's single write lock is held that
#: long at most, so a submit arriving meanwhile waits little (docs/decisions.md#worker-filing).
FILING_BATCH_SECONDS = 0.02
#: While submits keep arriving, the worker pauses this many times as long as its last
#: transaction took: it then holds the write lock a quarter of the time at most, and the
#: survey keeps answering at full speed; with no submit arriving it files without pausing.
FILING_YIELD = 3.0


def file_waiting_responses(
    failed: set[int],
    limit: int = 500,
    batch_seconds: float = FILING_BATCH_SECONDS,
    pause: Callable[[float], object] = time.sleep,
) -> int:
    """File the responses waiting for the worker, oldest first; returns how many this call
    filed (docs/decisions.md#worker-filing).

    Each transaction files as many as fit in ``batch_seconds`` (tallies and readiness are
    then applied once per transaction, not per response); between transactions it yields to
    arriving submits (``FILING_YIELD``: ``pause(seconds)``, ``time.sleep`` by default). A
    database error (``OperationalError``) ends the round and is raised. When a transaction
    fails otherwise, its responses are filed again one per transaction: the one whose filing
    raises is logged, rolled back (its raw answers stay stored) and added to ``failed``,
    which later rounds skip, so one bad row never stops the queue or floods the log.
    """
    waiting = pending_response_ids(limit, skip=failed)
    if not waiting:
        db.session.rollback()  # on SQLite the read began a write transaction: end it now
        return 0
    filed, newest_before = 0, None
    while waiting:
        taken: list[int] = []
        started = time.monotonic()
        newest = latest_response_id()  # outside the try: a failing database ends the round
        try:
            done = 0
            for response_id in waiting:
                if taken and time.monotonic() - started >= batch_seconds:
                    break
                taken.append(response_id)
                done += file_pending(response_id)
            db.session.commit()
            filed += done
        except Exception:
            db.session.rollback()
            filed += _file_one_by_one(taken, failed)
        waiting = waiting[len(taken) :]
        submits_arriving = newest_before is not None and newest > newest_before
        newest_before = newest
        if waiting and submits_arriving:
            pause((time.monotonic() - started) * FILING_YIELD)
    return filed


#: Seconds between two heartbeats of a worker (``/readyz`` allows READY_HEARTBEAT_SECONDS).
HEARTBEAT_SECONDS = 5.0


def heartbeat(name: str, last: float | None) -> float | None:
    """Write the worker's heartbeat (``crm.monitoring.operations.beat``) when the last one,
    at ``last`` (``time.monotonic()``), is :data:`HEARTBEAT_SECONDS` old or there was none;
    returns when it last beat. A database error is logged (type and stack only) and leaves
    ``last`` as it was, so the next round tries again."""
    now = time.monotonic()
    if last is not None and now - last < HEARTBEAT_SECONDS:
        return last
    try:
        monitoring.beat(name, utcnow())
    except Exception as error:
        db.session.rollback()
        logger.error("heartbeat failed: %s", without_values(error))
        return last
    return now


def _file_one_by_one(response_ids: list[int], failed: set[int]) -> int:
    """File ``response_ids`` one per transaction; a response whose filing raises is rolled back,
    logged and added to ``failed``. A database error (``OperationalError``) is raised."""
    filed = 0
    for response_id in response_ids:
        try:
            if file_pending(response_id):
                db.session.commit()
                filed += 1
            else:
                db.session.rollback()
        except OperationalError:
            # The database, not the response (locked, gone away): the round ends and the
            # response is tried again in the next one.
            db.session.rollback()
            raise
        except Exception as error:
            db.session.rollback()
            failed.add(response_id)
            logger.error("filing response %s failed: %s", response_id, without_values(error))
    return filed


@click.command("worker")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between outbox runs.")
@click.option(
    "--filing-interval", default=1.0, show_default=True, help="Seconds between filing rounds."
)
@click.option(
    "--batch-seconds",
    default=FILING_BATCH_SECONDS,
    show_default=True,
    help="Longest filing transaction (seconds).",
)
@click.option("--once", is_flag=True, help="One round (filing, outbox, daily jobs), then exit.")
def worker_command(
    interval: float, filing_interval: float, batch_seconds: float, once: bool
) -> None:
    """File waiting survey responses, deliver the outbox and run the daily jobs once per
    organization day (docs/architecture.md#worker)."""
    last_daily: date | None = None
    next_outbox = 0.0
    failed: set[int] = set()
    name = outbox.worker_name()
    click.echo(f"Worker {name} started.")
    beaten: float | None = None
    while True:
        beaten = heartbeat(name, beaten)
        try:
            file_waiting_responses(failed, batch_seconds=batch_seconds)
        except Exception as error:
            db.session.rollback()
            logger.error("filing round failed: %s", without_values(error))
        if last_daily != org_today():
            run_daily_jobs()
            last_daily = org_today()
        if time.monotonic() >= next_outbox:
            try:
                outbox.send_due(worker=name)
            except Exception as error:
                db.session.rollback()
                logger.error("outbox round failed: %s", without_values(error))
            next_outbox = time.monotonic() + interval
        db.session.remove()
        if once:
            return
        time.sleep(filing_interval)


def init_app(app: Flask) -> None:
    """Register ``outbox`` and ``worker`` on ``app.cli`` (docs/architecture.md#interfaces)."""
    app.cli.add_command(outbox_cli)
    app.cli.add_command(worker_command)
