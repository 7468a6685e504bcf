"""Running the long steps of an import — checking every row, committing them — a chunk at a
time with their progress on the batch (docs/decisions.md#import-chunks).

A file of up to ``IMPORT_INLINE_ROWS`` rows is worked through in the request itself; a larger
one in a thread of the web process, its progress shown by the preview page (each chunk commits
and says how far it got). A step whose thread stopped (the process restarted) is taken up
again from the page: checking starts over, committing goes on where it stopped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, current_app

from crm.audit import operations as audit
from crm.core.errors import without_values
from crm.core.extensions import db
from crm.data.imports import checking, committing, undoing
from crm.data.models import WORKING_STATUSES, ImportBatch

logger = logging.getLogger(__name__)
#: A step whose progress has not moved for this long is taken as stopped.
STALLED_AFTER = timedelta(minutes=2)
DEFAULT_INLINE_ROWS = 1000


def _progress(batch_id: int, step: str) -> Callable[[int, int], None]:
    """The callback a step calls after each chunk: commit the chunk with its progress, and
    where the chunk before it ended (for :func:`time_left`)."""
    previous = {"previous_done": 0, "previous_at": datetime.now(UTC).isoformat()}

    def report(done: int, total: int) -> None:
        batch = db.session.get(ImportBatch, batch_id)
        updated_at = datetime.now(UTC).isoformat()
        batch.progress = {"step": step, "done": done, "total": total, **previous,
                          "updated_at": updated_at}  # fmt: skip
        previous.update(previous_done=done, previous_at=updated_at)
        db.session.commit()

    return report


def time_left(progress: Mapping[str, Any], now: datetime) -> timedelta | None:
    """How much longer the step under way should take, at the pace of its last chunk: the
    time from ``previous_at`` to ``updated_at`` (ISO UTC, in ``progress``) for the rows from
    ``previous_done`` to ``done``, over the rows left, less the time since ``updated_at``
    (``now``, aware UTC). The last chunk, not the whole run: a resumed commit passes the rows
    stored before quickly, and so do rows skipped for errors. None before the first chunk is
    done or once every row is (docs/domain.md#imports)."""
    done, total = progress.get("done", 0), progress.get("total", 0)
    since = progress.get("previous_done", 0)
    if not (since < done < total and "previous_at" in progress and "updated_at" in progress):
        return None
    updated = datetime.fromisoformat(progress["updated_at"])
    spent = updated - datetime.fromisoformat(progress["previous_at"])
    return max(spent * ((total - done) / (done - since)) - (now - updated), timedelta(0))


def run_check(batch_id: int) -> None:
    """Check every row of the batch (status ``checking`` → ``previewed``), committing each
    chunk; a failure puts the batch back to ``mapped`` with the error in its progress."""
    batch = db.session.get(ImportBatch, batch_id)
    try:
        checking.check_import(batch, on_chunk=_progress(batch_id, "check"))
        batch.progress = {}
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        logger.error("checking import %s failed: %s", batch_id, without_values(error))
        batch = db.session.get(ImportBatch, batch_id)
        batch.status, batch.progress = "mapped", {"error": "check_failed"}
        db.session.commit()


def run_commit(batch_id: int) -> None:
    """Commit the batch's rows (status ``committing`` → ``committed``), a chunk per
    transaction; a failure undoes what was stored and puts the batch back to ``previewed``
    with the error in its progress: all or nothing."""
    batch = db.session.get(ImportBatch, batch_id)
    try:
        committing.commit_rows(batch, on_chunk=_progress(batch_id, "commit"))
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        logger.error("committing import %s failed: %s", batch_id, without_values(error))
        _take_back(batch_id)


def _take_back(batch_id: int) -> None:
    """After a failed commit: remove the rows stored so far, back to ``previewed``."""
    undoing.withdraw_failed_commit(db.session.get(ImportBatch, batch_id))
    db.session.commit()


def launch(batch: ImportBatch, step: str) -> None:
    """Run ``step`` (``check`` or ``commit``) of the batch: in this request for a small file,
    else in a thread of this process. The batch's status says the step has begun (the caller
    committed it)."""
    run = run_check if step == "check" else run_commit
    rows = batch.reading.get("rows", 0)
    if rows <= current_app.config.get("IMPORT_INLINE_ROWS", DEFAULT_INLINE_ROWS):
        run(batch.id)
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    actor = audit.current_actor()
    threading.Thread(target=_in_app, args=(app, actor, run, batch.id), daemon=True,
                     name=f"import-{step}-{batch.id}").start()  # fmt: skip


def _in_app(
    app: Flask, actor: tuple[int | None, str], run: Callable[[int], None], batch_id: int
) -> None:
    with app.app_context():
        audit.acting_for(actor)
        try:
            run(batch_id)
        finally:
            db.session.remove()


def stalled(batch: ImportBatch, now: datetime | None = None) -> bool:
    """Whether a step under way has made no progress for STALLED_AFTER (its thread stopped)."""
    if batch.status not in WORKING_STATUSES:
        return False
    updated = batch.progress.get("updated_at")
    moment = datetime.fromisoformat(updated) if updated else batch.updated_at
    return (now or datetime.now(UTC)) - moment > STALLED_AFTER
