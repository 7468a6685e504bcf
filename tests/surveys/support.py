"""Survey test support: a complete set of valid answers, a half-answered one saved as a draft,
row counts, and reading errors."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

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


#: What a respondent typed, in Spanish, half-way through.
HALF_WAY = {
    "name": "Lucía Gómez",
    "email": "Lucia.Gomez@Centro.example",
    "practice_name": "Centro Oncológico del Sur",
    "country": "CO",
    "city": "Medellín",
    "asco_members_count": "1.500",
    "interest_qopi": "very",
    "qtp_formats": ["one_day", "train_the_trainer"],
    "comments": "Escribiremos más tarde.",
    "preferred_language": "es",
}


def half_way(**overrides) -> dict:
    """The survey form with only ``HALF_WAY`` answered (``overrides`` applied)."""
    answered = set(HALF_WAY) | {"submission_token"}
    fields = {k: v for k, v in valid_form(**HALF_WAY).items() if k in answered}
    return fields | overrides


def save(client, lang: str = "es", **overrides):
    """Press "Save and continue later" on the ``lang`` page holding ``half_way(**overrides)``."""
    return client.post(f"/{lang}/survey/save", data=half_way(**overrides))


def resume_path(response) -> str:
    """The resume link a save redirected to, without ``?saved=1``."""
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return urlsplit(response.headers["Location"]).path
