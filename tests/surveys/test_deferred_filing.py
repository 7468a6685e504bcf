"""``SURVEY_FILING=worker``, the default: a submit stores the raw answers in one INSERT and the
worker files them a moment later (practice, contact, interests, tallies, readiness, the
confirmation email). README "Performance"; the rest of the suite files inline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from config import load_config
from crm.core.columns import utcnow
from crm.outreach.models import Invitation, OutboxMessage
from crm.responses import intake
from crm.responses import operations as triage
from crm.responses.models import Contact, InterestTally, Practice, SurveyResponse
from crm.worker import file_waiting_responses, worker_command
from tests.outreach.helpers import invite, new_contact
from tests.surveys.support import valid_form


@pytest.fixture
def worker_mode(app):
    app.config["SURVEY_FILING"] = "worker"
    return app


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def only_response(db) -> SurveyResponse:
    return db.session.scalars(select(SurveyResponse)).one()


def eligible_qopi_in_brazil(db) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(InterestTally.practices), 0)).where(
            InterestTally.country_code == "BR",
            InterestTally.program_code == "QOPI",
            InterestTally.eligible.is_(True),
        )
    )


def test_worker_filing_is_the_default():
    assert load_config({})["SURVEY_FILING"] == "worker"


def test_an_unknown_filing_mode_is_refused():
    with pytest.raises(Exception, match="SURVEY_FILING must be one of"):
        load_config({"SURVEY_FILING": "later"})


def test_a_submit_stores_the_answers_and_nothing_else(worker_mode, client, db):
    response = client.post("/pt/survey", data=valid_form(submission_token="W" * 32))
    assert response.status_code == 303
    stored = only_response(db)
    assert (stored.filed_at, stored.practice_id, stored.contact_id) == (None, None, None)
    assert stored.answers["practice_name"] == "Clínica São José"
    assert (count(db, Practice), count(db, Contact), count(db, OutboxMessage)) == (0, 0, 0)
    # The thank-you page needs only the answers and the availability.
    thanks = client.get(response.headers["Location"])
    assert thanks.status_code == 200
    assert "QOPI" in thanks.get_data(as_text=True)


def test_the_worker_files_what_the_submit_would_have(worker_mode, client, db):
    before = eligible_qopi_in_brazil(db)
    client.post("/pt/survey", data=valid_form(asco_members_count="2"))
    assert eligible_qopi_in_brazil(db) == before
    assert file_waiting_responses(set()) == 1
    stored = only_response(db)
    assert stored.filed_at is not None
    assert stored.triage_status == "new"
    assert stored.practice.name == "Clínica São José"
    assert stored.contact.email == "ana@clinica.example"
    assert {i.program_code: i.level for i in stored.practice.interests} == {
        "QOPI": "very",
        "QCP": "somewhat",
        "QTP": "not_very",
    }
    [confirmation] = db.session.scalars(select(OutboxMessage)).all()
    assert (confirmation.kind, confirmation.recipient) == ("confirmation", "ana@clinica.example")
    assert confirmation.language == "pt_BR"
    assert eligible_qopi_in_brazil(db) == before + 1


def test_with_no_time_budget_each_response_gets_its_own_transaction(worker_mode, client, db):
    client.post("/pt/survey", data=valid_form())
    client.post("/pt/survey", data=valid_form(email="b@clinica.example", practice_name="Outra"))
    assert file_waiting_responses(set(), batch_seconds=0) == 2
    assert intake.pending_response_ids() == []
    assert count(db, Practice) == 2


def test_filing_twice_files_nothing_more(worker_mode, client, db):
    client.post("/pt/survey", data=valid_form())
    assert file_waiting_responses(set()) == 1
    assert file_waiting_responses(set()) == 0
    assert intake.file_pending(only_response(db).id) is False
    assert (count(db, Practice), count(db, OutboxMessage)) == (1, 1)


def test_a_repeated_submit_waits_once(worker_mode, client, db):
    form = valid_form(submission_token="R" * 32)
    first, second = client.post("/pt/survey", data=form), client.post("/pt/survey", data=form)
    assert first.headers["Location"] == second.headers["Location"]
    assert intake.pending_response_ids() == [only_response(db).id]


def test_responses_are_filed_oldest_first_and_match_each_other(worker_mode, client, db):
    client.post("/pt/survey", data=valid_form(email="ana@clinica.example"))
    client.post("/pt/survey", data=valid_form(email="bruno@clinica.example", name="Bruno"))
    assert file_waiting_responses(set()) == 2
    first, second = db.session.scalars(select(SurveyResponse).order_by(SurveyResponse.id))
    assert first.practice_id == second.practice_id
    assert (first.triage_status, second.triage_status) == ("new", "linked")


def test_the_worker_command_files_the_queue(worker_mode, app, client, db):
    client.post("/pt/survey", data=valid_form())
    result = app.test_cli_runner().invoke(worker_command, ["--once"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert only_response(db).practice is not None


def test_a_response_that_cannot_be_filed_is_skipped_and_kept(
    worker_mode, client, db, monkeypatch, caplog
):
    client.post("/pt/survey", data=valid_form(submission_token="A" * 32))
    client.post("/pt/survey", data=valid_form(submission_token="B" * 32, email="b@x.example"))
    broken = db.session.scalar(select(SurveyResponse.id).order_by(SurveyResponse.id).limit(1))
    real_file_accepted = intake.file_accepted

    def file_or_fail(response):
        if response.id == broken:
            raise RuntimeError("disk on fire")
        real_file_accepted(response)

    monkeypatch.setattr(intake, "file_accepted", file_or_fail)
    failed: set[int] = set()
    assert file_waiting_responses(failed) == 1
    assert failed == {broken}
    assert f"filing response {broken} failed" in caplog.text
    assert file_waiting_responses(failed) == 0  # skipped, not retried in a loop
    assert db.session.get(SurveyResponse, broken).answers["practice_name"] == "Clínica São José"
    assert intake.pending_response_ids() == [broken]


def test_an_erased_response_is_simply_not_filed(worker_mode, client, db):
    client.post("/pt/survey", data=valid_form())
    response_id = only_response(db).id
    db.session.delete(db.session.get(SurveyResponse, response_id))
    db.session.commit()
    assert intake.file_pending(response_id) is False


def test_an_invited_answer_is_marked_at_once_and_filed_under_the_invited_practice(
    worker_mode, client, db
):
    contact = new_contact(db)
    invitation, token = invite(db, contact)
    form = valid_form(
        country="CO",
        preferred_language="es",
        email=contact.email,
        practice_name="CNZ Oncología",
        city="Cali",
        invitation=token,
    )
    assert client.post("/es/survey", data=form).status_code == 303
    stored = db.session.scalar(select(SurveyResponse).order_by(SurveyResponse.id.desc()))
    assert db.session.get(Invitation, invitation.id).response_id == stored.id
    assert stored.practice_id is None
    assert file_waiting_responses(set()) == 1
    db.session.refresh(stored)
    assert (stored.practice_id, stored.triage_status) == (contact.practice_id, "linked")


def test_the_inbox_leaves_waiting_responses_out_and_says_so(
    worker_mode, client, db, create_user, login
):
    client.post("/pt/survey", data=valid_form())
    login(create_user("staff"))
    page = client.get("/staff/responses").get_data(as_text=True)
    assert "1 response just received is being filed" in page
    assert "Clínica São José" not in page
    assert "flask worker" not in page
    file_waiting_responses(set())
    page = client.get("/staff/responses").get_data(as_text=True)
    assert "being filed" not in page
    assert "Clínica São José" in page


def test_the_inbox_warns_when_the_worker_seems_stopped(worker_mode, client, db, create_user, login):
    client.post("/pt/survey", data=valid_form())
    stored = only_response(db)
    stored.submitted_at = utcnow() - timedelta(minutes=6)
    db.session.commit()
    login(create_user("staff"))
    page = client.get("/staff/responses").get_data(as_text=True)
    assert "check that the worker (<code>flask worker</code>) is running" in page
    assert "tried again when it restarts" in page


def test_triage_waits_for_filing(worker_mode, client, db):
    client.post("/pt/survey", data=valid_form())
    stored = only_response(db)
    with force_locale("en"), pytest.raises(triage.TriageError, match="still being filed"):
        triage.mark_spam(stored)
    db.session.rollback()
    file_waiting_responses(set())
    assert triage.mark_spam(only_response(db)).triage_status == "spam"


def test_the_api_says_whether_a_response_is_filed_yet(worker_mode, client, db, create_user):
    from crm.api.tokens import create_token

    _row, token = create_token(create_user("staff"))
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    client.post("/pt/survey", data=valid_form())
    [item] = client.get("/api/v1/responses", headers=headers).json["items"]
    assert (item["filed_at"], item["practice_id"]) == (None, None)
    file_waiting_responses(set())
    [item] = client.get("/api/v1/responses", headers=headers).json["items"]
    assert item["filed_at"] is not None
    assert item["practice_id"] == only_response(db).practice_id


def test_api_status_and_filed_filters_tell_waiting_responses_apart(
    worker_mode, client, db, create_user
):
    from crm.api.tokens import create_token

    _row, token = create_token(create_user("staff"))
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    client.post("/pt/survey", data=valid_form(email="first@clinica.example"))
    file_waiting_responses(set())
    client.post("/pt/survey", data=valid_form(email="second@clinica.example"))

    def emails(query: str) -> list[str]:
        page = client.get(f"/api/v1/responses?{query}", headers=headers).json
        return [item["answers"]["email"] for item in page["items"]]

    # The waiting one has triage_status "new" in its row, but no triage yet.
    assert emails("status=new") == ["first@clinica.example"]
    assert emails("filed=true") == ["first@clinica.example"]
    assert emails("filed=false") == ["second@clinica.example"]
    assert sorted(emails("")) == ["first@clinica.example", "second@clinica.example"]


def test_exports_mark_waiting_responses_and_a_status_selects_filed_ones(
    worker_mode, client, db, create_user, login
):
    import csv
    import io

    client.post("/pt/survey", data=valid_form(email="first@clinica.example"))
    file_waiting_responses(set())
    client.post("/pt/survey", data=valid_form(email="second@clinica.example"))
    login(create_user("staff"))

    def exported(status: str) -> dict[str, str]:
        path = f"/staff/data/export/responses.csv?status={status}&labels=codes"
        body = client.get(path).get_data()
        rows = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
        return {row["email"]: row["filed_at (UTC)"] for row in rows}

    assert list(exported("new")) == ["first@clinica.example"]
    every = exported("all")
    assert every["first@clinica.example"] != ""
    assert every["second@clinica.example"] == ""


def post_three(client):
    for n in range(3):
        client.post("/pt/survey", data=valid_form(email=f"p{n}@clinica.example"))


def test_the_worker_yields_while_submits_keep_arriving(worker_mode, client, db, monkeypatch):
    from crm import worker

    post_three(client)
    readings = iter(range(100, 200))
    monkeypatch.setattr(worker, "latest_response_id", lambda: next(readings))
    pauses: list[float] = []
    assert file_waiting_responses(set(), batch_seconds=0, pause=pauses.append) == 3
    # Three transactions; after the second and third readings submits had arrived, and the
    # last one leaves nothing waiting, so one pause, three times the transaction's length.
    assert len(pauses) == 1
    assert pauses[0] > 0


def test_the_worker_does_not_pause_when_no_submit_arrives(worker_mode, client, db):
    post_three(client)
    pauses: list[float] = []
    assert file_waiting_responses(set(), batch_seconds=0, pause=pauses.append) == 3
    assert pauses == []


def test_erasing_a_person_files_their_waiting_response_first(worker_mode, client, db):
    from crm.privacy import operations as privacy

    client.post("/pt/survey", data=valid_form(email="ana@clinica.example"))
    privacy.erase_subject(privacy.find_subject("ana@clinica.example"))
    db.session.commit()
    assert file_waiting_responses(set()) == 0
    stored = only_response(db)
    assert stored.filed_at is not None
    assert stored.contact.email != "ana@clinica.example"
    assert stored.contact.email.startswith("erased-")
    assert "ana@clinica.example" not in str(stored.answers)
    assert count(db, OutboxMessage) == 0


def test_a_waiting_response_is_not_purged_as_unlinked(worker_mode, client, db):
    from crm.privacy import retention

    client.post("/pt/survey", data=valid_form())
    stored = only_response(db)
    stored.submitted_at = utcnow() - timedelta(days=4000)
    db.session.commit()
    unlinked = select(func.count()).where(
        retention.CATEGORIES["unlinked"], SurveyResponse.id == stored.id
    )
    assert db.session.scalar(unlinked) == 0


def test_a_database_error_ends_the_round_and_skips_nothing(worker_mode, client, db, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from crm import worker

    client.post("/pt/survey", data=valid_form())

    def locked(_response_id):
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    monkeypatch.setattr(worker, "file_pending", locked)
    failed: set[int] = set()
    with pytest.raises(OperationalError):
        file_waiting_responses(failed)
    assert failed == set()
    monkeypatch.undo()
    assert file_waiting_responses(failed) == 1


def test_a_failing_newest_reading_ends_the_round(worker_mode, client, db, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from crm import worker

    client.post("/pt/survey", data=valid_form())

    def gone():
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(worker, "latest_response_id", gone)
    with pytest.raises(OperationalError):
        file_waiting_responses(set())


def test_a_waiting_response_page_shows_no_triage_yet(worker_mode, client, db, create_user, login):
    client.post("/pt/survey", data=valid_form())
    login(create_user("staff"))
    path = f"/staff/responses/{only_response(db).id}"
    page = client.get(path).get_data(as_text=True)
    assert "is being filed under its practice" in page
    assert "Mark as spam" not in page
    file_waiting_responses(set())
    page = client.get(path).get_data(as_text=True)
    assert "Mark as spam" in page


def test_erasure_waits_for_a_worker_filing_the_response_at_that_moment(
    worker_mode, app, client, db
):
    """On PostgreSQL the erasure locks a waiting response before filing it: a worker filing it
    at that moment is waited for, not filed over, and the contact it made is erased too."""
    import threading

    from crm.privacy import operations as privacy
    from tests.conftest import ON_POSTGRES

    if not ON_POSTGRES:
        pytest.skip("row locks: PostgreSQL only (SQLite runs one writer at a time)")
    client.post("/pt/survey", data=valid_form(email="ana@clinica.example"))
    response_id = only_response(db).id
    records = privacy.find_subject("ana@clinica.example")
    db.session.commit()
    filed, release = threading.Event(), threading.Event()

    def worker():
        with app.app_context():
            assert intake.file_pending(response_id)
            db.session.flush()
            filed.set()  # filed, not committed: the response's row stays locked
            release.wait(10)
            db.session.commit()
            db.session.remove()

    thread = threading.Thread(target=worker)
    thread.start()
    assert filed.wait(10)
    threading.Timer(0.5, release.set).start()
    privacy.erase_subject(records)  # waits for the worker's commit
    db.session.commit()
    thread.join(10)
    db.session.expire_all()
    assert (count(db, Practice), count(db, Contact), count(db, OutboxMessage)) == (1, 1, 0)
    contact = db.session.scalars(select(Contact)).one()
    assert contact.email.startswith("erased-")
    assert "ana@clinica.example" not in str(only_response(db).answers)
