"""Helpers shared by the staff-side tests: survey answers and responses through intake."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from crm.responses.intake import intake_response

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def eligible_answers(n: int = 0, **overrides) -> dict:
    """Answers of a practice eligible for QOPI and QCP; ``n`` and the country make the practice
    name and email unique (a shared email would make two answers one practice)."""
    country = overrides.get("country", "CO")
    base = {
        "name": f"Ana Pérez {n}",
        "email": f"ana{n}@clinica{n}.{country.lower()}.example",
        "practice_name": f"Clínica Número {n}",
        "country": "CO",
        "city": "Bogotá",
        "practice_type": "private_practice",
        "outpatient_hem_onc": "yes",
        "asco_members_count": 2,
        "reads_english": "yes",
        "interest_qopi": "very",
        "interest_qcp": "somewhat",
        "willing_to_pay_qcp_fee": "yes",
        "timeframe": "within_6_months",
        "consent": True,
        "permission_to_contact": True,
    }
    return base | overrides


def submit_response(db, answers: dict, *, at: datetime = T0, language: str = "es"):
    """One response through ``crm.responses.intake.intake_response``, committed; returns it."""
    result = intake_response(
        answers,
        language=language,
        submission_token=uuid.uuid4().hex,
        consent_at=at,
        privacy_notice_version="2026-11",
        submitted_at=at,
    )
    db.session.commit()
    return result.response


def submit_eligible(db, count: int, country: str = "CO", **overrides) -> list:
    """``count`` eligible practices in ``country``, one response each, an hour apart."""
    return [
        submit_response(
            db,
            eligible_answers(n, country=country, **overrides),
            at=T0 + timedelta(hours=n),
        )
        for n in range(count)
    ]
