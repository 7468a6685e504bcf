"""Survey intake: validated form data → ``crm.questionnaire`` answers → ``crm.intake``."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from crm import questionnaire
from crm.intake import Intake, intake_response
from crm.models._types import utcnow
from crm.outreach import queue_confirmation

logger = logging.getLogger(__name__)

#: Form fields that are not answers: the one-time token, the honeypot, CSRF.
NOT_ANSWERS = frozenset({"submission_token", "website", "csrf_token"})


def survey_answers(form_data: dict[str, Any]) -> dict[str, Any]:
    """The answers dict of ``crm.questionnaire`` from a valid ``SurveyForm.data``.

    Unanswered questions are left out (absent = not answered); texts are stripped, numbers
    are ints, multiple choices are lists in the vocabulary's order; ``consent`` is True and
    ``permission_to_contact`` a bool.
    """
    answers: dict[str, Any] = {}
    for key, value in form_data.items():
        if key in NOT_ANSWERS or value is None or value == "" or value == []:
            continue
        if key in questionnaire.MULTI_CHOICES:
            value = [v for v in questionnaire.MULTI_CHOICES[key] if v in value]
        answers[key] = value
    answers["consent"] = True
    answers["permission_to_contact"] = bool(form_data.get("permission_to_contact"))
    return answers


def submit_survey(form_data: dict[str, Any], *, language: str) -> Intake:
    """Store one web response and file it under its practice (SPEC §3, §4); the caller commits.

    ``form_data`` is a valid ``SurveyForm.data`` (its ``submission_token`` makes a repeated
    submit a no-op that returns the first response); ``language`` is the page's locale
    (en/es/pt_BR). Consent is recorded as now (UTC) with the current privacy-notice version.
    A new response also queues its confirmation email in the outbox (issue 9).
    """
    intake = intake_response(
        survey_answers(form_data),
        language=language,
        submission_token=form_data["submission_token"],
        consent_at=utcnow(),
        privacy_notice_version=current_app.config["PRIVACY_NOTICE_VERSION"],
        source="web",
    )
    if intake.created:
        # Same transaction as the response: the confirmation exists exactly when it does.
        queue_confirmation(intake.response)
    else:
        logger.info("repeated submit of response %s ignored", intake.response.id)
    return intake
