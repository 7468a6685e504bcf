"""Data-subject requests: find, export, erase (issue 6), and retention purge."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import JSON, String, Text, func, select

from crm import audit
from crm.extensions import db as _db
from crm.intake import intake_response
from crm.models import Contact, Interest, SurveyResponse
from crm.operations.privacy import erase_subject, export_subject, find_subject

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
    # The shared email filed both under one practice (SPEC §3), with one contact.
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
    from crm.models import AuditEvent

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
