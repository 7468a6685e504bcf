"""Forecasts: the pace of new eligible practices and the month a threshold would be reached
(docs/domain.md#forecast), pure."""

from datetime import date

import pytest

from crm.readiness.forecast import (
    MINIMUM_NEW_PRACTICES,
    WINDOW_MONTHS,
    add_months,
    forecast,
    window_start,
)

TODAY = date(2026, 12, 7)


def test_the_documented_example():
    result = forecast(eligible=4, threshold=6, gained=4, today=TODAY)
    assert result.projected_month == "2027-03"
    assert result.pace_per_month == 0.67
    assert result.window_months == WINDOW_MONTHS == 6
    assert result.basis == {
        "status": "projected",
        "new_practices": 4,
        "window_start": "2026-06-07",
        "window_end": "2026-12-07",
        "eligible": 4,
        "threshold": 6,
        "minimum_new_practices": MINIMUM_NEW_PRACTICES,
    }


@pytest.mark.parametrize(
    ("eligible", "threshold", "gained", "month"),
    [
        (4, 5, 6, "2027-01"),  # one a month: next month
        (0, 5, 30, "2027-01"),  # five a month: reached within a month
        (1, 5, 3, "2027-08"),  # half a month, 4 missing: 8 months
        (2, 10, 12, "2027-04"),  # 2 a month, 8 missing: 4 months
    ],
)
def test_projected_months(eligible, threshold, gained, month):
    assert forecast(eligible=eligible, threshold=threshold, gained=gained,
                    today=TODAY).projected_month == month  # fmt: skip


@pytest.mark.parametrize("gained", [0, 1, MINIMUM_NEW_PRACTICES - 1, -2])
def test_too_few_new_practices_is_not_enough_data(gained):
    result = forecast(eligible=1, threshold=5, gained=gained, today=TODAY)
    assert result.projected_month is None
    assert result.basis["status"] == "not_enough_data"
    assert result.pace_per_month >= 0


def test_no_forecast_once_the_threshold_is_reached():
    assert forecast(eligible=5, threshold=5, gained=10, today=TODAY) is None


def test_the_json_shape():
    result = forecast(eligible=3, threshold=5, gained=4, today=TODAY).as_dict()
    assert set(result) == {"pace_per_month", "window_months", "projected_month", "basis"}


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 12, 7), 1, date(2027, 1, 7)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2026, 1, 15), -13, date(2024, 12, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_window_start_is_six_months_back():
    assert window_start(TODAY) == date(2026, 6, 7)
