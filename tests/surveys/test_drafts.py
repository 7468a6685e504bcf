"""Save and continue later, without JavaScript (docs/domain.md#drafts): a save stores what was
typed under a personal resume link (only its digest kept) and emails the link in the survey's
language; the link brings every answer back in that language; sending deletes the draft; an
invitation's own link reopens its draft."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from crm.core.columns import utcnow
from crm.drafts.models import SurveyDraft
from crm.drafts.queries import digest
from crm.outreach.models import Invitation
from crm.responses.models import SurveyResponse
from tests.outreach.helpers import invite, link_path, new_contact, outbox_rows
from tests.surveys.support import (
    HALF_WAY,
    error_of,
    half_way,
    resume_path,
    save,
    stored_responses,
    valid_form,
)


def drafts(db) -> list[SurveyDraft]:
    return list(db.session.scalars(select(SurveyDraft).order_by(SurveyDraft.id)))


def value_of(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    if match is None:
        match = re.search(rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', html)
    return match.group(1) if match else None


def checked(html: str, name: str) -> list[str]:
    tags = re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)
    return [re.search(r'value="([^"]*)"', t).group(1) for t in tags if " checked" in t]


# --- saving ------------------------------------------------------------------------------------


def test_a_save_stores_what_was_typed_and_only_the_links_digest(client, db):
    response = save(client)
    path = resume_path(response)
    assert response.headers["Location"].endswith("?saved=1")
    token = path.rsplit("/", 1)[1]
    assert path == f"/es/survey/resume/{token}"
    [draft] = drafts(db)
    assert draft.token_hash == digest(token)
    assert token not in str(draft.answers)
    assert token != draft.token_hash
    assert draft.language == "es"
    assert draft.answers["asco_members_count"] == "1.500"  # as typed, in the page's style
    assert draft.answers["qtp_formats"] == ["one_day", "train_the_trainer"]
    assert draft.email_key == "lucia.gomez@centro.example"
    assert draft.expires_at - draft.saved_at == timedelta(days=30)
    assert stored_responses() == 0


def test_a_draft_never_keeps_the_consent(client, db):
    save(client, consent="y", permission_to_contact="y")
    [draft] = drafts(db)
    assert "consent" not in draft.answers
    assert draft.answers["permission_to_contact"] == "y"


def test_a_draft_lasts_the_configured_days(app, client, db):
    app.config["SURVEY_DRAFT_DAYS"] = 3
    save(client)
    [draft] = drafts(db)
    assert draft.expires_at - draft.saved_at == timedelta(days=3)


def test_the_page_after_a_save_shows_the_link_and_keeps_every_answer(client):
    response = client.get(save(client).headers["Location"])
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert "Sus respuestas están guardadas" in html
    link = re.search(r'class="draft-link"><a href="([^"]+)"', html).group(1)
    assert urlsplit(link).path == urlsplit(response.request.url).path
    assert "También enviamos el enlace al correo electrónico que escribió." in html
    assert value_of(html, "name") == "Lucía Gómez"
    assert value_of(html, "asco_members_count") == "1.500"


def test_the_link_is_emailed_in_the_surveys_language_repeating_nothing_typed(client, db):
    path = resume_path(save(client, "pt", preferred_language="es"))
    [email] = outbox_rows(db, "resume_link")
    assert email.recipient == "Lucia.Gomez@Centro.example"
    assert email.recipient_name is None
    assert email.language == "pt_BR"
    assert email.subject == "Seu link para continuar a Pesquisa Internacional de Interesse"
    assert f"http://127.0.0.1:5000{path}" in email.text_body
    assert path in email.html_body
    typed = [v for k, v in HALF_WAY.items() if isinstance(v, str) and len(v) > 3]
    for text in (email.subject, email.text_body, email.html_body):
        assert [value for value in typed if value in text] == []
        assert "lucia" not in text.lower()


@pytest.mark.parametrize("email", ["", "lucia@", "lucia at centro", "@centro.example"])
def test_no_email_goes_out_without_a_whole_address(client, db, email):
    assert save(client, email=email).status_code == 303
    assert outbox_rows(db, "resume_link") == []
    assert drafts(db)[0].email_key is None


def test_saving_again_from_the_page_keeps_the_draft_and_its_link(client, db):
    path = resume_path(save(client))
    token = path.rsplit("/", 1)[1]
    again = client.post("/es/survey/save", data=half_way(draft=token, city="Envigado"))
    assert resume_path(again) == path
    [draft] = drafts(db)
    assert draft.answers["city"] == "Envigado"
    assert len(outbox_rows(db, "resume_link")) == 1  # the same link to the same address


def test_a_new_address_gets_the_link_again(client, db):
    token = resume_path(save(client)).rsplit("/", 1)[1]
    client.post("/es/survey/save", data=half_way(draft=token, email="otra@centro.example"))
    emails = outbox_rows(db, "resume_link")
    assert [e.recipient for e in emails] == ["Lucia.Gomez@Centro.example", "otra@centro.example"]


def test_an_expired_draft_token_in_the_page_starts_a_new_draft(client, db):
    token = resume_path(save(client)).rsplit("/", 1)[1]
    with freeze_time(utcnow() + timedelta(days=31)):
        again = client.post("/es/survey/save", data=half_way(draft=token))
    assert resume_path(again).rsplit("/", 1)[1] != token
    assert len(drafts(db)) == 2


def test_a_filled_honeypot_saves_nothing(client, db):
    response = save(client, website="http://spam.example")
    assert response.status_code == 200
    assert drafts(db) == []
    assert outbox_rows(db, "resume_link") == []


def test_a_malformed_draft_link_in_the_page_is_refused_with_the_answers_kept(client, db):
    response = save(client, draft="../../etc")
    assert response.status_code == 400
    assert drafts(db) == []
    assert value_of(response.get_data(as_text=True), "name") == "Lucía Gómez"


@pytest.mark.csrf
def test_a_save_without_the_forms_stamp_is_refused_and_stores_nothing(client, db):
    response = save(client)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert drafts(db) == []
    assert "Sus respuestas siguen aquí" in html
    assert value_of(html, "name") == "Lucía Gómez"


# --- resuming ----------------------------------------------------------------------------------


def test_the_link_brings_back_every_answer_in_the_drafts_language(client, db):
    path = resume_path(save(client))
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="es">' in html
    assert "Hola de nuevo" in html
    assert "Sus respuestas están guardadas" not in html
    for key in ("name", "email", "practice_name", "city", "asco_members_count"):
        assert value_of(html, key) == HALF_WAY[key], key
    assert checked(html, "interest_qopi") == ["very"]
    assert checked(html, "qtp_formats") == ["one_day", "train_the_trainer"]
    assert re.search(r'<option selected value="CO">|<option value="CO" selected', html)
    assert "Escribiremos más tarde." in html
    assert value_of(html, "draft") == path.rsplit("/", 1)[1]
    assert value_of(html, "submission_token") == drafts(db)[0].submission_token


def test_a_link_opened_in_another_language_goes_to_the_drafts(client):
    token = resume_path(save(client)).rsplit("/", 1)[1]
    response = client.get(f"/en/survey/resume/{token}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/es/survey/resume/{token}"


def test_an_expired_link_says_so_and_shows_nothing(client):
    path = resume_path(save(client))
    with freeze_time(utcnow() + timedelta(days=30, minutes=1)):
        response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "Lucía" not in html
    assert "Este enlace a sus respuestas guardadas venció" in html


@pytest.mark.parametrize(
    "token", ["x" * 43, "short", "A" * 44, "%00" * 3], ids=["unknown", "short", "long", "nul"]
)
def test_an_unknown_or_altered_link_is_not_found(client, token):
    response = client.get(f"/es/survey/resume/{token}")
    assert response.status_code in (400, 404)


# --- sending -----------------------------------------------------------------------------------


def test_sending_from_the_resumed_page_stores_one_response_and_ends_the_draft(client, db):
    path = resume_path(save(client))
    token = path.rsplit("/", 1)[1]
    [draft] = drafts(db)
    form = valid_form(**HALF_WAY, draft=token, submission_token=draft.submission_token)
    response = client.post("/es/survey", data=form)
    assert response.status_code == 303
    assert stored_responses() == 1
    assert drafts(db) == []
    assert outbox_rows(db, "resume_link") == []  # the email that carried the link went too
    assert client.get(path).status_code == 404
    again = client.post("/es/survey", data=form)  # the same page sent twice, or from two devices
    assert again.status_code == 303
    assert stored_responses() == 1


def test_an_ordinary_send_still_ignores_drafts(client, db, post_survey):
    save(client)
    assert post_survey().status_code == 303
    assert len(drafts(db)) == 1


# --- personal invitations ----------------------------------------------------------------------


def test_an_invitations_link_reopens_the_draft_saved_from_it(client, db):
    contact = new_contact(db)
    invitation, token = invite(db, contact)
    path = link_path(invitation.outbox_message)
    html = client.get(path).get_data(as_text=True)
    saved = client.post(
        "/es/survey/save",
        data=half_way(invitation=token, submission_token=value_of(html, "submission_token")),
    )
    assert saved.status_code == 303
    [draft] = drafts(db)
    assert draft.invitation_id == invitation.id
    html = client.get(path).get_data(as_text=True)
    assert value_of(html, "city") == "Medellín"
    assert value_of(html, "name") == "Lucía Gómez"
    assert value_of(html, "invitation") == token
    assert value_of(html, "submission_token") == draft.submission_token
    assert "estas son las respuestas que guardó" in html


def test_saving_again_from_the_invitations_link_updates_its_draft(client, db):
    invitation, token = invite(db, new_contact(db))
    save(client, invitation=token)
    save(client, invitation=token, city="Envigado")
    [draft] = drafts(db)
    assert draft.answers["city"] == "Envigado"


def test_a_draft_resumed_by_its_own_link_answers_the_invitation(client, db):
    contact = new_contact(db)
    invitation, token = invite(db, contact)
    draft_token = resume_path(save(client, invitation=token)).rsplit("/", 1)[1]
    form = valid_form(**HALF_WAY, draft=draft_token)
    assert client.post("/es/survey", data=form).status_code == 303
    stored = db.session.scalar(select(SurveyResponse).order_by(SurveyResponse.id.desc()))
    invitation = db.session.get(Invitation, invitation.id)
    assert invitation.response_id == stored.id
    assert stored.practice_id == contact.practice_id
    assert stored.triage_status == "linked"
    assert drafts(db) == []


def test_answering_an_invitation_ends_its_drafts(client, db):
    invitation, token = invite(db, new_contact(db))
    save(client, invitation=token)
    response = client.post("/es/survey", data=valid_form(**HALF_WAY, invitation=token))
    assert response.status_code == 303
    assert drafts(db) == []


# --- the page ---------------------------------------------------------------------------------


def test_the_error_summary_still_lists_every_problem_at_the_top(client):
    html = client.post("/es/survey", data=half_way()).get_data(as_text=True)
    start = html.index('class="error-summary"')
    summary = html[start : html.index("</div>", start)]
    assert start < html.index('class="survey-sections"') < html.index("<form")
    problems = re.findall(r'id="([a-z_]+)-error"', html)
    assert len(problems) >= 5
    assert summary.count("<li>") == len(problems)
    assert error_of(html, "consent")
