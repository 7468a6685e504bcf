"""Triage operations: spam and duplicates never count, practices re-derive their answers, links
and merges keep every record, and each write is audited (docs/domain.md#eligible-practices,
docs/domain.md#roles)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm.activities.models import Activity, Task
from crm.activities.operations import add_activity, add_task
from crm.audit.models import AuditEvent
from crm.core.events import country_changed
from crm.responses import operations as triage
from crm.responses.merging import MergeRefused
from crm.responses.models import Contact, Interest, Practice, SurveyResponse

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)  # submit_response's default time


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def eligible_for_qopi(db, country: str = "CO") -> int:
    """Practices counting towards QOPI in a country (docs/domain.md#eligible-practices)."""
    return db.session.scalar(
        select(func.count(func.distinct(Practice.id)))
        .join(Interest, Interest.practice_id == Practice.id)
        .where(
            Practice.country_code == country,
            Interest.program_code == "QOPI",
            Interest.level.in_(("very", "somewhat")),
            Practice.asco_members_count >= 1,
            Practice.reads_english.is_(True),
        )
    )


def last_audit(db) -> AuditEvent:
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()


@pytest.fixture
def signals():
    """Country codes sent with ``country_changed`` while the test runs."""
    received: list[frozenset[str]] = []

    def listener(sender, country_codes):
        received.append(country_codes)

    country_changed.connect(listener)
    yield received
    country_changed.disconnect(listener)


def test_a_practice_with_two_responses_counts_once(db, submit_response):
    submit_response()
    submit_response(at=T0 + timedelta(days=3), name="Luis Gómez")
    assert count(db, Practice) == 1
    assert eligible_for_qopi(db) == 1


def test_spam_removes_the_only_response_from_every_count(db, submit_response):
    response = submit_response()
    triage.mark_spam(response)
    db.session.commit()
    assert response.triage_status == "spam"
    assert count(db, Interest) == 0
    assert eligible_for_qopi(db) == 0


def test_duplicate_of_the_latest_response_gives_the_practice_its_earlier_answers(
    db, submit_response
):
    submit_response(at=T0, interest_qopi="not_very")
    latest = submit_response(at=T0 + timedelta(days=5), interest_qopi="very")
    assert eligible_for_qopi(db) == 1
    triage.mark_duplicate(latest)
    db.session.commit()
    level = db.session.scalar(select(Interest.level).where(Interest.program_code == "QOPI"))
    assert level == "not_very"
    assert eligible_for_qopi(db) == 0


def test_duplicate_of_another_practice_files_it_there_and_folds_the_empty_one(db, submit_response):
    kept = submit_response(practice_name="Instituto Nacional de Cancerología")
    repeat = submit_response(
        practice_name="Instituto Nacional de Cancerologia ESE", at=T0 + timedelta(days=1)
    )
    triage.mark_duplicate(repeat, of_practice=kept.practice)
    db.session.commit()
    assert repeat.practice_id == kept.practice_id
    assert count(db, Practice) == 1
    assert eligible_for_qopi(db) == 1


@pytest.mark.parametrize(("sibling", "expected"), [(False, "new"), (True, "linked")])
def test_restore_returns_to_new_or_linked(db, submit_response, sibling, expected):
    response = submit_response()
    if sibling:
        submit_response(at=T0 + timedelta(days=1), name="Luis Gómez")
    triage.mark_spam(response)
    triage.restore(response)
    db.session.commit()
    assert response.triage_status == expected
    assert eligible_for_qopi(db) == 1


def test_restore_refuses_a_counted_response(db, submit_response):
    with pytest.raises(triage.TriageError):
        triage.restore(submit_response())


def test_link_moves_the_response_and_deletes_the_practice_left_empty(db, submit_response):
    target = submit_response(practice_name="Clínica San José").practice
    stray = submit_response(practice_name="Clinica S. Jose", email="luis@sj.example")
    old_id = stray.practice_id
    triage.link_response(stray, target)
    db.session.commit()
    assert stray.practice_id == target.id
    assert stray.triage_status == "linked"
    assert db.session.get(Practice, old_id) is None
    assert count(db, Contact, Contact.practice_id == target.id) == 2
    event = last_audit(db)
    assert event.action == "response.link"
    assert event.changes["deleted_practice"][0].startswith(f"{old_id}:")


def test_link_keeps_an_old_practice_that_still_has_responses(db, submit_response):
    target = submit_response(practice_name="Clínica San José").practice
    moved = submit_response(practice_name="Oncólogos del Norte", email="a@norte.example")
    submit_response(practice_name="Oncólogos del Norte", email="b@norte.example")
    old = moved.practice
    triage.link_response(moved, target)
    db.session.commit()
    assert db.session.get(Practice, old.id) is not None
    assert count(db, SurveyResponse, SurveyResponse.practice_id == old.id) == 1
    assert (
        count(db, Contact, Contact.email_key == "a@norte.example", Contact.practice_id == target.id)
        == 1
    )  # noqa: E501


def test_link_to_a_practice_in_another_country_is_refused(db, submit_response):
    response = submit_response()
    elsewhere = submit_response(country="MX", practice_name="Clínica San José", city="Puebla")
    with pytest.raises(triage.TriageError):
        triage.link_response(response, elsewhere.practice)
    assert response.practice_id != elsewhere.practice_id


def test_merge_moves_everything_and_deletes_the_source(db, submit_response):
    target = submit_response(practice_name="Instituto Nacional de Cancerología").practice
    variant = submit_response(
        practice_name="Instituto Nacional de Cancerologia ESE", at=T0 + timedelta(days=2)
    )
    source = variant.practice
    add_activity(
        kind="call",
        subject="Asked about QOPI",
        body=None,
        occurred_on=date(2026, 6, 2),
        practice=source,
    )
    add_task(title="Call back", owner=_staff(db), due_on=None, practice=source)
    source_id = source.id
    triage.merge_practices(source, target)
    db.session.commit()
    assert db.session.get(Practice, source_id) is None
    assert count(db, SurveyResponse, SurveyResponse.practice_id == target.id) == 2
    assert count(db, Activity, Activity.practice_id == target.id) == 1
    assert count(db, Task, Task.practice_id == target.id) == 1
    assert variant.triage_status == "linked"
    assert variant.suggested_practice_id is None
    assert eligible_for_qopi(db) == 1


def test_merge_takes_answers_from_the_latest_counted_response(db, submit_response):
    target = submit_response(practice_name="Clínica del Valle", interest_qopi="very").practice
    later = submit_response(
        practice_name="Clínica del Valle S.A.S.",
        interest_qopi="not_at_all",
        at=T0 + timedelta(days=9),
    )
    triage.merge_practices(later.practice, target)
    db.session.commit()
    assert {i.program_code: i.level for i in target.interests}["QOPI"] == "not_at_all"


def test_merge_folds_contacts_with_the_same_email(db, submit_response):
    target = submit_response(practice_name="Clínica del Valle", email="ana@valle.example")
    other = submit_response(practice_name="Clinica Valle", email="other@valle.example", city="Cali")
    # The same person wrote from both; fold their contact rows into one.
    other.contact.email, other.contact.email_key = "Ana@Valle.example", "ana@valle.example"
    triage.merge_practices(other.practice, target.practice)
    db.session.commit()
    assert count(db, Contact, Contact.email_key == "ana@valle.example") == 1
    assert other.contact_id == target.contact_id


def test_merge_into_itself_is_refused(db, submit_response):
    practice = submit_response().practice
    with pytest.raises(MergeRefused):
        triage.merge_practices(practice, practice)


def test_merge_repoints_suggestions_to_the_target(db, submit_response):
    target = submit_response(practice_name="Centro Oncológico del Caribe").practice
    source = submit_response(practice_name="Centro Oncológico Caribe", city="Cartagena").practice
    third = submit_response(
        practice_name="Centro Oncologico del Caribe SAS",
        city="Santa Marta",
        at=T0 + timedelta(days=4),
    )
    third.suggested_practice_id = source.id
    triage.merge_practices(source, target)
    db.session.commit()
    assert third.suggested_practice_id == target.id


def test_dismiss_suggestion_keeps_the_practice_and_confirms_the_response(db, submit_response):
    submit_response(practice_name="Instituto Nacional de Cancerología")
    variant = submit_response(
        practice_name="Instituto Nacional de Cancerologia ESE", at=T0 + timedelta(days=1)
    )
    assert variant.suggested_practice_id is not None
    triage.dismiss_suggestion(variant)
    db.session.commit()
    assert (variant.suggested_practice_id, variant.triage_status) == (None, "linked")
    assert count(db, Practice) == 2


def test_triage_stamps_the_time(db, submit_response):
    response = submit_response()
    triage.mark_spam(response)
    assert response.triaged_at is not None


def test_triage_notifies_readiness_of_the_country(db, submit_response, signals):
    response = submit_response()
    signals.clear()
    triage.mark_spam(response)
    assert frozenset({"CO"}) in signals


@pytest.mark.parametrize(
    ("action", "operation", "changed"),
    [
        ("response.spam", lambda r, p: triage.mark_spam(r), "triage_status"),
        ("response.duplicate", lambda r, p: triage.mark_duplicate(r), "triage_status"),
        ("response.link", lambda r, p: triage.link_response(r, p), "practice_id"),
        ("response.dismiss_suggestion", lambda r, p: triage.dismiss_suggestion(r), "triage_status"),
        ("practice.merge", lambda r, p: triage.merge_practices(r.practice, p), "deleted_practice"),
    ],
)
def test_each_triage_action_is_audited(db, submit_response, action, operation, changed):
    target = submit_response(practice_name="Instituto Nacional de Cancerología").practice
    response = submit_response(
        practice_name="Instituto Nacional de Cancerologia ESE", at=T0 + timedelta(days=1)
    )
    operation(response, target)
    db.session.commit()
    # A merge is recorded under both practices' ids (docs/domain.md#merges): look at the first.
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).first()
    assert changed in event.changes
    assert event.country_code == "CO"
    assert event.practice_id is not None


def test_restore_is_audited_with_old_and_new_status(db, submit_response):
    response = submit_response()
    triage.mark_spam(response)
    triage.restore(response)
    db.session.commit()
    assert last_audit(db).changes == {"triage_status": ["spam", "new"]}


def _staff(db):
    from crm.cli import create_user

    return create_user("owner@example.org", "staff", "correct horse battery")
