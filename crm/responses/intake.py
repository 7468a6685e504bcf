"""Intake: one submitted questionnaire into the CRM, in two steps (docs/architecture.md#flow).

1. :func:`accept_response` stores the raw answers once (a UNIQUE submission token): the durable
   record, from which nothing a respondent sent is ever dropped.
2. Filing (:func:`file_response`, :func:`file_accepted`) matches or creates the practice, upserts
   the contact, re-derives the practice's interests (so readiness counts follow), queues a web
   respondent's confirmation, and stamps ``filed_at``.

:func:`intake_response` does both in the caller's transaction (legacy import, demo data, and the
survey with ``SURVEY_FILING=inline``). With ``SURVEY_FILING=worker`` (the default) the survey
request does step 1 alone and the worker files the queue a second later
(:func:`pending_response_ids`, :func:`file_pending`): a submit then holds the database's write
lock for one INSERT, not for the whole filing (docs/decisions.md#worker-filing).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from crm.core.columns import utcnow
from crm.core.extensions import db
from crm.core.metrics import SURVEY_SUBMITS
from crm.outreach.emails import queue_confirmation
from crm.outreach.models import Invitation
from crm.responses import questionnaire, spam, tallies
from crm.responses.matching import (
    apply_answers,
    email_key,
    find_same_practice,
    new_practice,
    refresh_practice,
    suggest_practice,
    upsert_contact,
)
from crm.responses.models import Contact, Practice, SurveyResponse

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Intake:
    """What intake did: the stored response and whether this call created it."""

    response: SurveyResponse
    created: bool


@functools.cache
def _insert_once_statement(dialect: str):
    """The response INSERT … ON CONFLICT (submission_token) DO NOTHING RETURNING id, built
    once per dialect (Core, on the table: values come with each execution)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(SurveyResponse.__table__)
        .on_conflict_do_nothing(index_elements=["submission_token"])
        .returning(SurveyResponse.__table__.c.id)
    )


def _insert_once(values: dict) -> int | None:
    """INSERT the response unless its submission token exists; the new row's id, else None.

    A UNIQUE token with ON CONFLICT DO NOTHING, not "look up then insert": a check lets
    concurrent double submits through (docs/decisions.md#double-submits).
    """
    statement = _insert_once_statement(db.session.get_bind().dialect.name)
    response_id = db.session.execute(statement, values).scalar()
    if response_id is not None:  # outside the ORM's flush: tell the dashboard's tallies
        tallies.count_inserted_response(
            values["submitted_at"], values["country_code"], values["language"],
            values["triage_status"],
        )  # fmt: skip
    return response_id


def accept_response(
    answers: dict,
    *,
    language: str,
    submission_token: str,
    consent_at: datetime | None,
    privacy_notice_version: str | None,
    source: str = "web",
    submitted_at: datetime | None = None,
    questionnaire_version: str = questionnaire.VERSION,
) -> int | None:
    """Store a response's raw answers, not yet filed (``filed_at`` NULL); the caller commits.

    Arguments as :func:`intake_response`. Returns the new response's id, or None when a
    response with ``submission_token`` exists (a repeated submit stores nothing). One INSERT.
    """
    now = utcnow()
    response_id = _insert_once(
        {
            "submission_token": submission_token,
            "submitted_at": submitted_at or now,
            "language": language,
            "questionnaire_version": questionnaire_version,
            "privacy_notice_version": privacy_notice_version,
            "consent_at": consent_at,
            "permission_to_contact": bool(answers.get("permission_to_contact")),
            "answers": answers,
            "source": source,
            "country_code": answers["country"],
            "triage_status": "new",
            "created_at": now,
        }
    )
    SURVEY_SUBMITS.labels(
        source=source, result="duplicate" if response_id is None else "stored"
    ).inc()
    return response_id


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
    matched: bool = False,
) -> Intake:
    """Store a response and file it under a practice; the caller commits.

    ``answers`` uses the keys of ``crm.responses.questionnaire`` and must hold ``practice_name``,
    ``country`` (ISO alpha-2), ``name`` and ``email``, already validated; legacy imports
    (``source="import"``) may lack ``email`` and ``name`` (see ``upsert_contact``). ``language`` is
    one of en/es/pt_BR; times are timezone-aware UTC. A second call with the same
    ``submission_token`` stores nothing and returns the first response with ``created=False``.

    Triage (docs/domain.md#eligible-practices): same practice by normalized name/city or contact
    email → ``linked``; otherwise a new practice and ``new``, with ``suggested_practice_id`` set
    when a close name exists in the country (staff confirm; never merged silently).

    ``practice`` (a personal invitation's) files the response under that practice as
    ``linked`` without triage, provided the answers name the practice's country; otherwise the
    rules above apply. ``matched`` says the caller has already looked for the same practice
    (an import, which needs to know it first) and ``practice`` is what it found: None then
    means a new practice, without looking again. No confirmation email is queued here (see
    :func:`file_accepted`).
    """
    response_id = accept_response(
        answers,
        language=language,
        submission_token=submission_token,
        consent_at=consent_at,
        privacy_notice_version=privacy_notice_version,
        source=source,
        submitted_at=submitted_at,
        questionnaire_version=questionnaire_version,
    )
    response = db.session.scalar(
        select(SurveyResponse).where(SurveyResponse.submission_token == submission_token)
    )
    if response_id is not None:
        file_response(response, practice, matched=matched)
    return Intake(response=response, created=response_id is not None)


def file_accepted(response: SurveyResponse) -> None:
    """File a response :func:`accept_response` stored, as its submit would have: under its
    invitation's practice when a personal invitation brought it, and with the confirmation to
    a web respondent queued in the outbox. The caller commits."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.response_id == response.id))
    file_response(response, invitation.contact.practice if invitation is not None else None)
    if response.source == "web":
        queue_confirmation(response)


def pending_response_ids(limit: int = 100, skip: Iterable[int] = ()) -> list[int]:
    """Ids of the oldest responses still waiting to be filed (``filed_at`` NULL), at most
    ``limit``, oldest first, leaving out the ids in ``skip``. Reads the partial index
    ``ix_survey_responses_unfiled``."""
    statement = select(SurveyResponse.id).where(SurveyResponse.filed_at.is_(None))
    if skip:
        statement = statement.where(SurveyResponse.id.not_in(sorted(skip)))
    return list(db.session.scalars(statement.order_by(SurveyResponse.id).limit(limit)))


def latest_response_id() -> int:
    """The id of the most recently stored response (0 with none): the worker compares two
    readings to tell whether submits are arriving."""
    return db.session.scalar(select(func.max(SurveyResponse.id))) or 0


def file_pending(response_id: int) -> bool:
    """File one waiting response (:func:`file_accepted`); the caller commits, one response per
    transaction. True when this call filed it; False when it is gone (erased), filed already,
    or held by another worker (PostgreSQL's ``FOR UPDATE SKIP LOCKED``: several workers never
    file one response twice)."""
    response = db.session.scalar(
        select(SurveyResponse)
        .where(SurveyResponse.id == response_id, SurveyResponse.filed_at.is_(None))
        .with_for_update(skip_locked=True)
    )
    if response is None:
        return False
    file_accepted(response)
    return True


def file_response(
    response: SurveyResponse, known_practice: Practice | None = None, *, matched: bool = False
) -> None:
    """Match or create the response's practice, upsert its contact, refresh the practice, and
    stamp ``filed_at`` (UTC now).

    ``known_practice`` (an invitation's) is taken as the practice when it is in the answered
    country, with no matching; with ``matched``, it is what the caller's own
    ``find_same_practice`` found (None: none).
    """
    answers = response.answers
    if matched or (
        known_practice is not None and known_practice.country_code == answers["country"]
    ):
        practice = known_practice
    else:
        practice = find_same_practice(
            answers["country"], answers["practice_name"], answers.get("city"), answers.get("email")
        )
    created = practice is None
    if created:
        suggestion = suggest_practice(
            answers["country"],
            answers["practice_name"],
            answers.get("city"),
            answers.get("email"),
            answers.get("phone"),
        )
        practice = new_practice(answers)
        if suggestion is not None:
            response.suggested_practice_id = suggestion[0].id
            response.suggestion_score = suggestion[1]
    else:
        response.triage_status = "linked"
    # Related, not by id: the flush at the end stores a new practice, its contact and the
    # response together, where a flush for each id used to come first.
    response.practice = practice
    contact = upsert_contact(practice, answers, response.language)
    if contact is not None:
        if response.permission_to_contact != contact.permission_to_contact:
            contact.permission_to_contact = response.permission_to_contact
            contact.permission_changed_at = response.submitted_at
        response.contact = contact
    if created:  # this response is the new practice's only one: no need to look it up
        apply_answers(practice, response)
    else:
        refresh_practice(practice)
    response.spam_signals = spam.as_json(
        spam.likely_spam(answers, response.country_code, _recent_from_email(response))
    )
    response.filed_at = utcnow()
    db.session.flush()  # the next response's matching reads what this one stored
    # No notify_country_changed here: crm.responses.tallies sends it when the practice's
    # eligibility moved a count, which most responses do not (docs/decisions.md#tallies).
    logger.info(
        "response %s filed under practice %s (%s)", response.id, practice.id, response.triage_status
    )


def _recent_from_email(response: SurveyResponse) -> int:
    """Responses sent from the response's email address within ``spam.BURST_MINUTES`` before
    it, itself included (through the contacts with that address: an indexed read)."""
    key = email_key(response.answers.get("email"))
    if not key:
        return 0
    since = response.submitted_at - timedelta(minutes=spam.BURST_MINUTES)
    same_address = select(Contact.id).where(Contact.email_key == key)
    # Itself counted apart: its contact may not be flushed yet, and reading must not flush.
    with db.session.no_autoflush:
        others = db.session.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(
                SurveyResponse.contact_id.in_(same_address),
                SurveyResponse.id != response.id,
                SurveyResponse.submitted_at >= since,
                SurveyResponse.submitted_at <= response.submitted_at,
            )
        )
    return others + 1
