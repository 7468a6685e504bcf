"""Invitations: personal links that prefill the survey and link the answer without
triage, single use and expiring; one reminder; one-click unsubscribe; permission respected."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from crm.audit.models import AuditEvent
from crm.outreach import outbox
from crm.outreach import queries as invitations
from crm.outreach.models import Invitation
from crm.outreach.operations import queue_reminders, send_invitations
from crm.responses.models import Practice, SurveyResponse
from tests.outreach.helpers import (
    invite,
    link_path,
    new_contact,
    outbox_rows,
    running_smtp,
    token_in,
    unsubscribe_path,
)
from tests.surveys.support import valid_form


@pytest.fixture
def smtp(app):
    with running_smtp(app) as server:
        yield server


def status_of(db, invitation: Invitation) -> str:
    rows = db.session.execute(invitations.query_invitations()).all()
    return next(status for row, status in rows if row.id == invitation.id)


def field_value(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    if match is None:
        match = re.search(rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', html)
    return match.group(1) if match else None


def answer_through(client, invitation_token: str, **overrides):
    """Post the survey as a respondent who opened the personal link (the hidden field kept)."""
    form = valid_form(
        name="Ana Pérez 0",
        country="CO",
        preferred_language="es",
        invitation=invitation_token,
        **overrides,
    )
    return client.post("/es/survey", data=form)


# --- the personal link ---------------------------------------------------------------------------


def test_the_personal_link_prefills_the_survey(client, db):
    contact = new_contact(db, name="Ana Pérez", city="Medellín")
    invitation, token = invite(db, contact)
    response = client.get(link_path(invitation.outbox_message))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_value(html, "name") == "Ana Pérez"
    assert field_value(html, "email") == contact.email
    assert field_value(html, "practice_name") == "Clínica Número 0"
    assert field_value(html, "city") == "Medellín"
    assert field_value(html, "invitation") == token
    assert re.search(r'<option[^>]*selected[^>]*value="CO"|<option value="CO" selected', html)
    assert response.headers["Cache-Control"] == "no-store"


def test_the_link_opens_in_the_contacts_language(client, db):
    invitation, _token = invite(db, new_contact(db))
    assert link_path(invitation.outbox_message).startswith("/es/survey/i/")


def test_an_answer_through_the_link_lands_linked_without_triage(client, db):
    contact = new_contact(db)
    practices_before = db.session.scalar(select(func.count()).select_from(Practice))
    invitation, token = invite(db, contact)
    # The respondent rewrites the practice name so that no matching rule would find it.
    response = answer_through(
        client, token, email=contact.email, practice_name="CNZ Oncología", city="Cali"
    )
    assert response.status_code == 303
    stored = db.session.scalar(select(SurveyResponse).order_by(SurveyResponse.id.desc()))
    assert stored.triage_status == "linked"
    assert stored.practice_id == contact.practice_id
    assert stored.contact_id == contact.id
    assert db.session.scalar(select(func.count()).select_from(Practice)) == practices_before
    db.session.refresh(invitation)
    assert invitation.response_id == stored.id
    assert status_of(db, invitation) == "responded"


def test_a_used_link_shows_already_answered_and_no_data(client, db):
    contact = new_contact(db, name="Ana Pérez", city="Medellín")
    invitation, token = invite(db, contact)
    answer_through(client, token, email=contact.email)
    response = client.get(link_path(invitation.outbox_message))
    html = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "ya fue respondida" in html or "already been answered" in html
    for personal in ("Ana Pérez", contact.email, "Clínica Número 0", "Medellín"):
        assert personal not in html


def test_a_used_link_does_not_link_a_second_answer(client, db):
    contact = new_contact(db)
    invitation, token = invite(db, contact)
    answer_through(client, token, email=contact.email)
    answer_through(client, token, email="someone.else@other.example", practice_name="Hospital Otro")
    second = db.session.scalar(select(SurveyResponse).order_by(SurveyResponse.id.desc()))
    assert second.practice_id != contact.practice_id
    assert second.triage_status == "new"


@pytest.mark.parametrize("days_later", [30, 45])
def test_an_expired_link_gets_a_clear_page_and_no_data(app, client, db, days_later):
    contact = new_contact(db, name="Ana Pérez")
    invitation, _token = invite(db, contact)
    with freeze_time(datetime.now(UTC) + timedelta(days=days_later, minutes=1)):
        response = client.get(link_path(invitation.outbox_message))
    html = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "Este enlace de invitación ha vencido" in html
    assert "Ana Pérez" not in html
    assert contact.email not in html


@pytest.mark.parametrize(
    "alter",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token[:20],
        lambda token: token + "x",
    ],
    ids=["one-character-changed", "cut", "extended"],
)
def test_an_altered_link_gets_a_clear_page_and_no_data(client, db, alter):
    contact = new_contact(db, name="Ana Pérez")
    _invitation, token = invite(db, contact)
    response = client.get(f"/es/survey/i/{alter(token)}")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "no es válido" in html
    assert "Ana Pérez" not in html
    assert contact.email not in html


def test_only_the_digest_of_a_token_is_stored(db):
    invitation, token = invite(db, new_contact(db))
    assert invitation.token_hash == invitations.digest(token)
    stored = db.session.execute(select(Invitation.__table__)).all()
    assert all(token not in str(row) for row in stored)


# --- the email -----------------------------------------------------------------------------------


def test_the_invitation_email_is_in_the_contacts_language_with_one_click_unsubscribe(app, db, smtp):
    contact = new_contact(db, name="Ana Pérez")
    invite(db, contact)
    assert outbox.send_due() == {"sent": 1, "failed": 0}
    [message] = smtp.inbox.messages
    assert message["Subject"].strip() == "Su invitación a la Encuesta Internacional de Interés"
    unsubscribe = message["List-Unsubscribe"].strip()
    assert re.fullmatch(r"<http://127\.0\.0\.1:5000/unsubscribe/\S+>", unsubscribe)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    assert "http://127.0.0.1:5000/es/survey/i/" in text
    assert "Colombia" in text
    for typed in ("Ana Pérez", "Clínica Número 0", "Bogotá"):
        assert typed not in text
        assert typed not in message.get_body(("html",)).get_content()


def test_the_links_use_the_public_base_url(app, db):
    app.config["PUBLIC_BASE_URL"] = "https://crm.example.org/intl"
    invitation, _token = invite(db, new_contact(db))
    text = invitation.outbox_message.text_body
    assert "https://crm.example.org/intl/es/survey/i/" in text
    assert invitation.outbox_message.headers["List-Unsubscribe"].startswith(
        "<https://crm.example.org/intl/unsubscribe/"
    )


# --- status and reminder -------------------------------------------------------------------------


def test_status_follows_the_outbox_then_the_answer(client, db, smtp):
    contact = new_contact(db)
    invitation, token = invite(db, contact)
    assert status_of(db, invitation) == "queued"
    outbox.send_due()
    assert status_of(db, invitation) == "sent"
    answer_through(client, token, email=contact.email)
    assert status_of(db, invitation) == "responded"


def test_status_is_failed_when_the_email_cannot_be_delivered(db):
    invitation, _token = invite(db, new_contact(db))
    invitation.outbox_message.status = "failed"
    db.session.commit()
    assert status_of(db, invitation) == "failed"


def test_one_reminder_goes_to_a_non_responder_after_the_set_days(app, db, smtp):
    invitation, _token = invite(db, new_contact(db))
    outbox.send_due()
    assert queue_reminders(now=datetime.now(UTC) + timedelta(days=6)) == 0
    later = datetime.now(UTC) + timedelta(days=7, minutes=1)
    assert queue_reminders(now=later) == 1
    assert queue_reminders(now=later + timedelta(days=1)) == 0
    db.session.commit()
    [reminder] = outbox_rows(db, "reminder")
    assert reminder.subject.startswith("Recordatorio")
    assert reminder.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert invitation.reminder_token_hash == invitations.digest(token_in(reminder))


def test_the_reminders_link_opens_the_survey_too(client, db, smtp):
    invitation, _token = invite(db, new_contact(db))
    outbox.send_due()
    queue_reminders(now=datetime.now(UTC) + timedelta(days=8))
    db.session.commit()
    [reminder] = outbox_rows(db, "reminder")
    assert client.get(link_path(reminder)).status_code == 200


def test_no_reminder_after_an_answer(client, db, smtp):
    contact = new_contact(db)
    invitation, token = invite(db, contact)
    outbox.send_due()
    answer_through(client, token, email=contact.email)
    assert queue_reminders(now=datetime.now(UTC) + timedelta(days=8)) == 0


# --- permission and unsubscribing ----------------------------------------------------------------


def test_a_withdrawn_contact_is_never_invited(db):
    contact = new_contact(db, permission_to_contact=False)
    assert contact.permission_to_contact is False
    selection = invitations.select_contacts(invitations.Selection(country="CO"))
    assert contact.id not in {c.id for c in selection.contacts}
    sent = send_invitations([contact.id])
    assert (sent.invitations, sent.skipped) == ([], 1)


def test_a_withdrawn_contact_cannot_be_invited_through_the_screen(client, db, create_user, login):
    contact = new_contact(db, permission_to_contact=False)
    login(create_user("staff"))
    client.post(
        "/staff/invitations/new",
        data={"country": "CO", "contact_ids": [str(contact.id)], "action": "send"},
    )
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_the_unsubscribe_page_asks_then_withdraws_with_an_audit_event(client, db):
    contact = new_contact(db)
    invitation, _token = invite(db, contact)
    path = unsubscribe_path(invitation.outbox_message)
    page = client.get(path)
    assert page.status_code == 200
    assert "Cancelar la suscripción" in page.get_data(as_text=True)  # the contact's language
    assert client.post(path).status_code == 303
    db.session.refresh(contact)
    assert contact.permission_to_contact is False
    assert contact.permission_changed_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.unsubscribe"))
    assert event.entity_id == str(contact.id)
    assert event.changes == {"permission_to_contact": [True, False]}
    assert status_of(db, invitation) == "withdrawn"


@pytest.mark.csrf
def test_one_click_unsubscribe_needs_no_csrf_token(client, db):
    contact = new_contact(db)
    invitation, _token = invite(db, contact)
    response = client.post(
        unsubscribe_path(invitation.outbox_message), data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    db.session.refresh(contact)
    assert contact.permission_to_contact is False


@pytest.mark.csrf
def test_the_unsubscribe_button_needs_its_csrf_token(client, db):
    contact = new_contact(db)
    invitation, _token = invite(db, contact)
    assert client.post(unsubscribe_path(invitation.outbox_message)).status_code == 400
    db.session.refresh(contact)
    assert contact.permission_to_contact is True


def test_an_altered_unsubscribe_link_gets_a_clear_page(client, db):
    contact = new_contact(db)
    invitation, _token = invite(db, contact)
    path = unsubscribe_path(invitation.outbox_message)
    altered = path[:-2] + ("AA" if not path.endswith("AA") else "BB")
    response = client.post(altered, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 404
    db.session.refresh(contact)
    assert contact.permission_to_contact is True


def test_unsubscribing_stops_every_later_outreach_mail(client, db, smtp):
    contact = new_contact(db)
    invitation, _token = invite(db, contact)
    outbox.send_due()
    queue_reminders(now=datetime.now(UTC) + timedelta(days=8))  # queued, not yet delivered
    db.session.commit()
    client.post(unsubscribe_path(invitation.outbox_message), data={"List-Unsubscribe": "One-Click"})
    outbox.send_due(now=datetime.now(UTC) + timedelta(days=8))
    assert len(smtp.inbox.messages) == 1  # the invitation only; the reminder was held back
    [reminder] = outbox_rows(db, "reminder")
    assert reminder.status == "failed"
    assert "withdrew permission" in reminder.last_error
    assert send_invitations([contact.id]).invitations == []
    assert queue_reminders(now=datetime.now(UTC) + timedelta(days=9)) == 0


def test_unsubscribing_covers_every_contact_with_that_address(client, db):
    first = new_contact(db, 0)
    second = new_contact(db, 1, email=first.email.upper(), country="MX")
    assert second.id != first.id
    invitation, _token = invite(db, first)
    client.post(unsubscribe_path(invitation.outbox_message), data={"List-Unsubscribe": "One-Click"})
    db.session.refresh(second)
    assert second.permission_to_contact is False


# --- selection and the staff screens -------------------------------------------------------------


def test_pasted_emails_select_only_those_contacts_and_report_the_others(db):
    first, second = new_contact(db, 0), new_contact(db, 1)
    result = invitations.select_contacts(
        invitations.Selection(
            emails=invitations.parse_emails(f"{first.email.upper()}\nx@y.example")
        )
    )
    assert [c.id for c in result.contacts] == [first.id]
    assert result.unmatched_emails == ["x@y.example"]
    assert second.id not in {c.id for c in result.contacts}


def test_program_interest_narrows_the_selection(db):
    keen = new_contact(db, 0, interest_qtp="very")
    cool = new_contact(db, 1, interest_qtp="not_at_all")
    result = invitations.select_contacts(invitations.Selection(program="QTP"))
    found = {c.id for c in result.contacts}
    assert keen.id in found
    assert cool.id not in found


def test_readiness_state_narrows_the_selection(db):
    colombian = new_contact(db, 0)
    brazilian = new_contact(db, 1, country="BR")
    result = invitations.select_contacts(invitations.Selection(readiness_state="launched"))
    found = {c.id for c in result.contacts}
    assert brazilian.id in found  # QOPI is launched in Brazil
    assert colombian.id not in found


def test_a_contact_with_a_pending_invitation_is_not_offered_again(db):
    contact = new_contact(db)
    invite(db, contact)
    result = invitations.select_contacts(invitations.Selection(country="CO"))
    assert contact.id not in {c.id for c in result.contacts}


def test_staff_preview_then_send(client, db, create_user, login):
    contact = new_contact(db, name="Ana Pérez")
    login(create_user("staff"))
    page = client.get("/staff/invitations/new?country=CO&never_invited=y")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Ana Pérez" in html
    assert "Su invitación a la Encuesta Internacional de Interés" in html  # the Spanish preview
    response = client.post(
        "/staff/invitations/new",
        data={"country": "CO", "contact_ids": [str(contact.id)], "action": "send"},
    )
    assert response.status_code == 303
    invitation = db.session.scalar(select(Invitation))
    assert invitation.contact_id == contact.id
    listing = client.get("/staff/invitations/").get_data(as_text=True)
    assert f'data-invitation="{invitation.id}" data-status="queued"' in listing
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "invitation.create"))
    assert audit.entity_id == str(invitation.id)


def test_sending_with_no_contact_ticked_keeps_the_selection(client, db, create_user, login):
    new_contact(db)
    login(create_user("staff"))
    response = client.post("/staff/invitations/new", data={"country": "CO", "action": "send"})
    assert response.status_code == 422
    assert re.search(r'<option selected value="CO">', response.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_the_country_page_counts_practices_needed_and_contacts_not_invited(
    client, db, create_user, login
):
    new_contact(db, 0)
    invited = new_contact(db, 1)
    new_contact(db, 2, permission_to_contact=False)
    invite(db, invited)
    login(create_user("staff"))
    html = client.get("/staff/countries/CO").get_data(as_text=True)
    # Three eligible Colombian practices: QOPI needs 5, QCP is blocked until QOPI launches.
    assert 'data-program="QOPI" data-needed="2"' in html
    assert 'data-not-invited="1"' in html
    assert "/staff/invitations/new?country=CO&amp;never_invited=y" in html


def test_viewers_see_the_country_box_without_the_button(client, db, create_user, login):
    new_contact(db)
    login(create_user("viewer"))
    html = client.get("/staff/countries/CO").get_data(as_text=True)
    assert 'data-not-invited="1"' in html
    assert "/staff/invitations/new" not in html


def test_a_new_search_ticks_every_contact_found(client, db, create_user, login):
    contact = new_contact(db)
    login(create_user("staff"))
    html = client.post(
        "/staff/invitations/new", data={"country": "CO", "action": "find", "contact_ids": ["999"]}
    ).get_data(as_text=True)
    assert re.search(rf'value="{contact.id}" id="contact-{contact.id}" checked', html)


def test_contacts_not_invited_are_counted_up_to_a_bound(
    client, db, create_user, login, monkeypatch
):
    from crm.outreach import queries as outreach_numbers

    monkeypatch.setattr(outreach_numbers, "NOT_INVITED_COUNTED_UP_TO", 2)
    for n in range(2):
        new_contact(db, n)
    assert outreach_numbers.country_outreach("CO").more_not_invited is False
    new_contact(db, 2)
    outreach = outreach_numbers.country_outreach("CO")
    assert (outreach.not_invited, outreach.more_not_invited) == (2, True)
    login(create_user("staff"))
    html = client.get("/staff/countries/CO").get_data(as_text=True)
    assert 'data-not-invited="more"' in html
    assert "More than 2 contacts there not yet invited." in html
