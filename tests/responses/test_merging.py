"""Duplicate practices already in the CRM: the scan, merging with every related row, "not the
same" remembered, and what a merge does to the counts and readiness (docs/domain.md#merges)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from crm.activities.models import Activity, Task
from crm.activities.operations import add_activity, add_task
from crm.audit.models import AuditEvent
from crm.countries import operations as pipeline
from crm.countries.queries import get_country_or_404
from crm.outreach.models import Invitation
from crm.readiness.models import ReadinessChange
from crm.responses import duplicates, merging, tallies
from crm.responses.models import (
    Contact,
    Interest,
    InterestTally,
    InterestTallyEntry,
    Practice,
    PracticeMerge,
    ResponseTally,
    SurveyResponse,
)
from tests.responses.helpers import T0, eligible_answers, submit_response


def snapshot_tallies(db) -> tuple:
    def rows(model, columns):
        return Counter(
            tuple(row) for row in db.session.execute(select(*(getattr(model, c) for c in columns)))
        )

    return (
        rows(InterestTally, ("country_code", "program_code", "level", "eligible", "practices")),
        rows(InterestTallyEntry, ("practice_id", "program_code", "country_code", "level",
                                  "eligible")),
        rows(ResponseTally, ("month", "country_code", "language", "responses")),
    )  # fmt: skip


def assert_tallies_equal_rebuild(db) -> None:
    tallies.apply_pending()
    maintained = snapshot_tallies(db)
    tallies.rebuild(db.session.connection())
    rebuilt = snapshot_tallies(db)

    # Rows counting 0 are the same as no row.
    def nonzero(snapshot):
        return tuple(Counter({k: v for k, v in c.items() if k[-1] != 0}) for c in snapshot)

    assert nonzero(maintained) == nonzero(rebuilt)
    db.session.rollback()


def add_invitation(db, contact: Contact) -> Invitation:
    import secrets
    from datetime import UTC, datetime

    invitation = Invitation(contact_id=contact.id, language="es",
                            token_hash=secrets.token_hex(32),
                            expires_at=datetime(2027, 1, 1, tzinfo=UTC))  # fmt: skip
    db.session.add(invitation)
    db.session.flush()
    return invitation


def two_of_one_practice(db):
    """The same hospital entered twice: the full name, and abbreviated in a later response."""
    full = submit_response(
        db,
        eligible_answers(
            1,
            practice_name="Hospital Universitario San Ignacio",
            email="ana@hsi.example",
            phone="+57 1 555 0101",
        ),
    )
    short = submit_response(db, eligible_answers(2, practice_name="Hosp. Univ. San Ignacio",
                                                 email="luis@hsi.example", phone="+57 1 555 0101"),
                            at=T0 + timedelta(days=3))  # fmt: skip
    return full.practice, short.practice


def test_the_scan_pairs_an_abbreviated_name_with_its_reasons(db):
    full, short = two_of_one_practice(db)
    submit_response(db, eligible_answers(3, practice_name="Clínica del Country"))
    pairs = duplicates.scan_country("CO")
    assert [(p.first.id, p.second.id) for p in pairs] == [(full.id, short.id)]
    codes = [r.code for r in pairs[0].alike.reasons]
    assert codes == ["name", "same_city", "same_email_domain", "same_phone"]
    assert pairs[0].alike.score == 100


def test_the_scan_lists_the_best_pairs_first(db):
    two_of_one_practice(db)
    submit_response(
        db,
        eligible_answers(
            4, practice_name="Clínica Kalomera", city="Cali", email="a@kalomera.example"
        ),
    )
    submit_response(db, eligible_answers(5, practice_name="Clinica Kalomara", city="Medellín",
                                         email="b@kalomera.example"))  # fmt: skip
    scores = [p.alike.score for p in duplicates.scan_country("CO")]
    assert len(scores) == 2
    assert scores == sorted(scores, reverse=True)


def test_not_the_same_survives_a_rescan(db):
    full, short = two_of_one_practice(db)
    merging.mark_not_same(short, full)
    db.session.commit()
    assert duplicates.scan_country("CO") == []
    # A new response later, and a new scan: the pair stays apart.
    submit_response(db, eligible_answers(9, practice_name="Centro Oncológico Imbanaco"))
    assert duplicates.scan_country("CO") == []
    assert [(e.practice_id) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "practice.not_duplicate")
    )] == [short.id, full.id]  # fmt: skip


def test_a_merge_moves_every_related_row_and_keeps_the_tallies_right(db, create_user):
    owner = create_user("staff")
    full, short = two_of_one_practice(db)
    short_contact = short.contacts[0]
    invitation = add_invitation(db, short_contact)
    add_activity(kind="call", subject="Called", body=None, occurred_on=T0.date(), practice=short)
    add_task(title="Send the agreement", owner=owner, due_on=None, practice=short)
    db.session.commit()
    short_id, response_ids = short.id, [r.id for r in db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.practice_id == short.id))]  # fmt: skip

    merging.merge_practices(short, full)
    db.session.commit()

    assert db.session.get(Practice, short_id) is None
    assert all(db.session.get(SurveyResponse, i).practice_id == full.id for i in response_ids)
    assert db.session.scalar(select(func.count()).select_from(Contact).where(
        Contact.practice_id == full.id)) == 2  # fmt: skip
    assert db.session.get(Invitation, invitation.id).contact.practice_id == full.id
    assert db.session.scalar(select(Activity.practice_id).where(Activity.subject == "Called")) == (
        full.id
    )
    assert db.session.scalar(select(Task.practice_id)) == full.id
    # Its answers and interests now come from the latest counted response: the later one.
    assert full.answers_from == T0 + timedelta(days=3)
    assert {i.program_code for i in db.session.scalars(
        select(Interest).where(Interest.practice_id == full.id))} == {"QOPI", "QCP"}  # fmt: skip
    assert db.session.get(PracticeMerge, short_id).into_practice_id == full.id
    assert_tallies_equal_rebuild(db)


def test_one_merge_is_one_audit_event_in_counts_a_reader_understands(db):
    full, short = two_of_one_practice(db)
    short_id, short_name = short.id, short.name
    moved = db.session.scalar(select(func.count()).select_from(SurveyResponse).where(
        SurveyResponse.practice_id == short_id))  # fmt: skip
    merging.merge_practices(short, full)
    db.session.commit()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "practice.merge"))
    [event] = list(events)
    assert event.practice_id == full.id
    assert event.changes["merged_practice_id"] == [short_id, full.id]
    assert event.changes["deleted_practice"] == [f"{short_id}: {short_name}", None]
    assert event.changes["moved_responses"] == [None, moved]  # a count, not response ids
    assert event.changes["moved_contacts"] == [None, 1]


def test_a_contact_with_the_same_email_folds_with_its_invitations(db):
    full = submit_response(
        db, eligible_answers(1, practice_name="Clínica Kalomera", email="ana@kalomera.example")
    ).practice
    short = submit_response(
        db, eligible_answers(2, practice_name="Clin. Kalomera", email="ana.old@kalomera.example")
    ).practice
    # The person's address was corrected on the second practice: now the same as on the first.
    short.contacts[0].email, short.contacts[0].email_key = (
        "Ana@Kalomera.example",
        ("ana@kalomera.example"),
    )
    invitation = add_invitation(db, short.contacts[0])
    db.session.commit()
    merging.merge_practices(short, full)
    db.session.commit()
    assert len(full.contacts) == 1
    assert db.session.get(Invitation, invitation.id).contact_id == full.contacts[0].id


def ready_colombia(db) -> None:
    colombia = get_country_or_404("CO")
    pipeline.record_privacy_review(colombia, programs=["QOPI"], status="approved")
    pipeline.record_country_agreement(
        colombia, programs=["QOPI"], counterparty="Ministerio", status="signed", signed_on=T0.date()
    )
    db.session.commit()


def qopi_changes(db) -> list[tuple]:
    return [
        (row.previous_state, row.state)
        for row in db.session.scalars(
            select(ReadinessChange)
            .where(ReadinessChange.country_code == "CO", ReadinessChange.program_code == "QOPI")
            .order_by(ReadinessChange.id)
        )
    ]


def test_a_country_that_loses_a_double_counted_practice_loses_its_readiness(db):
    ready_colombia(db)
    full, short = two_of_one_practice(db)
    for n in range(3):  # with the hospital counted twice: five eligible practices
        submit_response(db, eligible_answers(10 + n))
    assert tallies.eligible_counts(["CO"])["CO"]["QOPI"] == 5
    assert qopi_changes(db)[-1] == ("near_ready", "ready")

    merging.merge_practices(short, full)
    db.session.commit()

    assert tallies.eligible_counts(["CO"])["CO"]["QOPI"] == 4
    assert qopi_changes(db)[-1] == ("ready", "near_ready")
    assert_tallies_equal_rebuild(db)


def test_a_merged_practice_page_says_where_it_went_after_a_second_merge(
    db, client, create_user, login
):
    full, short = two_of_one_practice(db)
    third = submit_response(db, eligible_answers(7, practice_name="Hospital San Ignacio Central",
                                                 city="Cali")).practice  # fmt: skip
    short_id, full_id = short.id, full.id
    merging.merge_practices(short, full)
    db.session.commit()
    merging.merge_practices(full, third)
    db.session.commit()
    login(create_user("staff"))
    for merged in (short_id, full_id):
        page = client.get(f"/staff/practices/{merged}")
        assert page.status_code == 200
        assert f'href="/staff/practices/{third.id}"' in page.get_data(as_text=True)
    assert client.get("/staff/practices/999999").status_code == 404


#: Rows derived from a practice's answers or from the merge itself: re-derived, not moved.
DERIVED = {("interests", "practice_id"), ("practice_name_keys", "practice_id"),
           ("practice_merges", "into_practice_id"), ("survey_responses", "suggested_practice_id"),
           ("practice_distinct_pairs", "first_practice_id"),
           ("practice_distinct_pairs", "second_practice_id")}  # fmt: skip


def _rows_of_practices(db, ids) -> dict[tuple[str, str], int]:
    """(table, column) → rows whose column references one of the practices ``ids``, for every
    foreign key to practices the schema has (a new one is counted without editing this)."""
    counts = {}
    for table in db.metadata.sorted_tables:
        for key in table.foreign_keys:
            where = (table.name, key.parent.name)
            if key.column.table.name == "practices" and where not in DERIVED:
                counts[where] = db.session.scalar(
                    select(func.count()).select_from(table).where(key.parent.in_(ids))
                )
    return counts


def test_every_row_referencing_the_merged_practice_moves_to_the_survivor(db, create_user):
    owner = create_user("staff")
    full, short = two_of_one_practice(db)
    add_invitation(db, short.contacts[0])
    add_activity(kind="call", subject="Called", body=None, occurred_on=T0.date(), practice=short)
    add_task(title="Send the agreement", owner=owner, due_on=None, practice=short)
    add_task(title="Visit", owner=owner, due_on=None, practice=full)
    db.session.commit()
    short_id, full_id = short.id, full.id
    before = _rows_of_practices(db, [short_id, full_id])
    assert before[("tasks", "practice_id")] == 2

    merging.merge_practices(short, full)
    db.session.commit()

    assert _rows_of_practices(db, [full_id]) == before
    assert set(_rows_of_practices(db, [short_id]).values()) == {0}
