"""Models as the API answers them: each function gives a dict in its schema's shape
(``crm/api/schemas.py``)."""

from __future__ import annotations

from typing import Any

from crm.core.i18n import LOCALES, country_name
from crm.countries import operations as pipeline
from crm.countries.models import Availability, Country, CountryAgreement, PrivacyReview
from crm.responses.models import Practice, SurveyResponse


def country_dict(country: Country, availability: dict[str, str]) -> dict[str, Any]:
    """A country (``CountrySchema``): its names in every locale, region and ``availability``
    (program code → status)."""
    return {
        "code": country.code,
        "name": country_name(country.code, "en"),
        "names": {locale: country_name(country.code, locale) for locale in LOCALES},
        "region": country.region,
        "subregion": country.subregion,
        "eu_member": country.eu_member,
        "income_group": country.income_group,
        "availability": availability,
    }


def availability_dict(row: Availability) -> dict[str, Any]:
    """A program's availability in a country (``AvailabilitySchema``)."""
    return {
        "country": row.country_code,
        "program": row.program_code,
        "status": row.status,
        "since": row.since,
        "source": row.source,
        "as_of": row.as_of,
        "note": row.note,
        "updated_at": row.updated_at,
    }


def review_dict(review: PrivacyReview) -> dict[str, Any]:
    """A privacy review (``PrivacyReviewSchema``), its fields as the screens show them."""
    return {"id": review.id, "country": review.country_code, **pipeline.review_values(review)}


def agreement_dict(agreement: CountryAgreement) -> dict[str, Any]:
    """A country agreement (``CountryAgreementSchema``), its fields as the screens show them."""
    return {
        "id": agreement.id,
        "country": agreement.country_code,
        **pipeline.agreement_values(agreement),
    }


def practice_dict(practice: Practice) -> dict[str, Any]:
    """A practice (``PracticeSchema``) with its current interest per program."""
    return {
        "id": practice.id,
        "name": practice.name,
        "country": practice.country_code,
        "city": practice.city,
        "practice_type": practice.practice_type,
        "outpatient_hem_onc": practice.outpatient_hem_onc,
        "asco_members_count": practice.asco_members_count,
        "reads_english": practice.reads_english,
        "answers_from": practice.answers_from,
        "interests": [
            {"program": i.program_code, "level": i.level, "timeframe": i.timeframe}
            for i in practice.interests
        ],
    }


def response_dict(response: SurveyResponse) -> dict[str, Any]:
    """A survey response (``ResponseSchema``) with its raw answers."""
    return {
        "id": response.id,
        "submitted_at": response.submitted_at,
        "language": response.language,
        "source": response.source,
        "country": response.country_code,
        "triage_status": response.triage_status,
        "practice_id": response.practice_id,
        "filed_at": response.filed_at,
        "questionnaire_version": response.questionnaire_version,
        "answers": response.answers,
    }
