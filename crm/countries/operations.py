"""A country's pipeline (docs/domain.md#availability, docs/domain.md#pipeline): availability,
privacy reviews and agreements; thresholds and the programs' defaults are in ``thresholds.py``.
Each operation validates, writes, records its audit event with old and new values, tells
readiness recording which countries changed, flushes and returns; the caller commits once.

Input the database would reject raises :class:`crm.core.errors.InvalidInput` with a message in
the user's language, before anything is written (the checks are in ``validation.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
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
    PrivacyReview,
    Program,
)
from crm.countries.queries import launched_programs
from crm.countries.validation import (
    actor_id,
    actor_name,
    choice,
    chosen_programs,
    clean_text,
    known_program,
    not_before,
)
from crm.labels import program_order
from crm.readiness.queries import launched_count, qcp_capacity
from crm.readiness.rules import HOME_COUNTRIES, LAUNCHED_STATUSES, capacity_full

logger = logging.getLogger(__name__)


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
    """QCP launches only where QOPI is launched and while QCP capacity is free
    (docs/domain.md#programs, docs/domain.md#capacity)."""
    if program_code != "QCP" or status not in LAUNCHED_STATUSES:
        return
    if "QOPI" not in launched_programs(country.code):
        raise InvalidInput(
            "status", _("QCP can only be launched where QOPI is available or in pilot.")
        )
    if previous in LAUNCHED_STATUSES or country.code in HOME_COUNTRIES:
        return  # the programs' home uses none of QCP's international capacity
    launched = launched_count("QCP")
    if capacity_full(launched, qcp_capacity()):
        raise InvalidInput(
            "status",
            _(
                "QCP is already launched in %(launched)d countries, its capacity. "
                "An administrator can raise the capacity first.",
                launched=launched,
            ),
        )


def _availability_row(country: Country, program_code: str) -> Availability | None:
    return db.session.scalar(
        select(Availability).where(
            Availability.country_code == country.code, Availability.program_code == program_code
        )
    )


def _apply_availability(
    availability: Availability,
    previous: str | None,
    status: str,
    since: date | None,
    source: str,
    note: str | None,
) -> None:
    """Assign the new values: ``since`` defaults to today when the status changes, else stays;
    ``as_of`` is today when the status changes (or was never set)."""
    today = org_today()
    if since is None:
        since = today if status != previous else availability.since
    availability.status, availability.since, availability.source = status, since, source
    availability.note = note
    availability.as_of = today if previous != status else availability.as_of or today


def _record_availability_change(
    availability: Availability, previous: str | None, changes: dict[str, list]
) -> None:
    """Add the step to the availability's history, record the audit event, tell readiness
    recording, log."""
    availability.updated_by_id = actor_id()
    availability.history.append(
        AvailabilityChange(
            previous_status=previous,
            status=availability.status,
            since=availability.since,
            source=availability.source,
            as_of=availability.as_of,
            note=availability.note,
            recorded_by_id=actor_id(),
        )
    )
    db.session.flush()
    program, country = availability.program_code, availability.country_code
    audit.record(
        "availability.update",
        "availability",
        availability.id,
        {"program": [program, program], **changes},
        country_code=country,
    )
    notify_country_changed(country)
    logger.info(
        "availability of %s in %s set to %s by %s",
        program,
        country,
        availability.status,
        actor_name(),
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
    """Set the availability of a program in a country (docs/domain.md#availability) and add a
    step to its history.

    ``since`` is the organization calendar day the status started (default: today when the
    status changes, else unchanged); ``source`` says where it comes from (default "staff").
    Nothing is written when nothing changes. Raises ``InvalidInput`` for an unknown program or
    status, or a QCP launch where QOPI is not launched or QCP capacity is full.
    """
    program = known_program(program_code)
    status = choice(status, AVAILABILITY_STATUSES, "status")
    source = clean_text(source, "source") or "staff"
    note = clean_text(note, "note", limit=None)
    availability = _availability_row(country, program.code)
    before = {} if availability is None else _availability_snapshot(availability)
    previous = before.get("status")
    _check_launch(country, program.code, status, previous)
    if availability is None:
        availability = Availability(country_code=country.code, program_code=program.code)
        db.session.add(availability)
    _apply_availability(availability, previous, status, since, source, note)
    changes = audit.diff(before, _availability_snapshot(availability))
    if changes:
        _record_availability_change(availability, previous, changes)
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


def _values(record: PrivacyReview | CountryAgreement, fields: tuple[str, ...]) -> dict[str, Any]:
    return {
        field: program_order(record.program_codes)
        if field == "programs"
        else getattr(record, field)
        for field in fields
    }


def review_values(review: PrivacyReview) -> dict[str, Any]:
    """The review's editable values (:data:`REVIEW_FIELDS`), programs as codes in the
    programs' own order."""
    return _values(review, REVIEW_FIELDS)


def agreement_values(agreement: CountryAgreement) -> dict[str, Any]:
    """The agreement's editable values (:data:`AGREEMENT_FIELDS`), programs as codes in the
    programs' own order."""
    return _values(agreement, AGREEMENT_FIELDS)


@dataclass(frozen=True)
class _Kind:
    """How the audit trail (``entity``, also its actions' prefix) and the logs (``noun``) name a
    kind of pipeline record, and its editable ``fields``."""

    entity: str
    noun: str
    fields: tuple[str, ...]


REVIEW = _Kind("privacy_review", "privacy review", REVIEW_FIELDS)
AGREEMENT = _Kind("country_agreement", "agreement", AGREEMENT_FIELDS)


def _add_record(record: PrivacyReview | CountryAgreement, kind: _Kind) -> None:
    """Insert a new review or agreement, record its creation, tell readiness recording."""
    db.session.add(record)
    db.session.flush()
    country = record.country_code
    values = audit.diff({}, _values(record, kind.fields))
    audit.record(f"{kind.entity}.create", kind.entity, record.id, values, country_code=country)
    notify_country_changed(country)
    logger.info("%s %s of %s recorded by %s", kind.noun, record.id, country, actor_name())


def _change_record(
    record: PrivacyReview | CountryAgreement,
    kind: _Kind,
    apply: Callable[[Any, dict[str, Any]], None],
    changes: dict[str, Any],
) -> None:
    """Apply ``changes`` to a review or agreement; when any value moved, record the update and
    tell readiness recording (nothing is written otherwise)."""
    before = _values(record, kind.fields)
    apply(record, changes)
    changes_made = audit.diff(before, _values(record, kind.fields))
    if changes_made:
        db.session.flush()
        country = record.country_code
        audit.record(
            f"{kind.entity}.update", kind.entity, record.id, changes_made, country_code=country
        )
        notify_country_changed(country)
        logger.info("%s %s updated by %s", kind.noun, record.id, actor_name())


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


def _assign(
    record: PrivacyReview | CountryAgreement, cleaned: dict[str, Any], programs: list[Program]
) -> None:
    for field, value in cleaned.items():
        setattr(record, field, value)
    record.programs = programs


def _review_decision(status: str) -> str | None:
    return "decided_on" if status in DECIDED_REVIEW else None


def _apply_review(review: PrivacyReview, changes: dict[str, Any]) -> None:
    """Validate every value first, then assign: a refused input leaves the review untouched."""
    _known(changes, REVIEW_FIELDS)
    current = review_values(review)
    values = current | changes
    program_rows = chosen_programs(values["programs"] or ())
    status = choice(values["status"], REVIEW_STATUSES, "status")
    values |= _status_dates(changes, current, status, _review_decision(status))
    if status == "requested" and values["requested_on"] is None:
        values["requested_on"] = values["status_since"]
    not_before(
        values["decided_on"],
        values["requested_on"],
        "decided_on",
        _("The decision date cannot be before the request date."),
    )
    cleaned = {
        "applicable_law": clean_text(values["applicable_law"], "applicable_law"),
        "counsel": clean_text(values["counsel"], "counsel"),
        "conditions": clean_text(values["conditions"], "conditions", limit=None),
        "notes": clean_text(values["notes"], "notes", limit=None),
        "status_since": values["status_since"],
        "status": status,
        "requested_on": values["requested_on"],
        "decided_on": values["decided_on"],
    }
    _assign(review, cleaned, program_rows)


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
    _add_record(review, REVIEW)
    return review


def update_privacy_review(review: PrivacyReview, **changes: Any) -> PrivacyReview:
    """Change the fields given in ``changes``; the others keep their values.

    ``changes`` holds only what the person gave for this change (a form sends the fields it
    changed, the API the body's fields): a status day or decision day not among them defaults
    as docs/domain.md#status-dates says. Same values and errors as
    :func:`record_privacy_review`. Writes nothing when nothing changed.
    """
    _change_record(review, REVIEW, _apply_review, changes)
    return review


# --- country agreements ---------------------------------------------------------------------------


def _apply_agreement(agreement: CountryAgreement, changes: dict[str, Any]) -> None:
    """Validate every value first, then assign: a refused input leaves the agreement untouched."""
    _known(changes, AGREEMENT_FIELDS)
    current = agreement_values(agreement)
    values = current | changes
    program_rows = chosen_programs(values["programs"] or ())
    counterparty = clean_text(values["counterparty"], "counterparty")
    if counterparty is None:
        raise InvalidInput("counterparty", _("Name the other party to the agreement."))
    status = choice(values["status"], AGREEMENT_STATUSES, "status")
    values |= _status_dates(changes, current, status, "signed_on" if status == "signed" else None)
    signed_on, effective_on = values["signed_on"], values["effective_on"]
    expires_on = values["expires_on"]
    not_before(
        expires_on,
        signed_on,
        "expires_on",
        _("The expiry date cannot be before the signature date."),
    )
    not_before(
        effective_on,
        signed_on,
        "effective_on",
        _("The effective date cannot be before the signature date."),
    )
    cleaned = {
        "counterparty": counterparty,
        "notes": clean_text(values["notes"], "notes", limit=None),
        "status_since": values["status_since"],
        "status": status,
        "signed_on": signed_on,
        "effective_on": effective_on,
        "expires_on": expires_on,
    }
    _assign(agreement, cleaned, program_rows)


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
    _add_record(agreement, AGREEMENT)
    return agreement


def update_country_agreement(agreement: CountryAgreement, **changes: Any) -> CountryAgreement:
    """Change the fields given in ``changes``; the others keep their values (see
    :func:`update_privacy_review` for what "given" means). Same values and errors as
    :func:`record_country_agreement`. Writes nothing when nothing changed."""
    _change_record(agreement, AGREEMENT, _apply_agreement, changes)
    return agreement
