"""Saved views: every staff list's filters and sort under a name, for oneself or shared, each
with a stable URL (docs/domain.md#saved-views)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.audit.models import AuditEvent
from crm.savedviews.models import SavedView


@pytest.fixture
def two_staff(create_user):
    return create_user("staff"), create_user("staff")


def log_in(client, user):
    client.post("/staff/login", data={"email": user.email, "password": user.test_password})


def test_a_saved_view_reopens_the_list_with_its_filters(client, two_staff, db):
    mine, _other = two_staff
    log_in(client, mine)
    answer = client.post("/staff/views", data={
        "name": "Colombia, newest", "list_name": "responses",
        "query": "country=CO&status=all&sort=-submitted&page=3"})  # fmt: skip
    assert answer.status_code == 303
    view = db.session.scalar(select(SavedView))
    assert view.query == "country=CO&status=all&sort=-submitted"  # the page is not kept
    assert answer.headers["Location"].endswith(f"/staff/responses?{view.query}&view={view.id}")
    stable = client.get(f"/staff/views/{view.id}")
    assert stable.status_code == 303
    assert stable.headers["Location"] == answer.headers["Location"]
    page = client.get(stable.headers["Location"]).get_data(as_text=True)
    assert "Colombia, newest</a>" in page
    assert 'aria-current="page">Colombia, newest' in page
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.entity_type == "saved_view")) == "saved_view.create"  # fmt: skip


@pytest.mark.parametrize("list_name", ["countries", "responses", "practices", "contacts", "tasks"])
def test_every_staff_list_offers_its_saved_views(client, two_staff, list_name):
    log_in(client, two_staff[0])
    client.post("/staff/views", data={"name": f"My {list_name}", "list_name": list_name,
                                      "query": ""})  # fmt: skip
    page = client.get(_path(list_name)).get_data(as_text=True)
    assert f"My {list_name}</a>" in page
    assert 'id="saved-views-heading"' in page


def _path(list_name: str) -> str:
    return {"countries": "/staff/countries/", "responses": "/staff/responses",
            "practices": "/staff/practices", "contacts": "/staff/contacts",
            "tasks": "/staff/tasks"}[list_name]  # fmt: skip


def test_a_shared_view_is_the_teams_and_a_private_one_is_not(client, two_staff, db):
    mine, other = two_staff
    log_in(client, mine)
    client.post("/staff/views", data={"name": "Team", "list_name": "practices",
                                      "query": "country=BR", "shared": "y"})  # fmt: skip
    client.post("/staff/views", data={"name": "Mine", "list_name": "practices",
                                      "query": "country=AR"})  # fmt: skip
    team, private = (db.session.scalar(select(SavedView).where(SavedView.name == n))
                     for n in ("Team", "Mine"))  # fmt: skip
    client.post("/staff/logout")
    log_in(client, other)
    page = client.get("/staff/practices").get_data(as_text=True)
    assert "Team</a>" in page
    assert "Mine</a>" not in page
    assert client.get(f"/staff/views/{team.id}").status_code == 303
    assert client.get(f"/staff/views/{private.id}").status_code == 404
    # Only its owner deletes a view.
    client.post(f"/staff/views/{team.id}/delete")
    assert db.session.get(SavedView, team.id) is not None


def test_saving_again_under_the_same_name_replaces_the_view(client, two_staff, db):
    log_in(client, two_staff[0])
    for country in ("CO", "MX"):
        client.post("/staff/views", data={"name": "Focus", "list_name": "contacts",
                                          "query": f"country={country}"})  # fmt: skip
    views = db.session.scalars(select(SavedView)).all()
    assert [(v.name, v.query) for v in views] == [("Focus", "country=MX")]


def test_viewers_save_their_own_country_views_only(client, create_user, db):
    viewer = create_user("viewer")
    log_in(client, viewer)
    client.post("/staff/views", data={"name": "Americas", "list_name": "countries",
                                      "query": "region=019"})  # fmt: skip
    refused = client.post("/staff/views", data={"name": "Shared", "list_name": "countries",
                                                "query": "", "shared": "y"},
                          follow_redirects=True)  # fmt: skip
    assert "Only staff share views with the team." in refused.get_data(as_text=True)
    client.post("/staff/views", data={"name": "People", "list_name": "responses", "query": ""})
    assert [v.name for v in db.session.scalars(select(SavedView))] == ["Americas"]


def test_a_view_is_deleted_by_its_owner(client, two_staff, db):
    log_in(client, two_staff[0])
    client.post("/staff/views", data={"name": "Old", "list_name": "tasks",
                                      "query": "owner=anyone"})  # fmt: skip
    view_id = db.session.scalar(select(SavedView.id))
    answer = client.post(f"/staff/views/{view_id}/delete")
    assert answer.status_code == 303
    assert db.session.scalar(select(SavedView.id)) is None


def test_the_task_list_filters_by_owner_and_status(client, two_staff, db):
    from crm.activities.operations import add_task

    mine, other = two_staff
    other.name = "Olga Prieto"
    add_task(title="Call the ministry", owner=other, due_on=None, country_code="CO")
    add_task(title="Send the draft", owner=mine, due_on=None, country_code="CO", status="done")
    db.session.commit()
    log_in(client, mine)
    page = client.get("/staff/tasks").get_data(as_text=True)
    assert "Call the ministry" not in page
    page = client.get("/staff/tasks?owner=anyone").get_data(as_text=True)
    assert "Call the ministry" in page
    assert "Olga Prieto" in page
    page = client.get("/staff/tasks?status=done").get_data(as_text=True)
    assert "Send the draft" in page
