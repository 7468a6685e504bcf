"""Intake: one submitted questionnaire into the CRM, in the caller's transaction (SPEC §3, §4).

Used by the public survey, the legacy import and the demo data. The raw answers are always
stored; the practice is matched or created, the contact upserted, and the practice's interests
re-derived, so readiness counts follow at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from crm import questionnaire, tallies
from crm.extensions import db
from crm.models import Practice, SurveyResponse
from crm.models._types import utcnow
from crm.practices import (
    find_same_practice,
    new_practice,
    refresh_practice,
    suggest_practice,
    upsert_contact,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Intake:
    """What intake did: the stored response and whether this call created it."""

    response: SurveyResponse
    created: bool


def _insert_once(values: dict) -> bool:
    """INSERT the response unless its submission token exists; True when a row was inserted.

    A UNIQUE token with ON CONFLICT DO NOTHING, not "look up then insert": a check lets
    concurrent double submits through (PITFALLS.md, 55 duplicates seen).
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(SurveyResponse)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["submission_token"])
        .returning(SurveyResponse.id)
    )
    inserted = db.session.execute(statement).scalar() is not None
    if inserted:  # outside the ORM's flush: tell the dashboard's tallies
        tallies.count_inserted_response(
            values["submitted_at"], values["country_code"], values["language"],
            values["triage_status"],
        )  # fmt: skip
    return inserted


def intake_response(
    answers: dict,
    *,
    language: str,
    submission_token: str,
    consent_at: datetime | None,
    privacy_notice_version: str | None,
    source: str = "web",
    submitted_at: datetime | None = None,
    questionnaire_version: str = questionnaire.VERSION,
    practice: Practice | None = None,
) -> Intake:
    """Store a response and file it under a practice; the caller commits.

    ``answers`` uses the keys of ``crm.questionnaire`` and must hold ``practice_name``,
    ``country`` (ISO alpha-2), ``name`` and ``email``, already validated; legacy imports
    (``source="import"``) may lack ``email`` and ``name`` (see ``upsert_contact``).
    ``language`` is one of en/es/pt_BR; times are timezone-aware UTC. A second call with the
    same ``submission_token`` stores nothing and returns the first response with
    ``created=False``.

    Triage (SPEC §2, §3): same practice by normalized name/city or contact email → ``linked``;
    otherwise a new practice and ``new``, with ``suggested_practice_id`` set when a close name
    exists in the country (staff confirm; never merged silently).

    ``practice`` (a personal invitation's, issue 9) files the response under that practice as
    ``linked`` without triage, provided the answers name the practice's country; otherwise the
    rules above apply.
    """
    values = {
        "submission_token": submission_token,
        "submitted_at": submitted_at or utcnow(),
        "language": language,
        "questionnaire_version": questionnaire_version,
        "privacy_notice_version": privacy_notice_version,
        "consent_at": consent_at,
        "permission_to_contact": bool(answers.get("permission_to_contact")),
        "answers": answers,
        "source": source,
        "country_code": answers["country"],
        "triage_status": "new",
        "created_at": utcnow(),
    }
    created = _insert_once(values)
    response = db.session.scalar(
        select(SurveyResponse).where(SurveyResponse.submission_token == submission_token)
    )
    if created:
        file_response(response, practice)
    return Intake(response=response, created=created)


def file_response(response: SurveyResponse, known_practice: Practice | None = None) -> None:
    """Match or create the response's practice, upsert its contact, refresh the practice.

    ``known_practice`` (an invitation's) is taken as the practice when it is in the answered
    country, with no matching.
    """
    answers = response.answers
    if known_practice is not None and known_practice.country_code == answers["country"]:
        practice = known_practice
    else:
        practice = find_same_practice(
            answers["country"], answers["practice_name"], answers.get("city"), answers.get("email")
        )
    if practice is not None:
        response.triage_status = "linked"
    else:
        suggestion = suggest_practice(answers["country"], answers["practice_name"])
        practice = new_practice(answers)
        if suggestion is not None:
            response.suggested_practice_id = suggestion[0].id
            response.suggestion_score = suggestion[1]
    db.session.flush()
    response.practice_id = practice.id
    contact = upsert_contact(practice, answers, response.language)
    if contact is not None:
        if response.permission_to_contact != contact.permission_to_contact:
            contact.permission_to_contact = response.permission_to_contact
            contact.permission_changed_at = response.submitted_at
        db.session.flush()
        response.contact_id = contact.id
    refresh_practice(practice)
    # No notify_country_changed here: crm.tallies sends it when the practice's eligibility
    # moved a count, which most responses do not (README "Performance").
    logger.info(
        "response %s filed under practice %s (%s)", response.id, practice.id, response.triage_status
    )
