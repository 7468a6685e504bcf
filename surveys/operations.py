"""Survey intake: validated form data → ``crm.responses.questionnaire`` answers →
``crm.responses.intake``."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from crm.core.columns import utcnow
from crm.core.extensions import db
from crm.outreach.operations import record_response
from crm.outreach.queries import LinkState, open_link
from crm.responses import questionnaire
from crm.responses.intake import accept_response, file_accepted
from crm.responses.models import SurveyResponse

logger = logging.getLogger(__name__)

#: Form fields that are not answers: the one-time token, an invitation, the honeypot, CSRF.
NOT_ANSWERS = frozenset({"submission_token", "invitation", "website", "csrf_token"})


def survey_answers(form_data: dict[str, Any]) -> dict[str, Any]:
    """The answers dict of ``crm.responses.questionnaire`` from a valid ``SurveyForm.data``.

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


def submit_survey(form_data: dict[str, Any], *, language: str) -> bool:
    """Store one web response (``docs/domain.md#survey``); the caller commits. True when this
    call stored it.

    ``form_data`` is a valid ``SurveyForm.data``; its ``submission_token`` makes a repeated
    submit a no-op (False). ``language`` is the page's locale (en/es/pt_BR). Consent is
    recorded as now (UTC) with the current privacy-notice version.

    The response is filed under its practice, and its confirmation email queued, by the worker
    (``SURVEY_FILING=worker``, the default) or here (``inline``):
    ``crm.responses.intake.file_accepted``.
    With the token of an open personal invitation (``form_data["invitation"]``) the invitation
    is marked answered now, and filing puts the response under the invited contact's practice
    without triage; a token that is no longer usable (answered, expired, unknown) is ignored.
    """
    link = open_link(form_data.get("invitation")) if form_data.get("invitation") else None
    response_id = accept_response(
        survey_answers(form_data),
        language=language,
        submission_token=form_data["submission_token"],
        consent_at=utcnow(),
        privacy_notice_version=current_app.config["PRIVACY_NOTICE_VERSION"],
        source="web",
    )
    if response_id is None:
        logger.info("repeated submit ignored")
        return False
    if link is not None and link.state == LinkState.OPEN:
        record_response(link.invitation, response_id)
    if current_app.config["SURVEY_FILING"] == "inline":
        file_accepted(db.session.get(SurveyResponse, response_id))
    return True
