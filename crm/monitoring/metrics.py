"""The gauges a scrape of ``/metrics`` reads from the database at that moment
(docs/deploy.md#watch): responses waiting to be filed and the age of the oldest, emails per
status and the age of the longest due, the newest worker heartbeat's age and the workers
beating, countries per program and readiness state as last recorded. A few index reads: cheap
at a million responses.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from crm.core.columns import utcnow
from crm.core.extensions import db
from crm.monitoring import queries

logger = logging.getLogger(__name__)
#: A worker counts as beating when its latest beat is this recent.
LIVE_WORKER = timedelta(minutes=1)


def _age(since: datetime | None, now: datetime) -> float:
    return 0.0 if since is None else max(0.0, (now - since).total_seconds())


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class DatabaseCollector(Collector):
    """Gauges from the database, collected on each scrape (needs an app context)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Yield every gauge; the read ends (rolled back) before returning. When the database
        fails to answer, only ``crm_database_up`` 0 (the error's type is logged)."""
        now = utcnow()
        try:
            gauges = [
                *self._queue_gauges(now),
                *self._worker_gauges(now),
                self._readiness_gauge(),
            ]
        except SQLAlchemyError as error:
            logger.warning("metrics: the database did not answer (%s)", type(error).__name__)
            gauges = []
        finally:
            db.session.rollback()
        yield _gauge(
            "crm_database_up", "1 when the database answered this scrape.", int(bool(gauges))
        )
        yield from gauges

    @staticmethod
    def _queue_gauges(now: datetime) -> Iterator[GaugeMetricFamily]:
        yield _gauge(
            "crm_responses_waiting",
            "Survey responses stored and not yet filed by a worker.",
            queries.waiting_responses(),
        )
        yield _gauge(
            "crm_responses_oldest_waiting_age_seconds",
            "Age of the oldest response waiting to be filed (0 when none waits).",
            _age(queries.oldest_waiting_response(), now),
        )
        emails = GaugeMetricFamily(
            "crm_outbox_messages",
            "Emails in the outbox per status (sent ones are not counted).",
            labels=["status"],
        )
        for status, count in sorted(queries.outbox_counts().items()):
            emails.add_metric([status], count)
        yield emails
        yield _gauge(
            "crm_outbox_oldest_due_age_seconds",
            "How long the longest-due email has been due (0 when none is).",
            _age(queries.oldest_due_email(now), now),
        )

    @staticmethod
    def _worker_gauges(now: datetime) -> Iterator[GaugeMetricFamily]:
        beat = queries.newest_heartbeat()
        yield _gauge(
            "crm_worker_heartbeat_age_seconds",
            "Seconds since a worker last went round its loop (-1: no worker ever ran).",
            -1.0 if beat is None else _age(beat, now),
        )
        yield _gauge(
            "crm_workers_beating",
            "Workers whose latest heartbeat is less than a minute old.",
            queries.workers_beating_since(now - LIVE_WORKER),
        )

    @staticmethod
    def _readiness_gauge() -> GaugeMetricFamily:
        family = GaugeMetricFamily(
            "crm_readiness_countries",
            "Countries per program and readiness state, as last recorded.",
            labels=["program", "state"],
        )
        for (program, state), count in sorted(queries.readiness_counts().items()):
            family.add_metric([program, state], count)
        return family
