"""People have names: ``flask users create`` asks for one, and the screens show it for owners,
assignees and the audit trail (docs/domain.md#people)."""

from __future__ import annotations

from sqlalchemy import select

from crm.accounts import people
from crm.accounts.models import User

PASSWORD = "correct horse battery"


def test_users_create_asks_for_the_name_when_not_given(app, db, monkeypatch):
    monkeypatch.setenv("CRM_PASSWORD", PASSWORD)
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "lucia@example.org", "--role", "staff"],
        input="Lucía Fernández\n",
    )
    assert result.exit_code == 0, result.output
    assert "Name" in result.output
    user = db.session.scalar(select(User).where(User.email == "lucia@example.org"))
    assert user.name == "Lucía Fernández"


def test_users_create_takes_the_name_as_an_option(app, db, monkeypatch):
    monkeypatch.setenv("CRM_PASSWORD", PASSWORD)
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "joao@example.org", "--role", "viewer",
              "--name", "João Souza"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User.name).where(User.email == "joao@example.org")) == (
        "João Souza"
    )


def test_users_create_refuses_a_blank_name(app, db, monkeypatch):
    monkeypatch.setenv("CRM_PASSWORD", PASSWORD)
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "x@example.org", "--role", "staff", "--name", "  "]
    )
    assert result.exit_code != 0
    assert "name" in result.output
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None


def test_display_name_is_the_name_else_the_email(create_user, db):
    user = create_user("staff", email="ana@example.org")
    assert people.display_name(user) == "ana@example.org"
    user.name = "Ana Gómez"
    assert people.display_name(user) == "Ana Gómez"
    assert people.display_name(None) == ""


def test_the_audit_trail_shows_who_by_name(client, create_user, login, db, app):
    user = create_user("staff")
    user.name = "Beatriz Lima"
    db.session.commit()
    login(user)
    assert client.post(
        "/staff/countries/CO/thresholds/QOPI",
        data={"min_eligible_practices": "7", "reason": "Pilot size"},
    ).status_code in (302, 303)
    page = client.get("/staff/countries/CO").get_data(as_text=True)
    start = page.index('class="audit-entries"')
    audit_part = page[start : page.index("</ol>", start)]
    assert "Beatriz Lima" in audit_part
    assert user.email not in audit_part


def test_an_api_write_is_named_as_through_the_api(app, create_user, db):
    user = create_user("staff")
    user.name = "Carla Ruiz"
    db.session.commit()
    with app.test_request_context("/"):
        assert people.actor_label(user.id, f"api:{user.email}") == "Carla Ruiz (API)"
        assert people.actor_label(user.id, user.email) == "Carla Ruiz"
        assert people.actor_label(None, "cli") == "cli"
        # An account deleted since keeps what was recorded.
        assert people.actor_label(999_999, "gone@example.org") == "gone@example.org"


def test_names_are_read_once_per_request(app, create_user, db):
    users = [create_user("staff") for _ in range(3)]
    for number, user in enumerate(users):
        user.name = f"Person {number}"
    db.session.commit()
    with app.test_request_context("/"):
        names = people.names_by_id([u.id for u in users] + [None])
        assert names == {u.id: f"Person {n}" for n, u in enumerate(users)}
        users[0].name = "Renamed"
        db.session.commit()
        assert people.names_by_id([users[0].id]) == {users[0].id: "Person 0"}
