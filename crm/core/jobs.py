"""The background-job registry: jobs register here, the worker runs them.

Domains register their daily jobs with :func:`daily_job`; the worker loop (``crm.worker``)
runs them once per organization day. Kept low, so a domain's jobs never import the worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from crm.core.errors import without_values
from crm.core.extensions import db

logger = logging.getLogger(__name__)

#: Jobs run once per organization day by the worker; each must be safe to run twice.
DAILY_JOBS: list[tuple[str, Callable[[], object]]] = []


def daily_job(name: str) -> Callable:
    """Register a function as a daily job of the worker."""

    def register(function: Callable) -> Callable:
        DAILY_JOBS.append((name, function))
        return function

    return register


def run_daily_jobs() -> None:
    """Run every daily job, each in its own transaction; one failing does not stop the rest."""
    for name, job in DAILY_JOBS:
        try:
            job()
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            logger.error("daily job %s failed: %s", name, without_values(error))
