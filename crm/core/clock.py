"""The organization's calendar: "today" is a day in ``ORG_TIMEZONE``, not the server's
(``docs/domain.md#dates``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "America/New_York"

#: The days a person may enter anywhere (forms, filters, the API). Wide enough for any real
#: agreement or survey; it keeps "day + 1" and time-zone conversions inside Python's calendar,
#: which a 9999-12-31 typed into a filter would overflow.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)


def within_calendar(day: date) -> bool:
    """Whether ``day`` lies between EARLIEST_DAY and LATEST_DAY, both included."""
    return EARLIEST_DAY <= day <= LATEST_DAY


def org_timezone() -> ZoneInfo:
    """The organization's time zone from ``ORG_TIMEZONE`` (the default outside an app context).

    Raises ``zoneinfo.ZoneInfoNotFoundError`` when the setting names no known zone.
    """
    name = current_app.config.get("ORG_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_TIMEZONE)


def org_today(now: datetime | None = None) -> date:
    """The organization's calendar day at the instant ``now`` (timezone-aware; default: now).

    An agreement counts through its expiry day in this calendar (``docs/domain.md#pipeline``).
    """
    instant = now or datetime.now(UTC)
    return instant.astimezone(org_timezone()).date()


def org_day_start(day: date) -> datetime:
    """The UTC instant at which the organization's calendar ``day`` begins."""
    return datetime.combine(day, time.min, tzinfo=org_timezone()).astimezone(UTC)
