"""The organization's calendar: "today" is a day in ``ORG_TIMEZONE``, not the server's (SPEC §2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "America/New_York"


def org_timezone() -> ZoneInfo:
    """The organization's time zone from ``ORG_TIMEZONE`` (the default outside an app context).

    Raises ``zoneinfo.ZoneInfoNotFoundError`` when the setting names no known zone.
    """
    name = current_app.config.get("ORG_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_TIMEZONE)


def org_today(now: datetime | None = None) -> date:
    """The organization's calendar day at the instant ``now`` (timezone-aware; default: now).

    An agreement counts through its expiry day in this calendar (SPEC §2).
    """
    instant = now or datetime.now(UTC)
    return instant.astimezone(org_timezone()).date()


def org_day_start(day: date) -> datetime:
    """The UTC instant at which the organization's calendar ``day`` begins."""
    return datetime.combine(day, time.min, tzinfo=org_timezone()).astimezone(UTC)
