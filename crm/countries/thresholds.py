"""Thresholds and the programs' defaults (docs/domain.md#thresholds, docs/domain.md#capacity): a
country's override of a launch program's threshold, and the defaults and QCP capacity admins set.

Like ``operations.py``: each operation validates, writes, records its audit event with old and
new values, tells readiness recording which countries changed, flushes and returns; the caller
commits once. Input the database would reject raises :class:`crm.core.errors.InvalidInput`
before anything is written.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import select

from crm.audit import operations as audit
from crm.core.errors import InvalidInput
from crm.core.events import notify_country_changed
from crm.core.extensions import db
from crm.countries.models import Country, CountryThreshold, Program
from crm.countries.validation import actor_name, clean_text
from crm.readiness.queries import readiness_board
from crm.readiness.rules import PROGRAMS_WITH_LAUNCH

logger = logging.getLogger(__name__)

#: Thresholds and capacities are whole numbers in this range (CHECK constraints agree).
COUNT_RANGE = (1, 1000)


def _count(value: object, field: str) -> int:
    low, high = COUNT_RANGE
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(
            field, _("Enter a whole number from %(low)d to %(high)d.", low=low, high=high)
        )
    return value


def _launch_program(code: str, field: str = "program") -> Program:
    program = db.session.get(Program, code) if code in PROGRAMS_WITH_LAUNCH else None
    if program is None:
        raise InvalidInput(field, _("Thresholds exist only for QOPI and QCP."))
    return program


def _override(country: Country, program: Program) -> CountryThreshold | None:
    return db.session.scalar(
        select(CountryThreshold).where(
            CountryThreshold.country_code == country.code,
            CountryThreshold.program_code == program.code,
        )
    )


def set_threshold(
    country: Country, program_code: str, min_eligible_practices: int, reason: str | None = None
) -> CountryThreshold:
    """Override a launch program's threshold (eligible practices, 1..1000) in one country
    (docs/domain.md#thresholds). Raises ``InvalidInput`` for QTP, an unknown program or a number
    out of range."""
    program = _launch_program(program_code)
    value = _count(min_eligible_practices, "min_eligible_practices")
    reason = clean_text(reason, "reason", limit=None)
    threshold = _override(country, program)
    before = {}
    if threshold is None:
        threshold = CountryThreshold(country_code=country.code, program_code=program.code)
        db.session.add(threshold)
    else:
        before = {"min_eligible_practices": threshold.min_eligible_practices}
        before["reason"] = threshold.reason
    threshold.min_eligible_practices, threshold.reason = value, reason
    changes = audit.diff(before, {"min_eligible_practices": value, "reason": reason})
    if changes:
        db.session.flush()
        audit.record(
            "threshold.set",
            "country_threshold",
            threshold.id,
            {"program": [program.code, program.code], **changes},
            country_code=country.code,
        )
        notify_country_changed(country.code)
        logger.info("threshold of %s in %s set by %s", program.code, country.code, actor_name())
    return threshold


def clear_threshold(country: Country, program_code: str) -> bool:
    """Remove a country's threshold override so the program default applies again; returns
    False (writing nothing) when there was none. Raises ``InvalidInput`` for QTP or an unknown
    program."""
    program = _launch_program(program_code)
    threshold = _override(country, program)
    if threshold is None:
        return False
    audit.record(
        "threshold.clear",
        "country_threshold",
        threshold.id,
        {
            "program": [program.code, program.code],
            "min_eligible_practices": [threshold.min_eligible_practices, None],
            "reason": [threshold.reason, None],
        },
        country_code=country.code,
    )
    db.session.delete(threshold)
    db.session.flush()
    notify_country_changed(country.code)
    logger.info("threshold of %s in %s cleared by %s", program.code, country.code, actor_name())
    return True


def set_program_defaults(
    program_code: str, *, default_threshold: int, capacity: int | None = None
) -> Program:
    """Set a launch program's default threshold (1..1000) and, for QCP, its capacity (the most
    countries where it may be launched at once, 1..1000; docs/domain.md#thresholds,
    docs/domain.md#capacity). Admins only.

    Every country whose readiness changes with it is notified. Raises ``InvalidInput`` for QTP,
    an unknown program, a number out of range, or a capacity on QOPI.
    """
    program = _launch_program(program_code)
    threshold = _count(default_threshold, "default_threshold")
    if program.code == "QCP":
        capacity = _count(capacity, "capacity")
    elif capacity is not None:
        raise InvalidInput("capacity", _("Only QCP has a capacity."))
    before = {"default_threshold": program.default_threshold, "capacity": program.capacity}
    changes = audit.diff(before, {"default_threshold": threshold, "capacity": capacity})
    if not changes:
        return program
    states_before = {(r.country, r.program): r.state for r in readiness_board()}
    program.default_threshold, program.capacity = threshold, capacity
    db.session.flush()
    audit.record("program.update", "program", program.code, changes)
    notify_country_changed(
        *{r.country for r in readiness_board() if states_before[(r.country, r.program)] != r.state}
    )
    logger.info("defaults of %s changed by %s", program.code, actor_name())
    return program
