"""Erasure on a realistic database: the demo data set, a person who answered the web survey
and was then worked on by staff, a namesake and a colleague sharing a phone.

After the admin erases the person through the screen, no text or JSON column of any table holds
their email, name or phone, in any case, with or without accents, or as a matching key ("Ángela
Núñez", "ANGELA NUNEZ", "angelanunez"), except the rows of the other people who bear the same
name or phone; readiness is unchanged and the erasure is audited. The person also has a practice
named after them, email sent and queued to them, an invitation, and a response still waiting
for the worker when the erasure comes (``SURVEY_FILING=worker``).
"""

from __future__ import annotations

import json
import shutil
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import JSON, String, Text, select, text
from sqlalchemy.engine import make_url

from app import create_app
from crm.audit.models import AuditEvent
from crm.cli import create_user
from crm.core.clock import org_today
from crm.core.columns import utcnow
from crm.core.extensions import db as _db
from crm.outreach import outbox
from crm.outreach.models import Invitation, OutboxMessage
from crm.privacy.operations import find_subject
from crm.readiness.queries import readiness_board
from crm.responses.matching import normalize_key
from crm.responses.models import Contact, Practice, SurveyResponse
from tests.conftest import (
    BASE_OVERRIDES,
    ON_POSTGRES,
    TEMPLATE_DB,
    TEST_DATABASE_URL,
    RequestIsolatingClient,
    _admin_engine,
)
from tests.surveys.support import valid_form

EMAIL = "Angela.Nunez@ClinicaSur.example"
NAME = "Ángela Núñez"
PHONE = "+57 601 555 0199"
#: Another person with the same name, and a colleague answering from the same switchboard.
NAMESAKE_EMAIL = "a.nunez@otraclinica.example"
COLLEAGUE_EMAIL = "recepcion@clinicasur.example"
#: A practice named after the person (in another country than their clinic).
OWN_PRACTICE = f"Consultorio Dra. {NAME}"


def unaccented(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def forms(text: str) -> tuple[str, str, str]:
    """``text`` as compared: case-folded, without accents, and as a matching key (accents,
    case, spaces and punctuation dropped: ``crm.responses.matching.normalize_key``, uncut)."""
    return text.casefold(), unaccented(text), normalize_key(text, max_length=10**9)


def copies(needle: str) -> set[tuple[str, str, str]]:
    """``(table, column, row key)`` of every text or JSON value holding ``needle`` in any case,
    with or without accents, or in its matching-key form, read row by row in Python (so no SQL
    collation decides)."""
    wanted = forms(needle)
    found = set()
    for table in _db.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        for column in table.columns:
            if not isinstance(column.type, String | Text | JSON):
                continue
            for *ids, value in _db.session.execute(select(*key, column)):
                if value is None:
                    continue
                texts = (
                    [value]
                    if isinstance(value, str)
                    else [
                        json.dumps(value, ensure_ascii=False),
                        json.dumps(value),
                    ]
                )
                if any(w in f for text in texts for w, f in zip(wanted, forms(text), strict=True)):
                    found.add((table.name, column.name, "/".join(map(str, ids))))
    return found


def survey(client, **answers) -> SurveyResponse:
    reply = client.post("/es/survey", data=valid_form(**{"country": "CO", **answers}))
    assert reply.status_code == 303, reply.get_data(as_text=True)[:500]
    token = reply.headers["Location"].rsplit("/", 1)[1]
    return _db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.submission_token == token)
    ).one()


@pytest.fixture(scope="module")
def erased(database_template, tmp_path_factory) -> Iterator[dict]:
    """The whole scenario, run once for this module: demo data, the person's survey and a staff
    member's work on it, a namesake and a colleague, then the erasure through the admin screen.
    Returns what the tests compare, read before and after."""
    with scenario_app(database_template, tmp_path_factory) as app:
        client = app.test_client()
        app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False
        result = app.test_cli_runner().invoke(args=["demo"])
        assert "Demo data loaded" in result.output, result.output
        admin = create_user("erasure-admin@society.example", "admin", "correct horse battery")
        _db.session.commit()
        reply = client.post(
            "/staff/login", data={"email": admin.email, "password": "correct horse battery"}
        )
        assert reply.status_code == 302
        others = work_on_the_person(app, client, admin)
        practice_id = _db.session.scalars(
            select(Contact.practice_id).where(
                Contact.email_key == EMAIL.lower(), Contact.practice.has(country_code="CO")
            )
        ).one()
        own_practice_id = _db.session.scalars(
            select(Practice.id).where(Practice.name == OWN_PRACTICE)
        ).one()
        held = find_subject(EMAIL)
        before = {
            "board": readiness_board(),
            "email": copies(EMAIL),
            "name": copies(NAME),
            "unsent_recipients": unsent_recipients(),
            "sent_ids": [m.id for m in held.emails if m.status == "sent"],
            "invitation_ids": [i.id for i, _status in held.invitations],
            "waiting": [r.id for r in held.responses if r.filed_at is None],
        }
        reply = client.post(
            "/staff/privacy-requests/erase", data={"email": EMAIL, "confirmation": EMAIL.lower()}
        )
        assert reply.status_code == 303
        _db.session.expire_all()
        page = client.post("/staff/privacy-requests/", data={"email": EMAIL})
        yield {
            "others": others,
            "before": before,
            "board": readiness_board(),
            "email": copies(EMAIL),
            "name": copies(NAME),
            "phone": copies(PHONE),
            "practice_contacts": _db.session.scalars(
                select(Contact).where(Contact.practice_id == practice_id)
            ).all(),
            "own_practice": _db.session.get(Practice, own_practice_id),
            "unsent_recipients": unsent_recipients(),
            "sent": [_db.session.get(OutboxMessage, i) for i in before["sent_ids"]],
            "invitations": [_db.session.get(Invitation, i) for i in before["invitation_ids"]],
            "waiting": [_db.session.get(SurveyResponse, i) for i in before["waiting"]],
            "held_after": find_subject(EMAIL),
            "page_after": page.get_data(as_text=True),
            "erase_events": _db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "privacy.erase")
            ).all(),
        }


def unsent_recipients() -> list[str]:
    statement = select(OutboxMessage.recipient).where(OutboxMessage.status != "sent")
    return sorted(_db.session.scalars(statement.order_by(OutboxMessage.id)))


@contextmanager
def scenario_app(database_template: str, tmp_path_factory) -> Iterator[Flask]:
    """An app on its own copy of the migrated, seeded template database (as ``app`` in
    conftest, but for a whole module)."""
    if ON_POSTGRES:
        name = f"crm_erasure_{uuid.uuid4().hex[:12]}"
        engine = _admin_engine()
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"'))
        url = make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    else:
        path = tmp_path_factory.mktemp("erasure") / "erasure.sqlite"
        shutil.copyfile(database_template, path)
        url = f"sqlite:///{path}"
    app = create_app({**BASE_OVERRIDES, "SQLALCHEMY_DATABASE_URI": url})
    app.test_client_class = RequestIsolatingClient
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()
    if ON_POSTGRES:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def work_on_the_person(app, client, admin) -> dict[str, set[tuple[str, str]]]:
    """The person answers, and their confirmation is sent; staff log a call, a task, a meeting
    and a note typed without accents, edit the contact and invite the person; the person answers
    for a practice named after them, then again while the worker files (left waiting); a
    namesake and a colleague sharing the phone answer too. Returns the namesake's and the
    colleague's own rows by email."""
    response = survey(
        client,
        name=NAME,
        email=EMAIL,
        phone=PHONE,
        role="Directora médica",
        practice_name="Clínica del Sur",
        city="Cali",
        comments=f"Soy {NAME}; escríbanme a {EMAIL.lower()} o al {PHONE}.",
    )
    practice_id, contact_id = response.practice_id, response.contact_id
    app.config["MAIL_BACKEND"] = "locmem"
    outbox.mail.init_app(app)
    assert outbox.send_due()["sent"] >= 1
    today = org_today().isoformat()
    for url, data in {
        # Invited first: the contact edit below withdraws the permission to contact.
        "/staff/invitations/new": {
            **dict.fromkeys(("country", "program", "readiness_state"), ""),
            "emails": EMAIL,
            "action": "send",
            "contact_ids": str(contact_id),
        },
        f"/staff/practices/{practice_id}/activities": {
            "activity-kind": "call",
            "activity-subject": f"Llamada con {NAME}",
            "activity-body": f"Confirmó su correo {EMAIL} y su teléfono {PHONE}.",
            "activity-occurred_on": today,
        },
        f"/staff/practices/{practice_id}/tasks": {
            "task-title": f"Enviar el acuerdo a {NAME.upper()}",
            "task-notes": f"Por correo a {EMAIL}",
            "task-owner_id": str(admin.id),
        },
        "/staff/countries/CO/activities": {
            "activity-kind": "meeting",
            "activity-subject": "Reunión con la sociedad nacional",
            "activity-body": f"Asistió {NAME} (Clínica del Sur).",
            "activity-occurred_on": today,
        },
        "/staff/countries/MX/activities": {
            "activity-kind": "note",
            "activity-subject": "Llamada",
            # Typed without accents, on a keyboard without them.
            "activity-body": "Angela Nunez (Clinica del Sur) pide informacion; ANGELA NUNEZ.",
            "activity-occurred_on": today,
        },
        f"/staff/contacts/{contact_id}/edit": {
            "name": NAME,
            "role": "Directora",
            "email": EMAIL,
            "phone": PHONE,
            "preferred_language": "es",
        },
    }.items():
        assert client.post(url, data=data).status_code == 303, url
    own = {
        "name": NAME,
        "email": EMAIL,
        "phone": PHONE,
        "country": "MX",
        "practice_name": OWN_PRACTICE,
        "city": "Monterrey",
    }
    assert survey(client, **own).practice.name == OWN_PRACTICE
    namesake = survey(
        client, name=NAME, email=NAMESAKE_EMAIL, phone="+57 604 555 0100", practice_name="Otra"
    )
    colleague = survey(
        client,
        name="Recepción Clínica del Sur",
        email=COLLEAGUE_EMAIL,
        phone=PHONE,
        practice_name="Clínica del Sur",
        city="Cali",
    )
    others = {}
    for other, email in ((namesake, NAMESAKE_EMAIL), (colleague, COLLEAGUE_EMAIL)):
        others[email] = {("contacts", str(other.contact_id)), ("survey_responses", str(other.id))}
    # The same answers again, left for the worker (tests/surveys/test_deferred_filing.py): the
    # erasure files them first, under the same practice, so readiness stays as it was.
    app.config["SURVEY_FILING"] = "worker"
    assert survey(client, **own).filed_at is None
    return others


def rows_of(found: set[tuple[str, str, str]]) -> set[tuple[str, str]]:
    return {(table, key) for table, _column, key in found}


def test_the_email_was_in_many_places_before(erased):
    tables = {table for table, _column, _key in erased["before"]["email"]}
    assert {"contacts", "survey_responses", "activities", "tasks", "outbox_messages"} <= tables


def test_the_email_is_nowhere_after_erasure(erased):
    assert erased["email"] == set()


def test_the_name_remains_only_in_the_namesakes_own_rows(erased):
    assert rows_of(erased["name"]) == erased["others"][NAMESAKE_EMAIL]


def test_the_phone_remains_only_in_the_colleagues_own_rows(erased):
    assert rows_of(erased["phone"]) == erased["others"][COLLEAGUE_EMAIL]


def test_readiness_states_and_eligible_counts_are_unchanged(erased):
    assert erased["board"] == erased["before"]["board"]


def test_the_persons_contact_stays_with_the_practice_anonymized(erased):
    assert [c.name for c in erased["practice_contacts"]].count("[erased]") == 1


def test_mail_not_yet_sent_to_the_person_is_dropped(erased):
    before = erased["before"]["unsent_recipients"]
    assert EMAIL in before
    assert erased["unsent_recipients"] == [r for r in before if r != EMAIL]


def test_the_erasure_is_audited_without_personal_data(erased):
    [event] = erased["erase_events"]
    assert event.changes["erased"][1]["responses"] == 3
    assert EMAIL.lower() not in json.dumps(event.changes).lower()


def test_a_note_typed_without_accents_was_found_and_erased(erased):
    assert ("activities", "body") in {(t, c) for t, c, _key in erased["before"]["name"]}
    assert erased["name"] == {n for n in erased["name"] if n[0] != "activities"}


def test_the_practice_named_after_the_person_keeps_no_key_of_the_name(erased):
    practice = erased["own_practice"]
    assert practice.name == "Consultorio Dra. [erased]"
    assert practice.name_key == normalize_key(practice.name)
    assert normalize_key(NAME) not in practice.name_key
    assert practice.city_key == normalize_key("Monterrey")


def test_the_waiting_response_was_filed_before_it_was_erased(erased):
    [response] = erased["waiting"]
    assert response.filed_at is not None
    assert response.practice_id == erased["own_practice"].id
    assert response.contact.name == "[erased]"
    assert response.answers["name"] == "[erased]"


def test_email_sent_to_the_person_keeps_no_address_or_name(erased):
    assert erased["before"]["sent_ids"]
    for message in erased["sent"]:
        assert (message.status, message.recipient) == ("sent", "[erased]")
        assert message.recipient_name in (None, "[erased]")


def test_the_invitation_link_stops_working(erased):
    [invitation] = erased["invitations"]
    assert invitation.contact.name == "[erased]"
    assert invitation.expires_at <= utcnow()


def test_nothing_is_held_about_the_email_afterwards(erased):
    assert erased["held_after"].is_empty
    assert "Nothing is held about this email address." in erased["page_after"]
