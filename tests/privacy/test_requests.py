"""Data-subject requests: find, export, erase, and retention purge; email sent to the
person and their invitations included."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import JSON, String, Text, func, literal, select

from crm import labels
from crm.activities.models import Activity
from crm.audit import operations as audit
from crm.audit.models import AuditEvent
from crm.core.extensions import db as _db
from crm.outreach import outbox
from crm.outreach.emails import queue_confirmation
from crm.outreach.models import OUTBOX_STATUSES, Invitation, OutboxMessage
from crm.privacy.copies import contains_any
from crm.privacy.operations import erase_subject, export_subject, find_subject
from crm.responses.intake import intake_response
from crm.responses.models import Contact, Interest, SurveyResponse

EMAIL = "Maria.Souza@Clinica.example"
NAME = "Maria Conceição Souza"


def submit(db, email=EMAIL, name=NAME, practice="Clínica Aurora", at=None, **extra):
    result = intake_response(
        {
            "name": name,
            "email": email,
            "practice_name": practice,
            "country": "BR",
            "city": "Recife",
            "phone": "+55 81 99999-0000",
            "asco_members_count": 1,
            "reads_english": "yes",
            "interest_qopi": "very",
            "comments": f"Sou {name}",
            "consent": True,
            "permission_to_contact": True,
            **extra,
        },
        language="pt_BR",
        submission_token=uuid.uuid4().hex,
        consent_at=at or datetime.now(UTC),
        privacy_notice_version="2026-11",
        submitted_at=at,
    )
    db.session.commit()
    return result.response


def interested_practices(db) -> int:
    return db.session.scalar(
        select(func.count(Interest.id)).where(Interest.level.in_(("very", "somewhat")))
    )


def text_copies(db, needle: str) -> list[str]:
    """Every table.column whose text (JSON included) still contains ``needle``."""
    found = []
    needles = {needle.lower(), json.dumps(needle.lower())[1:-1]}
    for table in _db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | Text | JSON):
                continue
            for (value,) in db.session.execute(select(column)):
                text = (json.dumps(value) if not isinstance(value, str) else value or "").lower()
                if any(n in text for n in needles) or needle.lower() in str(value).lower():
                    found.append(f"{table.name}.{column.name}")
    return found


def test_find_gathers_contacts_and_responses_case_insensitively(db):
    submit(db)
    submit(db, practice="Hospital Boa Vista")
    records = find_subject("maria.souza@clinica.example ")
    assert len(records.responses) == 2
    # The shared email filed both under one practice, with one contact
    # (docs/domain.md#eligible-practices).
    assert len(records.contacts) == 1
    assert [p.name for p in records.practices] == ["Clínica Aurora"]


def test_export_holds_the_answers(db):
    submit(db)
    exported = export_subject(find_subject(EMAIL))
    assert exported["survey_responses"][0]["answers"]["name"] == NAME
    assert exported["contacts"][0]["email"] == EMAIL
    json.dumps(exported)


def test_erasure_leaves_no_copy_anywhere_and_keeps_counts(db):
    submit(db)
    submit(db, at=datetime.now(UTC) + timedelta(minutes=1))
    other = submit(
        db, email="someone@else.example", name="Pedro Alves", practice="Outra", phone="+55 1 2"
    )
    contact = db.session.get(Contact, other.contact_id)
    # A staff edit whose audit trail quotes the person (as a contact edit would).
    audit.record("contact.update", "contact", 1, {"email": [None, EMAIL], "name": ["x", NAME]})
    db.session.commit()
    before = interested_practices(db)

    counts = erase_subject(find_subject(EMAIL))
    db.session.commit()

    assert counts["responses"] == 2
    for needle in (EMAIL, NAME, "+55 81 99999-0000"):
        assert text_copies(db, needle) == [], needle
    assert interested_practices(db) == before
    assert db.session.get(Contact, contact.id).name == "Pedro Alves"
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 3


def test_erasure_is_audited_without_personal_data(db):
    submit(db)
    erase_subject(find_subject(EMAIL))
    db.session.commit()
    assert text_copies(db, EMAIL) == []
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.erase"))
    assert event.changes["erased"][1]["responses"] == 1


def test_only_admins_reach_the_screen(client, create_user, login):
    login(create_user("staff"))
    assert client.get("/staff/privacy-requests/").status_code == 403


def test_admin_finds_exports_and_erases_through_the_screen(client, db, create_user, login):
    submit(db)
    login(create_user("admin"))
    page = client.post("/staff/privacy-requests/", data={"email": EMAIL})
    assert NAME in page.get_data(as_text=True)
    exported = client.post("/staff/privacy-requests/export", data={"email": EMAIL})
    assert exported.json["survey_responses"][0]["answers"]["email"] == EMAIL
    refused = client.post(
        "/staff/privacy-requests/erase", data={"email": EMAIL, "confirmation": "wrong@x.example"}
    )
    assert refused.status_code == 400
    assert "The confirmation did not match" in refused.get_data(as_text=True)
    assert text_copies(db, EMAIL)
    client.post("/staff/privacy-requests/erase", data={"email": EMAIL, "confirmation": EMAIL})
    assert text_copies(db, EMAIL) == []


def test_erasing_an_address_nothing_is_held_about_says_so_and_writes_nothing(
    client, db, create_user, login
):
    submit(db)
    login(create_user("admin"))
    other = "nobody@else.example"
    reply = client.post(
        "/staff/privacy-requests/erase",
        data={"email": other, "confirmation": other},
        follow_redirects=True,
    )
    assert "Nothing is held about this email address." in reply.get_data(as_text=True)
    assert not db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.erase"))
    assert text_copies(db, EMAIL)


def test_the_search_keeps_the_email_out_of_the_url(client, db, create_user, login):
    submit(db)
    login(create_user("admin"))
    html = client.get("/staff/privacy-requests/").get_data(as_text=True)
    assert '<form method="post" action="/staff/privacy-requests/"' in html
    # A GET with the address in its query string (as a bookmarked URL would) finds nothing.
    found = client.get("/staff/privacy-requests/", query_string={"email": EMAIL})
    assert NAME not in found.get_data(as_text=True)


def invoke(app, *args):
    return CliRunner().invoke(app.cli, list(args), catch_exceptions=False)


@pytest.fixture
def old_responses(db):
    long_ago = datetime.now(UTC) - timedelta(days=400)
    spam = submit(db, email="spam@x.example", name="Bot", practice="Spam", at=long_ago)
    kept = submit(db, email="kept@x.example", name="Keeper", practice="Real", at=long_ago)
    spam.triage_status = "spam"
    db.session.commit()
    return spam.id, kept.id


def test_purge_is_a_dry_run_by_default(app, db, old_responses):
    result = invoke(app, "purge")
    assert "Would delete" in result.output
    assert "1 spam" in result.output
    assert db.session.get(SurveyResponse, old_responses[0]) is not None


def test_purge_apply_deletes_only_what_is_past_retention(app, db, old_responses):
    recent_spam = submit(db, email="new@x.example", name="New Bot", practice="Spam 2")
    recent_spam.triage_status = "spam"
    db.session.commit()
    result = invoke(app, "purge", "--apply")
    assert "Deleted" in result.output
    db.session.expire_all()
    assert db.session.get(SurveyResponse, old_responses[0]) is None
    assert db.session.get(SurveyResponse, old_responses[1]) is not None
    assert db.session.get(SurveyResponse, recent_spam.id) is not None


def test_purge_deletes_contacts_left_without_any_response(app, db, old_responses):
    spam_contact = db.session.get(SurveyResponse, old_responses[0]).contact_id
    kept_contact = db.session.get(SurveyResponse, old_responses[1]).contact_id
    result = invoke(app, "purge", "--apply")
    assert "1 contacts left without a response" in result.output
    db.session.expire_all()
    assert db.session.get(Contact, spam_contact) is None
    assert db.session.get(Contact, kept_contact) is not None


def test_purge_keeps_a_contact_with_a_response_still_kept(app, db, old_responses):
    spam = db.session.get(SurveyResponse, old_responses[0])
    # The same person answers again, properly, today.
    again = submit(db, email="spam@x.example", name="Bot", practice="Spam")
    assert again.contact_id == spam.contact_id
    result = invoke(app, "purge", "--apply")
    assert "0 contacts left without a response" in result.output
    db.session.expire_all()
    assert db.session.get(Contact, spam.contact_id) is not None


# --- email and invitations held about the address ----------------------------------------------


def test_find_and_export_include_email_sent_and_invitations(db):
    from tests.outreach.helpers import invite

    response = submit(db)
    contact = db.session.get(Contact, response.contact_id)
    queue_confirmation(response)
    db.session.commit()
    invite(db, contact)
    records = find_subject(EMAIL)
    assert sorted(m.kind for m in records.emails) == ["confirmation", "invitation"]
    [(invitation, status)] = records.invitations
    assert (invitation.contact_id, status) == (contact.id, "queued")
    exported = export_subject(records)
    assert {e["kind"]: e["status"] for e in exported["emails"]} == {
        "confirmation": "queued",
        "invitation": "queued",
    }
    assert all(e["recipient"] == EMAIL for e in exported["emails"])
    assert all(e["subject"] and e["created_at"] for e in exported["emails"])
    [exported_invitation] = exported["invitations"]
    assert exported_invitation["practice"] == "Clínica Aurora"
    assert exported_invitation["status"] == "queued"
    assert exported_invitation["expires_at"]
    assert exported_invitation["unsubscribed_at"] is None
    json.dumps(exported)


def only_an_email_left(db) -> OutboxMessage:
    """A confirmation sent to the address, whose response and contact are gone since (deleted
    by staff): the email is all that is held."""
    response = submit(db)
    message = queue_confirmation(response)
    message.status, message.sent_at = "sent", datetime.now(UTC)
    db.session.commit()
    contact_id = response.contact_id
    db.session.delete(response)
    db.session.delete(db.session.get(Contact, contact_id))
    db.session.commit()
    return message


def test_the_screen_names_each_email_status_in_outbox_terms(client, db, create_user, login):
    for status in OUTBOX_STATUSES:
        row = outbox.queue_email("test", EMAIL, "en", "confirmation", country="BR", programs=[])
        row.status = status
    db.session.commit()
    login(create_user("admin"))
    page = client.post("/staff/privacy-requests/", data={"email": EMAIL}).get_data(as_text=True)
    # The status is each email row's third of four cells.
    cell = "<td>[^<]*</td>"
    statuses = re.findall(f"<tr>{cell}{cell}<td>([^<]*)</td>{cell}</tr>", page)
    assert sorted(statuses) == ["Being sent", "Failed", "Queued", "Sent"]
    assert "Not delivered" not in page  # the invitations' wording
    assert set(labels.OUTBOX_STATUS) == set(OUTBOX_STATUSES)


def test_an_address_with_only_email_sent_to_it_is_not_nothing(client, db, create_user, login):
    only_an_email_left(db)
    login(create_user("admin"))
    page = client.post("/staff/privacy-requests/", data={"email": EMAIL}).get_data(as_text=True)
    assert "Nothing is held" not in page
    assert "Recebemos suas respostas" in page  # the confirmation's subject, in Portuguese
    assert "Erase this person" in page
    exported = client.post("/staff/privacy-requests/export", data={"email": EMAIL}).json
    assert [e["kind"] for e in exported["emails"]] == ["confirmation"]


def test_erasing_an_address_with_only_email_sent_to_it_anonymizes_the_email(
    client, db, create_user, login
):
    message_id = only_an_email_left(db).id
    login(create_user("admin"))
    reply = client.post(
        "/staff/privacy-requests/erase",
        data={"email": EMAIL, "confirmation": EMAIL},
        follow_redirects=True,
    )
    assert "1 emails deleted or anonymized" in reply.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message_id).recipient == "[erased]"
    assert text_copies(db, EMAIL) == []
    assert find_subject(EMAIL).is_empty


def test_erasure_drops_queued_email_anonymizes_sent_email_and_ends_invitations(db):
    from tests.outreach.helpers import invite

    response = submit(db)
    sent = queue_confirmation(response)
    sent.status, sent.sent_at = "sent", datetime.now(UTC)
    db.session.commit()
    invitation, _token = invite(db, db.session.get(Contact, response.contact_id))
    queued_id, sent_id = invitation.outbox_message_id, sent.id

    counts = erase_subject(find_subject(EMAIL))
    db.session.commit()

    assert (counts["unsent_emails"], counts["sent_emails"], counts["invitations"]) == (1, 1, 1)
    assert db.session.get(OutboxMessage, queued_id) is None
    assert db.session.get(OutboxMessage, sent_id).recipient == "[erased]"
    invitation = db.session.get(Invitation, invitation.id)
    assert invitation.expires_at <= datetime.now(UTC)
    assert invitation.contact.name == "[erased]"
    for needle in (EMAIL, NAME):
        assert text_copies(db, needle) == [], needle
    assert find_subject(EMAIL).is_empty


# --- retention: email to purged addresses ------------------------------------------------------


@pytest.fixture
def old_emails(db, old_responses):
    """The spammer's confirmation (sent) and the keeper's (queued), and a later email to the
    spammer's address alone (a reminder: it is the spammer's too)."""
    spam_id, kept_id = old_responses
    rows = {}
    for name, response_id in (("spam", spam_id), ("kept", kept_id)):
        rows[name] = queue_confirmation(db.session.get(SurveyResponse, response_id))
    rows["spam"].status = "sent"
    rows["spam_other"] = outbox.queue_email(
        "test", "SPAM@x.example", "en", "confirmation", country="BR", programs=[]
    )
    db.session.commit()
    return {name: row.id for name, row in rows.items()}


def test_purge_dry_run_reports_the_email_to_purged_addresses(app, db, old_emails):
    result = invoke(app, "purge")
    assert "and 2 emails sent or queued to their addresses" in result.output
    assert db.session.get(OutboxMessage, old_emails["spam"]) is not None


def test_purge_deletes_the_email_to_purged_addresses_only(app, db, old_emails):
    result = invoke(app, "purge", "--apply")
    assert "and 2 emails sent or queued to their addresses" in result.output
    db.session.expire_all()
    assert db.session.get(OutboxMessage, old_emails["spam"]) is None
    assert db.session.get(OutboxMessage, old_emails["spam_other"]) is None
    assert db.session.get(OutboxMessage, old_emails["kept"]) is not None
    assert text_copies(db, "spam@x.example") == []


def test_purge_keeps_email_to_an_address_still_held(app, db, old_emails):
    # The spammer answers again, properly: their address is still held, only the purged
    # response's own confirmation goes.
    submit(db, email="spam@x.example", name="Bot", practice="Spam")
    invoke(app, "purge", "--apply")
    db.session.expire_all()
    assert db.session.get(OutboxMessage, old_emails["spam"]) is None
    assert db.session.get(OutboxMessage, old_emails["spam_other"]) is not None


def test_purge_audits_the_number_of_emails(app, db, old_emails):
    invoke(app, "purge", "--apply")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention.purge"))
    assert event.changes["deleted"][1]["emails"] == 2


# --- what the sweep matches -----------------------------------------------------------------------


def note(practice_id: int, body: str) -> Activity:
    activity = Activity(kind="note", practice_id=practice_id, subject="Nota", body=body)
    _db.session.add(activity)
    return activity


def test_erasure_leaves_a_name_inside_longer_words_of_other_people(db):
    own = submit(db, email="ana@x.example", name="Ana Li", practice="Consultório Ana Li")
    other = submit(
        db,
        email="joana@x.example",
        name="Mariana Lima",
        practice="Banana Lime Oncologia",
        comments="Indicada por Ana Lívia; escreva a joana@x.example.org",
    )
    kept = {
        note(other.practice_id, "Banana Lime pediu proposta; Susana Li também."): (
            "Banana Lime pediu proposta; Susana Li também."
        ),
        note(other.practice_id, "Copiar joana@x.example e ana@x.example.org"): (
            "Copiar joana@x.example e ana@x.example.org"
        ),
    }
    erased = note(other.practice_id, "Ligar para ANA LI (ana@x.example), não para Ana Lima.")
    db.session.commit()

    erase_subject(find_subject("ana@x.example"))
    db.session.commit()
    db.session.expire_all()

    for activity, body in kept.items():
        assert db.session.get(Activity, activity.id).body == body
    assert db.session.get(Activity, erased.id).body == (
        "Ligar para [erased] ([erased]), não para Ana Lima."
    )
    other = db.session.get(SurveyResponse, other.id)
    assert other.practice.name == "Banana Lime Oncologia"
    assert other.answers["name"] == "Mariana Lima"
    assert other.answers["comments"] == "Indicada por Ana Lívia; escreva a joana@x.example.org"
    assert db.session.get(Contact, other.contact_id).email == "joana@x.example"
    assert db.session.get(SurveyResponse, own.id).practice.name == "Consultório [erased]"


def may_hold(db, text: str, value: str) -> bool:
    """Whether the sweep's SQL filter reads a row holding ``text`` for ``value``."""
    return db.session.scalar(select(contains_any(literal(text), [value])))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Ángela Núñez", "Ángela Núñez"),
        ("Nota: ANGELA NUNEZ ligou", "Ángela Núñez"),
        ("angela nuñez", "Ángela Núñez"),
        ("ÁNGELA NÚÑEZ", "Ángela Núñez"),
        ("Angela\nNúñez", "Ángela Núñez"),
        (json.dumps({"name": "Ángela Núñez"}), "Ángela Núñez"),
        (json.dumps({"name": "ÁNGELA NÚÑEZ"}), "Ángela Núñez"),
        ("Ana li", "Ana Li"),
        ("MARIA.SOUZA@clinica.example", EMAIL),
        (json.dumps({"phone": "+55 81 99999-0000"}), "+55 81 99999-0000"),
    ],
)
def test_the_sweep_reads_copies_in_any_case_accents_or_escaping(db, text, value):
    assert may_hold(db, text, value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # Letter runs scattered over a long text: the old skeletons read these.
        ("Reunião com Mariana em Lisboa", "Ana Li"),
        ("Ángela Pérez y Juan Núñez", "Ángela Núñez"),
        ("Maria Souza da clinica (example)", EMAIL),
        ("Ramal 55, sala 81, protocolo 99999-10000", "+55 81 99999-0000"),
    ],
)
def test_the_sweep_does_not_read_rows_that_merely_share_letters(db, text, value):
    assert not may_hold(db, text, value)


def test_erasure_leaves_an_email_being_sent_to_the_worker_and_anonymizes_it(db):
    response = submit(db)
    sending = queue_confirmation(response)
    sending.status, sending.locked_by = "sending", "worker-1"
    sending.locked_until = datetime.now(UTC) + outbox.CLAIM_TTL
    queued = outbox.queue_email("test", EMAIL, "en", "confirmation", country="BR", programs=[])
    db.session.commit()
    sending_id, queued_id = sending.id, queued.id

    counts = erase_subject(find_subject(EMAIL))
    db.session.commit()

    assert (counts["unsent_emails"], counts["sending_emails"], counts["sent_emails"]) == (1, 1, 0)
    assert db.session.get(OutboxMessage, queued_id) is None
    row = db.session.get(OutboxMessage, sending_id)
    assert (row.status, row.recipient) == ("sending", "[erased]")
    for needle in (EMAIL, NAME):
        assert text_copies(db, needle) == [], needle
    # Should the worker never come back, the row is taken over and refused, not sent.
    later = datetime.now(UTC) + outbox.CLAIM_TTL + timedelta(minutes=1)
    assert outbox.deliver_due(now=later)["rejected"] == 1
    db.session.refresh(row)
    assert row.status == "failed"


@pytest.mark.skipif(
    __import__("tests.conftest", fromlist=["ON_POSTGRES"]).ON_POSTGRES,
    reason="SQLite's single write lock only",
)
def test_the_erasure_scan_runs_before_it_writes_so_submits_are_not_locked_out(db, monkeypatch):
    """The sweep's long scan reads before the erasure's first write: meanwhile another
    connection (a survey submit) can still take SQLite's write lock at once."""
    import sqlite3

    from crm.privacy import operations as privacy

    submit(db)
    db.session.commit()
    path = db.engine.url.database
    writable_during_scan = []
    real_plan = privacy.plan_sweep

    def plan_then_try_a_write(found):
        plan = real_plan(found)
        other = sqlite3.connect(path, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            writable_during_scan.append(True)
        except sqlite3.OperationalError:
            writable_during_scan.append(False)
        finally:
            other.close()
        return plan

    monkeypatch.setattr(privacy, "plan_sweep", plan_then_try_a_write)
    plan = privacy.plan_erasure(EMAIL)
    assert writable_during_scan == [True]
    monkeypatch.setattr(privacy, "plan_sweep", real_plan)
    counts = erase_subject(find_subject(EMAIL), plan)
    db.session.commit()
    assert counts["responses"] == 1
    for needle in (EMAIL, NAME):
        assert text_copies(db, needle) == [], needle


def test_a_copy_written_after_the_scan_is_erased_too(db):
    """Rows added between the scan and the erasure (a note typed meanwhile) are read by id."""
    from crm.privacy import operations as privacy

    submit(db)
    db.session.commit()
    plan = privacy.plan_erasure(EMAIL)
    audit.record("contact.update", "contact", 1, {"note": [None, f"Called {NAME} at {EMAIL}"]})
    db.session.commit()
    erase_subject(find_subject(EMAIL), plan)
    db.session.commit()
    for needle in (EMAIL, NAME):
        assert text_copies(db, needle) == [], needle
