"""A country's pipeline (SPEC §2): availability, privacy reviews, agreements, thresholds, and the
programs' defaults. Each operation validates, writes, records its audit event with old and new
values, tells readiness recording which countries changed, flushes and returns; the caller
commits once.

Input the database would reject raises :class:`crm.operations.errors.InvalidInput` with a message
in the user's language, before anything is written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from crm.audit import operations as audit
from crm.core.clock import org_today
from crm.core.errors import InvalidInput
from crm.core.events import notify_country_changed
from crm.core.extensions import db
from crm.countries.models import (
    AGREEMENT_STATUSES,
    AVAILABILITY_STATUSES,
    REVIEW_STATUSES,
    Availability,
    AvailabilityChange,
    Country,
    CountryAgreement,
    CountryThreshold,
    PrivacyReview,
    Program,
)
from crm.readiness.queries import launched_count, qcp_capacity, readiness_board
from crm.readiness.rules import HOME_COUNTRIES, LAUNCHED_STATUSES, PROGRAMS_WITH_LAUNCH

logger = logging.getLogger(__name__)

#: Thresholds and capacities are whole numbers in this range (CHECK constraints agree).
COUNT_RANGE = (1, 1000)
#: Longest text of the short free-text columns (String(200) in the models).
SHORT_TEXT = 200


# --- validation helpers ---------------------------------------------------------------------------


def _text(value: str | None, field: str, limit: int | None = SHORT_TEXT) -> str | None:
    text = (value or "").strip()
    if limit is not None and len(text) > limit:
        raise InvalidInput(field, _("Use at most %(limit)d characters.", limit=limit))
    return text or None


def _one_of(value: str | None, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        raise InvalidInput(field, _("Choose one of the options in the list."))
    return value


def _count(value: object, field: str) -> int:
    low, high = COUNT_RANGE
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(
            field, _("Enter a whole number from %(low)d to %(high)d.", low=low, high=high)
        )
    return value


def _programs(codes: Iterable[str], field: str = "programs") -> list[Program]:
    wanted = sorted(set(codes))
    if not wanted:
        raise InvalidInput(field, _("Choose at least one program."))
    programs = db.session.scalars(select(Program).where(Program.code.in_(wanted))).all()
    if len(programs) != len(wanted):
        raise InvalidInput(field, _("Choose one of the options in the list."))
    return sorted(programs, key=lambda p: p.position)


def _not_before(later: date | None, earlier: date | None, field: str, message: str) -> None:
    if later is not None and earlier is not None and later < earlier:
        raise InvalidInput(field, message)


def _launch_program(code: str, field: str = "program") -> Program:
    program = db.session.get(Program, code) if code in PROGRAMS_WITH_LAUNCH else None
    if program is None:
        raise InvalidInput(field, _("Thresholds exist only for QOPI and QCP."))
    return program


def _actor_id() -> int | None:
    return audit.current_actor()[0]


# --- availability ---------------------------------------------------------------------------------


def _availability_snapshot(availability: Availability) -> dict[str, Any]:
    return {
        "status": availability.status,
        "since": availability.since,
        "source": availability.source,
        "as_of": availability.as_of,
        "note": availability.note,
    }


def _check_launch(country: Country, program_code: str, status: str, previous: str | None) -> None:
    """QCP launches only where QOPI is launched and while QCP capacity is free (SPEC §2, §3)."""
    if program_code != "QCP" or status not in LAUNCHED_STATUSES:
        return
    qopi = db.session.scalar(
        select(Availability.status).where(
            Availability.country_code == country.code, Availability.program_code == "QOPI"
        )
    )
    if qopi not in LAUNCHED_STATUSES:
        raise InvalidInput(
            "status", _("QCP can only be launched where QOPI is available or in pilot.")
        )
    if previous in LAUNCHED_STATUSES or country.code in HOME_COUNTRIES:
        return  # the programs' home uses none of QCP's international capacity
    launched, capacity = launched_count("QCP"), qcp_capacity()
    if launched >= capacity:
        raise InvalidInput(
            "status",
            _(
                "QCP is already launched in %(launched)d countries, its capacity. "
                "An administrator can raise the capacity first.",
                launched=launched,
            ),
        )


def set_availability(
    country: Country,
    program_code: str,
    status: str,
    *,
    since: date | None = None,
    source: str | None = None,
    note: str | None = None,
) -> Availability:
    """Set the SPEC §2 availability of a program in a country and add a step to its history.

    ``since`` is the organization calendar day the status started (default: today when the
    status changes, else unchanged); ``source`` says where it comes from (default "staff").
    Nothing is written when nothing changes. Raises ``InvalidInput`` for an unknown program or
    status, or a QCP launch where QOPI is not launched or QCP capacity is full.
    """
    program = db.session.get(Program, program_code)
    if program is None:
        raise InvalidInput("program", _("Choose one of the options in the list."))
    status = _one_of(status, AVAILABILITY_STATUSES, "status")
    source = _text(source, "source") or "staff"
    note = _text(note, "note", limit=None)
    availability = db.session.scalar(
        select(Availability).where(
            Availability.country_code == country.code, Availability.program_code == program.code
        )
    )
    before = {} if availability is None else _availability_snapshot(availability)
    previous = before.get("status")
    _check_launch(country, program.code, status, previous)
    if availability is None:
        availability = Availability(country_code=country.code, program_code=program.code)
        db.session.add(availability)
    today = org_today()
    if since is None:
        since = today if status != previous else availability.since
    availability.status, availability.since, availability.source = status, since, source
    availability.note = note
    availability.as_of = today if before.get("status") != status else availability.as_of or today
    changes = audit.diff(before, _availability_snapshot(availability))
    if not changes:
        return availability
    availability.updated_by_id = _actor_id()
    availability.history.append(
        AvailabilityChange(
            previous_status=previous,
            status=status,
            since=since,
            source=source,
            as_of=availability.as_of,
            note=note,
            recorded_by_id=_actor_id(),
        )
    )
    db.session.flush()
    audit.record(
        "availability.update",
        "availability",
        availability.id,
        {"program": [program.code, program.code], **changes},
        country_code=country.code,
    )
    notify_country_changed(country.code)
    logger.info(
        "availability of %s in %s set to %s by %s",
        program.code,
        country.code,
        status,
        audit.current_actor()[1],
    )
    return availability


# --- privacy reviews ------------------------------------------------------------------------------


#: The editable fields of a privacy review and of an agreement: what the forms, the API and the
#: audit trail read and write (one list each).
REVIEW_FIELDS = (
    "programs",
    "status",
    "status_since",
    "applicable_law",
    "counsel",
    "requested_on",
    "decided_on",
    "conditions",
    "notes",
)
AGREEMENT_FIELDS = (
    "programs",
    "counterparty",
    "status",
    "status_since",
    "signed_on",
    "effective_on",
    "expires_on",
    "notes",
)
#: Review statuses that are a decision: reaching one records its decision day.
DECIDED_REVIEW = frozenset({"approved", "approved_with_conditions", "rejected"})


def _review_snapshot(review: PrivacyReview) -> dict[str, Any]:
    return {
        field: sorted(review.program_codes) if field == "programs" else getattr(review, field)
        for field in REVIEW_FIELDS
    }


def _agreement_snapshot(agreement: CountryAgreement) -> dict[str, Any]:
    return {
        field: sorted(agreement.program_codes) if field == "programs" else getattr(agreement, field)
        for field in AGREEMENT_FIELDS
    }


def review_values(review: PrivacyReview) -> dict[str, Any]:
    """The review's editable values (:data:`REVIEW_FIELDS`), programs as sorted codes."""
    return _review_snapshot(review)


def agreement_values(agreement: CountryAgreement) -> dict[str, Any]:
    """The agreement's editable values (:data:`AGREEMENT_FIELDS`), programs as sorted codes."""
    return _agreement_snapshot(agreement)


def _known(changes: dict[str, Any], fields: tuple[str, ...]) -> None:
    unknown = set(changes) - set(fields)
    if unknown:
        raise TypeError(f"unexpected values: {', '.join(sorted(unknown))}")


def _status_dates(
    changes: dict[str, Any], current: dict[str, Any], status: str, decision: str | None
) -> dict[str, Any]:
    """The days that go with the status (docs/domain.md#status-dates).

    ``changes`` holds only what the person gave for this change. A new status starts on the day
    given for it, else on the day given for its ``decision`` field (``decided_on``,
    ``signed_on``), else today in the organization's calendar; an unchanged status keeps its
    day unless one is given. Reaching a decision records its day in ``decision`` unless one
    is given for this change: a day kept from an earlier decision is not this one's.
    """
    status_changed = status != current["status"]
    decided_on = changes.get(decision) if decision else None
    since = changes.get("status_since")
    if since is None:
        since = (decided_on or org_today()) if status_changed else current["status_since"]
    dates = {"status_since": since}
    if decision is not None and status_changed:
        dates[decision] = decided_on or since
    return dates


def _review_decision(status: str) -> str | None:
    return "decided_on" if status in DECIDED_REVIEW else None


def _apply_review(review: PrivacyReview, changes: dict[str, Any]) -> None:
    """Validate every value first, then assign: a refused input leaves the review untouched."""
    _known(changes, REVIEW_FIELDS)
    current = _review_snapshot(review)
    values = current | changes
    program_rows = _programs(values["programs"] or ())
    status = _one_of(values["status"], REVIEW_STATUSES, "status")
    values |= _status_dates(changes, current, status, _review_decision(status))
    if status == "requested" and values["requested_on"] is None:
        values["requested_on"] = values["status_since"]
    _not_before(
        values["decided_on"],
        values["requested_on"],
        "decided_on",
        _("The decision date cannot be before the request date."),
    )
    cleaned = {
        "applicable_law": _text(values["applicable_law"], "applicable_law"),
        "counsel": _text(values["counsel"], "counsel"),
        "conditions": _text(values["conditions"], "conditions", limit=None),
        "notes": _text(values["notes"], "notes", limit=None),
        "status_since": values["status_since"],
        "status": status,
        "requested_on": values["requested_on"],
        "decided_on": values["decided_on"],
    }
    for field, value in cleaned.items():
        setattr(review, field, value)
    review.programs = program_rows


def record_privacy_review(country: Country, **values: Any) -> PrivacyReview:
    """Add a privacy review of ``country`` covering ``programs`` (docs/domain.md#pipeline).

    Keyword values (:data:`REVIEW_FIELDS`): ``programs`` (program codes), ``status`` (one of
    ``REVIEW_STATUSES``), ``status_since``, ``applicable_law``, ``counsel``, ``requested_on``,
    ``decided_on`` (not before ``requested_on``), ``conditions``, ``notes``; days are the
    organization's calendar days, and the status's days default as
    docs/domain.md#status-dates says. Raises ``InvalidInput`` on a value the database would
    refuse.
    """
    review = PrivacyReview(country_code=country.code, status=None)
    _apply_review(review, values)
    db.session.add(review)
    db.session.flush()
    audit.record(
        "privacy_review.create",
        "privacy_review",
        review.id,
        audit.diff({}, _review_snapshot(review)),
        country_code=country.code,
    )
    notify_country_changed(country.code)
    logger.info("privacy review %s of %s recorded by %s", review.id, country.code, _actor())
    return review


def update_privacy_review(review: PrivacyReview, **changes: Any) -> PrivacyReview:
    """Change the fields given in ``changes``; the others keep their values.

    ``changes`` holds only what the person gave for this change (a form sends the fields it
    changed, the API the body's fields): a status day or decision day not among them defaults
    as docs/domain.md#status-dates says. Same values and errors as
    :func:`record_privacy_review`. Writes nothing when nothing changed.
    """
    before = _review_snapshot(review)
    _apply_review(review, changes)
    changes_made = audit.diff(before, _review_snapshot(review))
    if changes_made:
        db.session.flush()
        audit.record(
            "privacy_review.update",
            "privacy_review",
            review.id,
            changes_made,
            country_code=review.country_code,
        )
        notify_country_changed(review.country_code)
        logger.info("privacy review %s updated by %s", review.id, _actor())
    return review


# --- country agreements ---------------------------------------------------------------------------


def _apply_agreement(agreement: CountryAgreement, changes: dict[str, Any]) -> None:
    """Validate every value first, then assign: a refused input leaves the agreement untouched."""
    _known(changes, AGREEMENT_FIELDS)
    current = _agreement_snapshot(agreement)
    values = current | changes
    program_rows = _programs(values["programs"] or ())
    counterparty = _text(values["counterparty"], "counterparty")
    if counterparty is None:
        raise InvalidInput("counterparty", _("Name the other party to the agreement."))
    status = _one_of(values["status"], AGREEMENT_STATUSES, "status")
    values |= _status_dates(changes, current, status, "signed_on" if status == "signed" else None)
    signed_on, effective_on = values["signed_on"], values["effective_on"]
    expires_on = values["expires_on"]
    _not_before(
        expires_on,
        signed_on,
        "expires_on",
        _("The expiry date cannot be before the signature date."),
    )
    _not_before(
        effective_on,
        signed_on,
        "effective_on",
        _("The effective date cannot be before the signature date."),
    )
    cleaned = {
        "counterparty": counterparty,
        "notes": _text(values["notes"], "notes", limit=None),
        "status_since": values["status_since"],
        "status": status,
        "signed_on": signed_on,
        "effective_on": effective_on,
        "expires_on": expires_on,
    }
    for field, value in cleaned.items():
        setattr(agreement, field, value)
    agreement.programs = program_rows


def record_country_agreement(country: Country, **values: Any) -> CountryAgreement:
    """Add a country agreement covering ``programs`` (docs/domain.md#pipeline).

    Keyword values (:data:`AGREEMENT_FIELDS`): ``programs``, ``counterparty`` (required),
    ``status`` (one of ``AGREEMENT_STATUSES``), ``status_since``, ``signed_on``,
    ``effective_on`` and ``expires_on`` (neither before ``signed_on``; ``expires_on`` is the
    last day the agreement counts), ``notes``; the status's days default as
    docs/domain.md#status-dates says. Raises ``InvalidInput`` on a value the database would
    refuse.
    """
    agreement = CountryAgreement(country_code=country.code, status=None)
    _apply_agreement(agreement, values)
    db.session.add(agreement)
    db.session.flush()
    audit.record(
        "country_agreement.create",
        "country_agreement",
        agreement.id,
        audit.diff({}, _agreement_snapshot(agreement)),
        country_code=country.code,
    )
    notify_country_changed(country.code)
    logger.info("agreement %s of %s recorded by %s", agreement.id, country.code, _actor())
    return agreement


def update_country_agreement(agreement: CountryAgreement, **changes: Any) -> CountryAgreement:
    """Change the fields given in ``changes``; the others keep their values (see
    :func:`update_privacy_review` for what "given" means). Same values and errors as
    :func:`record_country_agreement`. Writes nothing when nothing changed."""
    before = _agreement_snapshot(agreement)
    _apply_agreement(agreement, changes)
    changes_made = audit.diff(before, _agreement_snapshot(agreement))
    if changes_made:
        db.session.flush()
        audit.record(
            "country_agreement.update",
            "country_agreement",
            agreement.id,
            changes_made,
            country_code=agreement.country_code,
        )
        notify_country_changed(agreement.country_code)
        logger.info("agreement %s updated by %s", agreement.id, _actor())
    return agreement


# --- thresholds and program settings --------------------------------------------------------------


def set_threshold(
    country: Country, program_code: str, min_eligible_practices: int, reason: str | None = None
) -> CountryThreshold:
    """Override a launch program's threshold (eligible practices, 1..1000) in one country
    (SPEC §2 "Threshold"). Raises ``InvalidInput`` for QTP, an unknown program or a number out of
    range."""
    program = _launch_program(program_code)
    value = _count(min_eligible_practices, "min_eligible_practices")
    reason = _text(reason, "reason", limit=None)
    threshold = db.session.scalar(
        select(CountryThreshold).where(
            CountryThreshold.country_code == country.code,
            CountryThreshold.program_code == program.code,
        )
    )
    before = {}
    if threshold is not None:
        before = {"min_eligible_practices": threshold.min_eligible_practices}
        before["reason"] = threshold.reason
    if threshold is None:
        threshold = CountryThreshold(country_code=country.code, program_code=program.code)
        db.session.add(threshold)
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
        logger.info("threshold of %s in %s set by %s", program.code, country.code, _actor())
    return threshold


def clear_threshold(country: Country, program_code: str) -> bool:
    """Remove a country's threshold override so the program default applies again; returns
    False (writing nothing) when there was none. Raises ``InvalidInput`` for QTP or an unknown
    program."""
    program = _launch_program(program_code)
    threshold = db.session.scalar(
        select(CountryThreshold).where(
            CountryThreshold.country_code == country.code,
            CountryThreshold.program_code == program.code,
        )
    )
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
    logger.info("threshold of %s in %s cleared by %s", program.code, country.code, _actor())
    return True


def set_program_defaults(
    program_code: str, *, default_threshold: int, capacity: int | None = None
) -> Program:
    """Set a launch program's default threshold (1..1000) and, for QCP, its capacity (the most
    countries where it may be launched at once, 1..1000; SPEC §2, §3). Admins only.

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
    logger.info("defaults of %s changed by %s", program.code, _actor())
    return program


def _actor() -> str:
    return audit.current_actor()[1]
