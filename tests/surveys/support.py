"""Survey test support: a complete set of valid answers, row counts, and reading errors."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import func, select

from crm.core.extensions import db
from crm.responses.models import SurveyResponse


def valid_form(**overrides) -> dict:
    """Form fields of a complete, valid survey, as the browser posts them."""
    fields = {
        "name": "Ana Pérez",
        "role": "Oncologista clínica",
        "email": "ana@clinica.example",
        "phone": "+55 81 5555 0100",
        "preferred_language": "pt_BR",
        "practice_name": "Clínica São José",
        "country": "BR",
        "city": "Recife",
        "practice_type": "private_practice",
        "outpatient_hem_onc": "yes",
        "oncologists_count": "4",
        "new_patients_per_year": "1200",
        "asco_members_count": "2",
        "ehr_use": "partial",
        "interest_qopi": "very",
        "interest_qcp": "somewhat",
        "interest_qtp": "not_very",
        "qtp_formats": ["one_day", "six_month"],
        "licensing": ["qtp_content"],
        "reads_english": "yes",
        "willing_to_sign_agreement": "yes",
        "willing_to_pay_qcp_fee": "unsure",
        "timeframe": "within_6_months",
        "comments": "Gostaríamos de participar.",
        "consent": "y",
        "permission_to_contact": "y",
        "submission_token": uuid.uuid4().hex,
    }
    for key, value in overrides.items():
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    return fields


def stored_responses() -> int:
    return db.session.scalar(select(func.count()).select_from(SurveyResponse))


def error_of(html: str, field: str) -> str | None:
    """Text of the error shown next to ``field`` (its ``<field>-error`` element), or None."""
    match = re.search(rf'id="{re.escape(field)}-error">(.*?)</p>', html, re.S)
    if match is None:
        return None
    return re.sub(r"<[^>]+>", "", match.group(1)).split(":", 1)[-1].strip()
