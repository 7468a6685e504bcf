"""Emails the CRM sends to respondents and contacts, each in its recipient's language, through
the outbox (docs/architecture.md#worker).

They never echo what a respondent typed (names, practice names, comments): only our own text,
program names and CLDR country names.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _

from crm.countries import queries
from crm.outreach import outbox
from crm.outreach.alerts import alert_message
from crm.outreach.models import OutboxMessage
from crm.responses.models import INTERESTED_LEVELS, SurveyResponse
from crm.responses.questionnaire import INTEREST_KEYS


def chosen_programs(answers: dict) -> list[str]:
    """Program codes the respondent is very or somewhat interested in, in program order."""
    return [code for code, key in INTEREST_KEYS.items() if answers.get(key) in INTERESTED_LEVELS]


def queue_confirmation(response: SurveyResponse) -> OutboxMessage | None:
    """Queue the confirmation of a survey response to its respondent, in the survey's language:
    the programs chosen, whether each is available in their country today, what happens next.

    Returns None when the response gave no email. The caller commits (with the response).
    """
    email = (response.answers.get("email") or "").strip()
    if not email:
        return None
    country = response.country_code
    launched = queries.launched_programs(country)
    programs = [
        {"code": code, "available": code in launched} for code in chosen_programs(response.answers)
    ]
    return outbox.queue_email(
        "confirmation",
        email,
        response.language,
        "confirmation",
        dedupe_key=f"confirmation:{response.id}",
        country=country,
        programs=programs,
    )


def next_step(program: str, available: bool) -> str:
    """What happens next for a respondent interested in ``program`` (translated sentence)."""
    if program == "QTP":
        return _("We will tell you about the next Quality Training Program sessions and licensing.")
    if available:
        if program == "QCP":
            return _("Our team will contact you about applying for certification.")
        return _("Our team will contact you about the participation agreement.")
    return _("Your interest counts toward opening it in your country; we will write when it opens.")


def init_app(app: Flask) -> None:
    """Configure mail delivery and expose ``next_step`` and ``alert_message`` to templates."""
    outbox.configure_mail(app)
    app.jinja_env.globals["next_step"] = next_step
    app.jinja_env.globals["alert_message"] = alert_message
