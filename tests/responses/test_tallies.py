"""Maintained tallies equal a fresh count after every kind of write (README "Performance").

Each test writes through the app's own operations, commits, and compares the maintained tallies
with ``crm.responses.tallies.rebuild`` run on the same data.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from crm.privacy import operations as privacy
from crm.privacy import retention
from crm.responses import operations as triage
from crm.responses import tallies
from crm.responses.intake import intake_response
from crm.responses.matching import refresh_practice
from crm.responses.models import (
    Interest,
    InterestTally,
    InterestTallyEntry,
    Practice,
    PracticeNameKey,
    ResponseTally,
    SurveyResponse,
)
from crm.responses.operations import update_practice
from tests.responses.helpers import T0, eligible_answers, submit_eligible, submit_response


def read_tallies(db) -> dict:
    """Every tally and entry, rows with a zero count left out."""
    interest = {
        (t.country_code, t.program_code, t.level, t.eligible): t.practices
        for t in db.session.scalars(select(InterestTally))
        if t.practices
    }
    responses = {
        (t.month, t.country_code, t.language): t.responses
        for t in db.session.scalars(select(ResponseTally))
        if t.responses
    }
    entries = {
        (e.practice_id, e.program_code): (e.country_code, e.level, e.eligible)
        for e in db.session.scalars(select(InterestTallyEntry))
    }
    return {"interest": interest, "responses": responses, "entries": entries}


def assert_tallies_right(db) -> None:
    db.session.commit()
    maintained = read_tallies(db)
    tallies.rebuild(db.session.connection())
    rebuilt = read_tallies(db)
    db.session.commit()
    assert maintained == rebuilt


@pytest.fixture
def practices(db):
    """Three eligible practices in Colombia, one response each."""
    return submit_eligible(db, 3)


def test_new_responses_and_practices_are_tallied(db, practices):
    assert_tallies_right(db)
    assert tallies.eligible_counts(["CO"]) == {"CO": {"QOPI": 3, "QCP": 3}}
    assert tallies.practice_count("CO") == 3
    assert tallies.responses_by("month") == {"2026-11": 3}


def test_a_linked_response_replaces_the_practice_answers(db, practices):
    submit_response(db, eligible_answers(0, interest_qopi="not_at_all"), at=T0 + timedelta(days=1))
    assert_tallies_right(db)
    assert tallies.eligible_counts(["CO"])["CO"]["QOPI"] == 2
    assert tallies.interest_counts("CO")["QOPI"] == {"very": 2, "not_at_all": 1}


def test_a_repeated_submit_counts_once(db):
    first = submit_response(db, eligible_answers(0))
    intake_response(
        eligible_answers(0),
        language="es",
        submission_token=first.submission_token,
        consent_at=T0,
        privacy_notice_version="2026-11",
        submitted_at=T0,
    )
    assert_tallies_right(db)
    assert tallies.responses_by("language") == {"es": 1}


@pytest.mark.parametrize("operation", ["spam", "duplicate"])
def test_marking_a_response_takes_its_practice_out(db, practices, operation):
    response = practices[0]
    if operation == "spam":
        triage.mark_spam(response)
    else:
        triage.mark_duplicate(response, db.session.get(Practice, practices[1].practice_id))
    assert_tallies_right(db)
    assert tallies.eligible_counts(["CO"])["CO"]["QOPI"] == 2


def test_restoring_a_spam_response_counts_it_again(db, practices):
    triage.mark_spam(practices[0])
    db.session.commit()
    triage.restore(practices[0])
    assert_tallies_right(db)
    assert tallies.eligible_counts(["CO"])["CO"]["QOPI"] == 3
    assert tallies.responses_by("month") == {"2026-11": 3}


def test_merging_practices_counts_the_target_once(db, practices):
    source = db.session.get(Practice, practices[0].practice_id)
    target = db.session.get(Practice, practices[1].practice_id)
    triage.merge_practices(source, target)
    assert_tallies_right(db)
    assert tallies.eligible_counts(["CO"])["CO"]["QOPI"] == 2
    assert tallies.practice_count("CO") == 2


def test_linking_a_response_to_another_practice(db, practices):
    target = db.session.get(Practice, practices[1].practice_id)
    triage.link_response(practices[2], target)
    assert_tallies_right(db)


def test_editing_a_practice_in_another_way_keeps_counts(db, practices):
    practice = db.session.get(Practice, practices[0].practice_id)
    update_practice(practice, name="Centro Nuevo", city="Cali", practice_type="other")
    assert_tallies_right(db)


def test_a_practice_fact_changed_through_the_orm_is_re_tallied(db, practices):
    practice = db.session.get(Practice, practices[0].practice_id)
    practice.asco_members_count = 0
    assert_tallies_right(db)
    assert tallies.eligible_counts(["CO"])["CO"]["QOPI"] == 2


def test_an_interest_removed_through_the_orm_is_re_tallied(db, practices):
    interest = db.session.scalars(
        select(Interest).where(
            Interest.practice_id == practices[0].practice_id, Interest.program_code == "QCP"
        )
    ).one()
    db.session.delete(interest)
    assert_tallies_right(db)
    assert tallies.eligible_counts(["CO"])["CO"]["QCP"] == 2


def test_a_deleted_practice_leaves_the_tallies(db, practices):
    practice = db.session.get(Practice, practices[0].practice_id)
    for response in db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.practice_id == practice.id)
    ):
        db.session.delete(response)
    db.session.delete(practice)
    assert_tallies_right(db)
    assert tallies.eligible_counts(["CO"])["CO"]["QOPI"] == 2
    assert tallies.responses_by("month") == {"2026-11": 2}


def test_a_response_deleted_through_the_orm_leaves_the_dashboard(db, practices):
    practice = db.session.get(Practice, practices[0].practice_id)
    db.session.delete(practices[0])
    refresh_practice(practice)
    assert_tallies_right(db)
    assert tallies.responses_by("language") == {"es": 2}


def test_the_retention_purge_takes_deleted_responses_out(db, practices):
    triage.mark_duplicate(practices[0], db.session.get(Practice, practices[1].practice_id))
    db.session.commit()
    later = datetime(2028, 1, 1, tzinfo=UTC)
    assert retention.purge(later, 365) == {
        "spam": 0,
        "duplicate": 1,
        "unlinked": 0,
        "contacts": 1,
        "emails": 0,
        "drafts": 0,
    }
    assert_tallies_right(db)
    assert tallies.responses_by("month") == {"2026-11": 2}


def test_erasing_a_person_keeps_the_counts(db, practices):
    privacy.erase_subject(privacy.find_subject(practices[0].answers["email"]))
    assert_tallies_right(db)
    assert tallies.eligible_counts(["CO"])["CO"]["QOPI"] == 3


def test_erasing_a_person_named_in_a_practice_name_reindexes_it(db):
    response = submit_response(
        db, eligible_answers(0, name="Kalomera Vidanova", practice_name="Kalomera Vidanova")
    )
    privacy.erase_subject(privacy.find_subject(response.answers["email"]))
    db.session.commit()
    words = set(
        db.session.scalars(
            select(PracticeNameKey.key).where(PracticeNameKey.practice_id == response.practice_id)
        )
    )
    assert words
    assert not any("kalomera" in word or "vidanova" in word for word in words)


def test_a_rolled_back_write_changes_nothing(db, practices):
    before = read_tallies(db)
    triage.mark_spam(practices[0])
    db.session.flush()
    db.session.rollback()
    assert read_tallies(db) == before
    assert_tallies_right(db)


def test_counts_read_inside_a_transaction_include_its_writes(db, practices):
    triage.mark_spam(practices[0])
    assert tallies.eligible_counts(["CO"])["CO"]["QOPI"] == 2
    db.session.rollback()


def test_responses_without_country_count_by_month_not_by_region(db):
    submit_response(db, eligible_answers(0), at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    response = db.session.scalars(select(SurveyResponse)).one()
    response.country_code = None
    assert_tallies_right(db)
    assert tallies.responses_by("month") == {"2026-03": 1}
    assert tallies.responses_by("region") == {}
