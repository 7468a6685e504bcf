"""Dates, times and whole numbers as survey tools and spreadsheets write them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

_SLASH_DATE = re.compile(
    r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?\s*([AaPp][Mm])?)?"
)
DATE_ORDERS = ("dmy", "mdy")


def detect_date_order(values: Iterable[str]) -> str:
    """``dmy`` or ``mdy`` for a column of ``a/b/yyyy`` dates: a first part above 12 means day
    first, a second part above 12 month first; undecided columns are read day first."""
    for value in values:
        match = _SLASH_DATE.fullmatch(value.strip())
        if not match or len(match.group(1)) == 4:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 >= second:
            return "dmy"
        if second > 12 >= first:
            return "mdy"
    return "dmy"


def parse_timestamp(text: str, date_order: str = "dmy") -> datetime | None:
    """A timestamp as written by survey tools, as an aware UTC datetime; None if unreadable.

    ISO 8601 (with or without offset or ``Z``), ``YYYY-MM-DD HH:MM:SS``, ``D/MM/YYYY H:MM:SS``
    (day or month first as ``date_order`` says), two-digit years, AM/PM. Times without a zone
    are read as UTC.
    """
    text = text.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = _parse_slash_date(text, date_order)
    if parsed is None:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _parse_slash_date(text: str, date_order: str) -> datetime | None:
    match = _SLASH_DATE.fullmatch(text)
    if not match:
        return None
    a, b, c, hour, minute, second, meridiem = match.groups()
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    elif date_order == "mdy":
        month, day, year = int(a), int(b), int(c)
    else:
        day, month, year = int(a), int(b), int(c)
    if len(c) <= 2 and len(a) != 4:
        year += 2000 if year < 70 else 1900
    hours = int(hour or 0)
    if meridiem:
        hours = hours % 12 + (12 if meridiem.lower() == "pm" else 0)
    try:
        return datetime(year, month, day, hours, int(minute or 0), int(second or 0))
    except ValueError:
        return None


def parse_whole_number(text: str) -> int | None:
    """``"1,234"``, ``"1.234"``, ``"1 234"``, ``"12"``, ``"12.0"`` → int; None otherwise."""
    compact = re.sub(r"[\s\u00a0\u202f']", "", text)
    if re.fullmatch(r"[+-]?\d{1,3}([.,]\d{3})+", compact):
        return int(re.sub(r"[.,]", "", compact))
    match = re.fullmatch(r"([+-]?\d+)(?:[.,]0+)?", compact)
    return int(match.group(1)) if match else None
