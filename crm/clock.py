"""The organization's calendar: "today" in its time zone (SPEC §2), never the server's."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app


def org_timezone() -> ZoneInfo:
    """The organization's time zone, from ``ORG_TIMEZONE`` (e.g. ``America/New_York``)."""
    return ZoneInfo(current_app.config["ORG_TIMEZONE"])


def org_today(now: datetime | None = None) -> date:
    """The organization's calendar day at ``now`` (a timezone-aware instant; default: now)."""
    return (now or datetime.now(UTC)).astimezone(org_timezone()).date()


def org_day_start(day: date) -> datetime:
    """The UTC instant at which the organization's calendar ``day`` begins."""
    return datetime.combine(day, time.min, tzinfo=org_timezone()).astimezone(UTC)
