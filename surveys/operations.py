"""Survey intake: validated form data → ``crm.responses.questionnaire`` answers →
``crm.responses.intake``; drafts saved from the survey page → ``crm.drafts``."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from crm.core.columns import utcnow
from crm.core.extensions import db
from crm.drafts import operations as drafts
from crm.drafts.queries import open_draft, open_invitation
from crm.outreach.models import Invitation
from crm.outreach.operations import record_response
from crm.outreach.queries import LinkState, open_link
from crm.responses import questionnaire
from crm.responses.intake import accept_response, file_accepted
from crm.responses.models import SurveyResponse
from surveys.forms import NOT_ANSWERS, SurveyForm

logger = logging.getLogger(__name__)


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
    A page that continued a draft (``form_data["draft"]``, its resume link) deletes it, and a
    draft saved from an invitation that is still open answers that invitation; an answered
    invitation's drafts are deleted too (``docs/domain.md#drafts``). A page with neither runs
    no more statements than before drafts existed.
    """
    invitation = _open_invitation(form_data)
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
    if invitation is not None:
        record_response(invitation, response_id)
    if form_data.get("draft") or invitation is not None:
        drafts.discard_sent(form_data.get("draft"), invitation.id if invitation else None)
    if current_app.config["SURVEY_FILING"] == "inline":
        file_accepted(db.session.get(SurveyResponse, response_id))
    return True


def _open_invitation(form_data: dict[str, Any]) -> Invitation | None:
    """The open invitation a survey answers: the page's own invitation link, else the one the
    continued draft was saved from; None when neither is open."""
    if form_data.get("invitation"):
        link = open_link(form_data["invitation"])
        if link.state == LinkState.OPEN:
            return link.invitation
    if form_data.get("draft"):
        draft = open_draft(form_data["draft"]).draft
        return open_invitation(draft.invitation_id) if draft is not None else None
    return None


def save_survey_draft(form: SurveyForm, *, language: str) -> drafts.SavedDraft:
    """Save what ``form`` holds as a draft (``crm.drafts.operations.save_draft``); the caller
    commits. The page's draft link (``form.draft``) keeps its draft; a page opened by an open
    personal invitation ties the draft to it. ``language`` is the page's locale; the draft
    lasts ``SURVEY_DRAFT_DAYS``."""
    invitation = None
    if form.invitation.data:
        link = open_link(form.invitation.data)
        invitation = link.invitation if link.state == LinkState.OPEN else None
    return drafts.save_draft(
        form.typed_answers(),
        language=language,
        submission_token=form.submission_token.data,
        days=current_app.config["SURVEY_DRAFT_DAYS"],
        token=form.draft.data or None,
        invitation=invitation,
    )
