"""Alerts (issue 9): the idempotent daily job, email digests, reading, and country owners."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from crm import audit, outbox
from crm.alerts import AlertCandidate, find_alerts, reading_order
from crm.auth import has_level
from crm.clock import org_today
from crm.extensions import db
from crm.invitations import public_url
from crm.jobs import daily_job
from crm.models import Alert, Country, User
from crm.models._types import utcnow
from crm.operations.errors import InvalidInput

logger = logging.getLogger(__name__)

#: Most alerts one digest lists (the newest); the in-app list has them all.
DIGEST_LIMIT = 100


@dataclass(frozen=True)
class AlertRun:
    """What one run of the alerts job did."""

    created: int
    digests: int


def store_alerts(candidates: list[AlertCandidate]) -> list[Alert]:
    """Add the candidates not stored yet (by user and key); returns the rows added. Two jobs
    running at once cannot add one twice: the key is unique per user."""
    known = set(
        db.session.execute(
            select(Alert.user_id, Alert.key).where(
                Alert.user_id.in_(sorted({c.user_id for c in candidates}))
            )
        ).all()
    )
    added = []
    for candidate in candidates:
        if (candidate.user_id, candidate.key) in known:
            continue
        known.add((candidate.user_id, candidate.key))
        alert = Alert(
            user_id=candidate.user_id,
            kind=candidate.kind,
            key=candidate.key,
            country_code=candidate.country_code,
            params=candidate.params,
        )
        try:
            with db.session.begin_nested():
                db.session.add(alert)
        except IntegrityError:
            continue
        added.append(alert)
    return added


def digest_period(frequency: str, today: date) -> str:
    """The period a digest covers: the day (daily) or the ISO week (weekly)."""
    if frequency == "weekly":
        year, week, _weekday = today.isocalendar()
        return f"{year}-W{week:02d}"
    return today.isoformat()


def queue_digests(today: date, now: datetime) -> int:
    """Queue one email per user who takes a daily or weekly digest and has unread alerts not
    sent in a digest yet, in the user's language; at most one per user and period (a day, or
    an ISO week), so running twice sends nothing twice. Returns the number queued."""
    users = db.session.scalars(
        select(User)
        .where(User.active.is_(True), User.digest.in_(("daily", "weekly")))
        .order_by(User.id)
    ).all()
    queued = 0
    for user in users:
        alerts = db.session.scalars(
            select(Alert)
            .where(Alert.user_id == user.id, Alert.digested_at.is_(None), Alert.read_at.is_(None))
            .order_by(Alert.created_at.desc(), Alert.id.desc())
            .limit(DIGEST_LIMIT)
        ).all()
        if not alerts:
            continue
        message = outbox.queue_email(
            "digest",
            user.email,
            user.locale,
            "digest",
            dedupe_key=f"digest:{user.id}:{digest_period(user.digest, today)}",
            alerts=reading_order(alerts, user.locale, newest_first=False),
            alerts_url=public_url("alerts.index"),
            account_url=public_url("account.index"),
            frequency=user.digest,
        )
        if message is None:  # this period's digest went out already; these wait for the next
            continue
        for alert in alerts:
            alert.digested_at = now
        queued += 1
    return queued


@daily_job("alerts")
def run_alerts(now: datetime | None = None) -> AlertRun:
    """Find and store today's alerts, then queue the digests; the caller commits. Idempotent:
    a second run the same day adds and sends nothing. ``now`` is UTC (default now)."""
    now = now or utcnow()
    today = org_today(now)
    created = store_alerts(find_alerts(now, today))
    digests = queue_digests(today, now)
    logger.info("alerts: %d new, %d digests queued", len(created), digests)
    return AlertRun(created=len(created), digests=digests)


def mark_read(user: User, alert_ids: list[int] | None = None) -> int:
    """Mark the user's alerts read (all unread ones, or those of ``alert_ids``); returns how
    many changed. Reading one's own alerts is not a staff write: not audited."""
    statement = (
        update(Alert)
        .where(Alert.user_id == user.id, Alert.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if alert_ids is not None:
        statement = statement.where(Alert.id.in_(sorted(set(alert_ids))))
    return db.session.execute(statement).rowcount


def set_country_owner(country: Country, owner_id: int | None) -> Country:
    """Make the staff user ``owner_id`` the country's owner (None: no owner). Raises
    ``InvalidInput`` for an unknown, inactive or viewer-only user. Audited."""
    owner = None
    if owner_id is not None:
        owner = db.session.get(User, owner_id)
        if owner is None or not owner.active or not has_level(owner, "staff"):
            raise InvalidInput("owner", _("Choose one of the options in the list."))
    before = {"owner": country.owner.email if country.owner else None}
    country.owner = owner
    changes = audit.diff(before, {"owner": owner.email if owner else None})
    if changes:
        db.session.flush()
        audit.record("country.owner", "country", country.code, changes, country_code=country.code)
    return country
