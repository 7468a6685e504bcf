"""Survey drafts and the person's rights (docs/domain.md#drafts): a data-subject request finds
and exports them and erasure deletes them; retention deletes them past their day, with the
emails that carried their links."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner
from freezegun import freeze_time
from sqlalchemy import select

from crm.audit.models import AuditEvent
from crm.core.columns import utcnow
from crm.core.jobs import run_daily_jobs
from crm.drafts.models import SurveyDraft
from crm.outreach import outbox
from crm.outreach.models import OutboxMessage
from crm.privacy.operations import erase_subject, export_subject, find_subject
from crm.privacy.retention import delete_expired_drafts
from tests.outreach.helpers import invite, new_contact
from tests.surveys.support import HALF_WAY, resume_path, save

EMAIL = HALF_WAY["email"]


def drafts(db) -> list[SurveyDraft]:
    return list(db.session.scalars(select(SurveyDraft).order_by(SurveyDraft.id)))


def resume_emails(db) -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "resume_link"))
    )


def test_a_request_finds_a_draft_by_the_email_typed_in_it(client, db):
    save(client)
    records = find_subject(EMAIL.upper())
    assert [d.answers["name"] for d in records.drafts] == ["Lucía Gómez"]
    assert not records.is_empty
    assert records.count == 2  # the draft, and the email that carried its link


def test_a_request_finds_a_draft_saved_from_the_persons_invitation(client, db):
    contact = new_contact(db)
    invitation, token = invite(db, contact)
    save(client, invitation=token, email="")  # no email typed: found by the invitation
    records = find_subject(contact.email)
    assert [d.invitation_id for d in records.drafts] == [invitation.id]


def test_the_export_holds_the_drafts_answers(client, db):
    save(client)
    exported = export_subject(find_subject(EMAIL))
    [draft] = exported["saved_drafts"]
    assert draft["answers"]["practice_name"] == "Centro Oncológico del Sur"
    assert draft["language"] == "es"
    assert draft["expires_at"] > draft["saved_at"]


def test_erasure_deletes_the_draft_its_link_and_its_email(client, db):
    path = resume_path(save(client))
    counts = erase_subject(find_subject(EMAIL))
    db.session.commit()
    assert counts["drafts"] == 1
    assert drafts(db) == []
    assert resume_emails(db) == []
    assert client.get(path).status_code == 404
    assert find_subject(EMAIL).is_empty


def test_erasure_of_someone_else_leaves_a_draft_alone(client, db):
    save(client)
    save(client, email="otra.persona@centro.example", name="Otra Persona")
    erase_subject(find_subject(EMAIL))
    db.session.commit()
    assert [d.email_key for d in drafts(db)] == ["otra.persona@centro.example"]


def test_the_screen_lists_and_erases_drafts(client, db, create_user, login):
    save(client)
    login(create_user("admin"))
    page = client.post("/staff/privacy-requests/", data={"email": EMAIL}).get_data(as_text=True)
    assert "Saved survey drafts" in page
    erased = client.post(
        "/staff/privacy-requests/erase",
        data={"email": EMAIL, "confirmation": EMAIL},
        follow_redirects=True,
    )
    assert "1 saved survey draft deleted." in erased.get_data(as_text=True)
    assert drafts(db) == []


# --- retention ---------------------------------------------------------------------------------


def test_the_daily_job_deletes_drafts_past_their_day_only(client, db):
    expired_path = resume_path(save(client))
    with freeze_time(utcnow() + timedelta(days=20)):
        kept_path = resume_path(save(client, email="later@centro.example"))
    with freeze_time(utcnow() + timedelta(days=30, minutes=1)):
        run_daily_jobs()
        assert client.get(expired_path).status_code == 404  # gone, not merely expired
        assert client.get(kept_path).status_code == 200
    assert [d.email_key for d in drafts(db)] == ["later@centro.example"]
    assert [m.recipient for m in resume_emails(db)] == ["later@centro.example"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention.drafts"))
    assert event.changes == {"deleted": [None, 1]}


def test_the_daily_job_keeps_a_draft_saved_again_before_its_day(client, db):
    token = resume_path(save(client)).rsplit("/", 1)[1]
    with freeze_time(utcnow() + timedelta(days=25)):
        save(client, draft=token)
    with freeze_time(utcnow() + timedelta(days=31)):
        assert delete_expired_drafts() == 0
    assert len(drafts(db)) == 1


def test_purge_reports_and_deletes_expired_drafts(app, client, db):
    save(client)
    runner = CliRunner()
    with freeze_time(utcnow() + timedelta(days=31)):
        dry = runner.invoke(app.cli, ["purge"], catch_exceptions=False)
        assert "Survey drafts past their day: 1." in dry.output
        assert len(drafts(db)) == 1
        applied = runner.invoke(app.cli, ["purge", "--apply"], catch_exceptions=False)
    assert "Survey drafts past their day: 1." in applied.output
    db.session.expire_all()
    assert drafts(db) == []
    assert resume_emails(db) == []


def test_a_resume_link_email_is_held_back_once_its_draft_is_gone(client, db):
    save(client)
    [draft] = drafts(db)
    db.session.delete(draft)
    db.session.commit()
    counts = outbox.deliver_due()
    assert counts["withheld"] == 1
    [email] = resume_emails(db)
    assert email.status == "failed"
