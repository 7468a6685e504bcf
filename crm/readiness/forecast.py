"""When will a country get there: the pace of new eligible practices and the month it would
reach its threshold at that pace (docs/domain.md#forecast).

Pure like :mod:`crm.readiness.rules`: numbers and days in, a :class:`Forecast` out. The caller
counts the eligible practices a country gained over the window (from the recorded counts,
``crm.readiness.queries.eligible_counts_on``). A forecast is an estimate: it assumes practices
keep coming at the pace of the window, and it says so wherever it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = [
    "MINIMUM_NEW_PRACTICES",
    "WINDOW_MONTHS",
    "Forecast",
    "add_months",
    "forecast",
    "window_start",
]

#: The window the pace is measured over, in months (docs/domain.md#forecast).
WINDOW_MONTHS = 6
#: Fewer new eligible practices than this in the window: "not enough data", no projection.
MINIMUM_NEW_PRACTICES = 3

#: ``basis["status"]`` values.
PROJECTED = "projected"
NOT_ENOUGH_DATA = "not_enough_data"


@dataclass(frozen=True)
class Forecast:
    """A country and program short of its threshold (docs/domain.md#forecast).

    ``pace_per_month``: eligible practices gained per month over the window (net of those that
    stopped being eligible), rounded to two decimals; ``window_months``: the window's length;
    ``projected_month``: ``"YYYY-MM"`` in which the threshold would be reached at that pace, or
    ``None`` with ``status`` ``not_enough_data``; ``basis``: what it rests on, as JSON
    (``status``, ``new_practices``, ``window_start``, ``window_end`` as ISO days, ``eligible``,
    ``threshold``, ``minimum_new_practices``).
    """

    pace_per_month: float
    window_months: int
    projected_month: str | None
    basis: dict[str, object]

    @property
    def enough_data(self) -> bool:
        """Whether a month is projected."""
        return self.projected_month is not None

    def as_dict(self) -> dict[str, object]:
        """The ``forecast`` object of the readiness JSON."""
        return {
            "pace_per_month": self.pace_per_month,
            "window_months": self.window_months,
            "projected_month": self.projected_month,
            "basis": dict(self.basis),
        }


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar ``months`` (negative goes back), the day of the month
    kept where it exists and clamped to the month's last day otherwise (Aug 31 + 1 month =
    Sep 30)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_index = index + 1
    first_of_next = date(next_index // 12, next_index % 12 + 1, 1)
    last_day = (first_of_next - date(year, month, 1)).days
    return date(year, month, min(day.day, last_day))


def window_start(today: date, months: int = WINDOW_MONTHS) -> date:
    """The last day before the window: the window is the ``months`` ending with ``today``
    (organization calendar days), i.e. the days after ``window_start`` up to ``today``."""
    return add_months(today, -months)


def forecast(
    *,
    eligible: int,
    threshold: int,
    gained: int,
    today: date,
    window_months: int = WINDOW_MONTHS,
    minimum: int = MINIMUM_NEW_PRACTICES,
) -> Forecast | None:
    """The forecast of one country and program (docs/domain.md#forecast), ``None`` when
    ``eligible`` already reaches ``threshold``.

    ``gained``: eligible practices gained in the window (today's count minus the count at the
    end of :func:`window_start`); ``today``: the organization's calendar day. With at least
    ``minimum`` gained, the pace is ``gained / window_months`` a month and the projected month
    is the month of ``today`` plus ``ceil((threshold - eligible) / pace)`` months: e.g. on
    2026-12-07, 4 of 6 with 4 gained over 6 months is 0.67 a month, 2 missing take 3 months:
    ``"2027-03"``.
    """
    if eligible >= threshold:
        return None
    basis: dict[str, object] = {
        "status": NOT_ENOUGH_DATA,
        "new_practices": gained,
        "window_start": window_start(today, window_months).isoformat(),
        "window_end": today.isoformat(),
        "eligible": eligible,
        "threshold": threshold,
        "minimum_new_practices": minimum,
    }
    pace = round(max(gained, 0) / window_months, 2)
    if gained < minimum:
        return Forecast(pace, window_months, None, basis)
    # ceil(remaining / (gained / window)) in whole numbers, no float rounding.
    months = -(-(threshold - eligible) * window_months // gained)
    projected = add_months(today.replace(day=1), months)
    basis["status"] = PROJECTED
    return Forecast(pace, window_months, f"{projected.year:04d}-{projected.month:02d}", basis)
