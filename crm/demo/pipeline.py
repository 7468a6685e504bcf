"""The demo's country pipeline: privacy reviews and agreements at every stage, threshold
overrides and availability changes (``crm.demo.plans``), dated relative to the organization's
today (docs/domain.md#pipeline, #thresholds, #availability).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from crm.core.extensions import db
from crm.countries.models import (
    Availability,
    AvailabilityChange,
    CountryAgreement,
    CountryThreshold,
    PrivacyReview,
    Program,
)
from crm.countries.seed import DEMO_SOURCE
from crm.demo.plans import AGREEMENTS, AVAILABILITY_CHANGES, PRIVACY_REVIEWS, THRESHOLDS


def add_pipeline(today: date) -> None:
    """Privacy reviews, agreements, threshold overrides and availability, at every stage."""
    _add_privacy_reviews(today)
    _add_agreements(today)
    _add_thresholds()
    _change_availability(today)


def _programs(codes: tuple[str, ...]) -> list[Program]:
    return [db.session.get(Program, code) for code in codes]


def _add_privacy_reviews(today: date) -> None:
    """PRIVACY_REVIEWS, requested and decided the given numbers of days before ``today``."""
    for code, status, programs, law, requested, decided, conditions, notes in PRIVACY_REVIEWS:
        requested_on = today - timedelta(days=requested) if requested is not None else None
        decided_on = today - timedelta(days=decided) if decided is not None else None
        db.session.add(
            PrivacyReview(
                country_code=code,
                status=status,
                status_since=decided_on or requested_on,
                applicable_law=law,
                counsel="Outside counsel" if requested is not None else None,
                requested_on=requested_on,
                decided_on=decided_on,
                conditions=conditions,
                notes=notes,
                programs=_programs(programs),
            )
        )


def _add_agreements(today: date) -> None:
    """AGREEMENTS, in their status since the given number of days; a signed or expired one
    takes effect two weeks after signing, an expired one since the day after it expired."""
    for code, status, programs, counterparty, since, expires_in, notes in AGREEMENTS:
        since_day = today - timedelta(days=since)
        signed = status in ("signed", "expired")
        db.session.add(
            CountryAgreement(
                country_code=code,
                counterparty=counterparty,
                status=status,
                status_since=today + timedelta(days=expires_in + 1)
                if status == "expired"
                else since_day,
                signed_on=since_day if signed else None,
                effective_on=since_day + timedelta(days=14) if signed else None,
                expires_on=today + timedelta(days=expires_in) if expires_in is not None else None,
                notes=notes,
                programs=_programs(programs),
            )
        )


def _add_thresholds() -> None:
    """THRESHOLDS: a country's own number of eligible practices for a program."""
    for code, program, threshold, reason in THRESHOLDS:
        db.session.add(
            CountryThreshold(
                country_code=code,
                program_code=program,
                min_eligible_practices=threshold,
                reason=reason,
            )
        )


def _change_availability(today: date) -> None:
    """AVAILABILITY_CHANGES: a program's seeded availability moved, with its history."""
    for code, program, status, days_ago in AVAILABILITY_CHANGES:
        availability = db.session.scalar(
            select(Availability).where(
                Availability.country_code == code, Availability.program_code == program
            )
        )
        if availability is None or availability.status == status:
            continue
        since = today - timedelta(days=days_ago)
        availability.history.append(
            AvailabilityChange(
                previous_status=availability.status,
                status=status,
                since=since,
                source=DEMO_SOURCE,
                as_of=since,
            )
        )
        availability.status, availability.since = status, since
        availability.source, availability.as_of = DEMO_SOURCE, since
