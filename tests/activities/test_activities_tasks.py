"""Activities and tasks on countries and practices, "my tasks", and the shared panel."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import select

from crm.activities.models import Activity, Task
from crm.activities.operations import add_activity, add_task, set_task_status
from crm.audit.models import AuditEvent
from crm.core.clock import org_today


@pytest.fixture
def staff(create_user):
    return create_user("staff")


@pytest.fixture
def staff_client(request, client, staff, login):
    """A client logged in as ``staff`` (session set directly under ``@pytest.mark.csrf``)."""
    if request.node.get_closest_marker("csrf"):
        with client.session_transaction() as session:
            session["_user_id"] = staff.fs_uniquifier
            session["_fresh"] = True
        return client
    return login(staff)


def html(response) -> str:
    return response.get_data(as_text=True)


def audit_of(db, action: str) -> AuditEvent:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).one()


@pytest.mark.parametrize(
    ("instant", "timezone", "day"),
    [
        (datetime(2026, 1, 1, 3, 0, tzinfo=UTC), "America/New_York", date(2025, 12, 31)),
        (datetime(2026, 1, 1, 5, 0, tzinfo=UTC), "America/New_York", date(2026, 1, 1)),
        (datetime(2026, 1, 1, 23, 0, tzinfo=UTC), "Asia/Tokyo", date(2026, 1, 2)),
    ],
)
def test_org_today_is_the_organizations_calendar_day(app, instant, timezone, day):
    app.config["ORG_TIMEZONE"] = timezone
    assert org_today(instant) == day


def test_activity_on_a_practice_is_stored_and_audited_on_it(db, staff_client, submit_response):
    practice_id = submit_response().practice_id
    reply = staff_client.post(
        f"/staff/practices/{practice_id}/activities",
        data={
            "activity-kind": "call",
            "activity-subject": "Asked about ASCO membership",
            "activity-occurred_on": org_today().isoformat(),
        },
    )
    assert reply.status_code == 303
    activity = db.session.scalars(select(Activity)).one()
    assert (activity.kind, activity.practice_id) == ("call", practice_id)
    event = audit_of(db, "activity.create")
    assert (event.practice_id, event.country_code) == (practice_id, "CO")


def test_activity_shows_on_the_practice_page(staff_client, submit_response):
    practice = submit_response().practice
    add_activity(
        kind="meeting",
        subject="Site visit with the director",
        body="<b>bold</b> claims",
        occurred_on=org_today(),
        practice=practice,
    )
    page = html(staff_client.get(f"/staff/practices/{practice.id}"))
    assert "Site visit with the director" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def test_activity_on_a_country_is_audited_on_the_country(db, staff_client):
    staff_client.post(
        "/staff/countries/co/activities",
        data={
            "activity-kind": "note",
            "activity-subject": "Counsel memo filed",
            "activity-occurred_on": org_today().isoformat(),
            "activity-next": "/staff/tasks",
        },
    )
    assert db.session.scalars(select(Activity)).one().country_code == "CO"
    assert audit_of(db, "activity.create").country_code == "CO"


def test_activity_on_an_unknown_country_is_404(staff_client):
    reply = staff_client.post("/staff/countries/QQ/activities", data={"activity-subject": "x"})
    assert reply.status_code == 404


def test_activity_in_the_future_is_refused_with_the_text_kept(db, staff_client):
    tomorrow = org_today() + timedelta(days=1)
    reply = staff_client.post(
        "/staff/countries/CO/activities",
        data={
            "activity-kind": "call",
            "activity-subject": "Call planned with the society",
            "activity-occurred_on": tomorrow.isoformat(),
        },
    )
    assert reply.status_code == 400
    page = html(reply)
    assert 'id="activity-occurred_on-error"' in page
    assert 'value="Call planned with the society"' in page
    assert db.session.scalars(select(Activity)).first() is None


def test_activity_with_an_unreadable_date_is_refused(staff_client):
    reply = staff_client.post(
        "/staff/countries/CO/activities",
        data={
            "activity-kind": "call",
            "activity-subject": "x",
            "activity-occurred_on": "31/02/2026",
        },
    )
    assert reply.status_code == 400
    assert 'id="activity-occurred_on-error"' in html(reply)


def test_next_outside_the_site_is_ignored(staff_client, submit_response):
    practice_id = submit_response().practice_id
    reply = staff_client.post(
        f"/staff/practices/{practice_id}/activities",
        data={
            "activity-kind": "note",
            "activity-subject": "x",
            "activity-occurred_on": org_today().isoformat(),
            "activity-next": "//evil.example/",
        },
    )
    assert reply.headers["Location"] == f"/staff/practices/{practice_id}"


def test_task_is_created_for_its_owner_and_audited(db, staff_client, staff, submit_response):
    practice_id = submit_response().practice_id
    due = org_today() + timedelta(days=7)
    reply = staff_client.post(
        f"/staff/practices/{practice_id}/tasks",
        data={"task-title": "Call back", "task-owner_id": str(staff.id), "task-due_on": due},
    )
    assert reply.status_code == 303
    task = db.session.scalars(select(Task)).one()
    assert (task.owner_id, task.due_on, task.status) == (staff.id, due, "open")
    event = audit_of(db, "task.create")
    assert event.practice_id == practice_id
    assert event.changes["owner"] == [None, staff.email]


def test_task_due_before_today_is_refused(db, staff_client, staff):
    reply = staff_client.post(
        "/staff/countries/CO/tasks",
        data={
            "task-title": "Chase signature",
            "task-owner_id": str(staff.id),
            "task-due_on": (org_today() - timedelta(days=1)).isoformat(),
        },
    )
    assert reply.status_code == 400
    assert 'id="task-due_on-error"' in html(reply)
    assert 'value="Chase signature"' in html(reply)
    assert db.session.scalars(select(Task)).first() is None


def test_task_owner_must_be_a_staff_member(db, staff_client, create_user):
    viewer = create_user("viewer")
    reply = staff_client.post(
        "/staff/countries/CO/tasks",
        data={"task-title": "Chase signature", "task-owner_id": str(viewer.id)},
    )
    assert reply.status_code == 400
    assert 'id="task-owner_id-error"' in html(reply)


def test_task_status_change_stamps_completion_and_is_audited(db, staff_client, staff):
    task = add_task(title="Send memo", owner=staff, due_on=None, country_code="CO")
    db.session.commit()
    reply = staff_client.post(f"/staff/tasks/{task.id}/status", data={"status-status": "done"})
    assert reply.status_code == 303
    db.session.expire_all()
    stored = db.session.get(Task, task.id)
    assert stored.status == "done"
    assert stored.completed_at is not None
    assert audit_of(db, "task.status").changes == {"status": ["open", "done"]}


def test_task_status_change_of_an_unknown_task_is_404(staff_client):
    assert staff_client.post("/staff/tasks/999999/status", data={}).status_code == 404


def test_my_tasks_lists_overdue_first_then_by_due_date(db, staff_client, staff, create_user):
    today = org_today()
    for title, due in (
        ("later", today + timedelta(days=10)),
        ("no date", None),
        ("overdue", today - timedelta(days=2)),
        ("today", today),
        ("soon", today + timedelta(days=1)),
    ):
        add_task(title=title, owner=staff, due_on=due, country_code="CO")
    done = add_task(title="finished", owner=staff, due_on=today, country_code="CO")
    set_task_status(done, "done")
    add_task(title="someone else's", owner=create_user("staff"), due_on=today, country_code="CO")
    db.session.commit()
    page = html(staff_client.get("/staff/tasks"))
    positions = [page.index(f"<td>{title}") for title in ("overdue", "today", "soon", "later")]
    assert positions == sorted(positions)
    assert page.index("<td>later") < page.index("<td>no date")
    assert "<td>finished" not in page
    assert "someone else" not in page


def _render_panel(app, user, **context) -> str:
    with app.test_request_context("/staff/countries/CO"):
        login_user(user)
        return render_template_string('{% include "activities/_panel.html" %}', **context)


def test_panel_gives_staff_the_forms(app, staff):
    page = _render_panel(app, staff, country_code="CO")
    assert 'name="activity-subject"' in page
    assert 'name="task-title"' in page


def test_panel_is_read_only_for_viewers(app, db, create_user, staff):
    add_task(title="Send the memo", owner=staff, due_on=None, country_code="CO")
    add_activity(
        kind="note",
        subject="Counsel memo filed",
        body=None,
        occurred_on=org_today(),
        country_code="CO",
    )
    page = _render_panel(app, create_user("viewer"), country_code="CO")
    assert "Counsel memo filed" in page
    assert "Send the memo" in page
    assert "<form" not in page


def test_country_panel_hides_practice_notes_from_viewers(app, db, create_user, submit_response):
    add_activity(
        kind="call",
        subject="Spoke with Dr. Pérez",
        body=None,
        occurred_on=org_today(),
        practice=submit_response().practice,
    )
    assert "Spoke with Dr. Pérez" not in _render_panel(
        app, create_user("viewer"), country_code="CO"
    )


@pytest.mark.csrf
def test_adding_an_activity_needs_the_csrf_token(db, staff_client):
    reply = staff_client.post(
        "/staff/countries/CO/activities",
        data={
            "activity-kind": "note",
            "activity-subject": "x",
            "activity-occurred_on": org_today().isoformat(),
        },
    )
    assert reply.status_code == 400
    assert db.session.scalars(select(Activity)).first() is None


@pytest.mark.csrf
def test_changing_a_task_status_needs_the_csrf_token(db, staff_client, staff):
    task = add_task(title="Send memo", owner=staff, due_on=None, country_code="CO")
    db.session.commit()
    reply = staff_client.post(f"/staff/tasks/{task.id}/status", data={"status-status": "done"})
    assert reply.status_code == 400
    db.session.expire_all()
    assert db.session.get(Task, task.id).status == "open"
