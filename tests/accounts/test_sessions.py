"""Staff sessions held on the server (docs/decisions.md#server-sessions, OWASP ASVS V3.3):
tried as an attacker with a copied cookie would."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from crm.accounts.models import StaffSession
from crm.audit.models import AuditEvent
from crm.core.columns import utcnow

STAFF_PAGE = "/staff/responses"


def copy_of(app, client):
    """A second client holding a copy of ``client``'s cookies (what an attacker would hold)."""
    thief = app.test_client()
    for cookie in client._cookies.values():
        thief.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return thief


def opens(client, path: str = STAFF_PAGE) -> bool:
    response = client.get(path)
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def sessions_of(db, user) -> list[StaffSession]:
    return list(db.session.scalars(select(StaffSession).where(StaffSession.user_id == user.id)))


def test_a_copied_cookie_is_refused_after_logout(app, client, create_user, login):
    user = create_user("staff")
    login(user)
    thief = copy_of(app, client)
    assert opens(client)
    assert opens(thief)
    client.post("/staff/logout")
    assert not opens(client)
    assert not opens(thief)
    assert thief.get("/api/v1/countries").status_code == 401


def test_the_cookie_keeps_only_a_key_whose_hash_is_stored(app, client, create_user, login, db):
    user = create_user("staff")
    login(user)
    (row,) = sessions_of(db, user)
    cookie = client.get_cookie("session").value
    assert len(row.key_hash) == 64
    assert row.key_hash not in cookie


def test_logging_in_again_never_revives_an_old_cookie(app, client, create_user, login, db):
    user = create_user("staff")
    login(user)
    before = copy_of(app, client)
    client.post("/staff/logout")
    login(user)  # the same browser signs in again
    assert opens(client)
    assert not opens(before)
    assert len(sessions_of(db, user)) == 1


def test_an_idle_session_ends(app, client, create_user, login, db):
    user = create_user("staff")
    login(user)
    assert opens(client)
    db.session.execute(update(StaffSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db.session.commit()
    assert not opens(client)
    assert sessions_of(db, user) == []


def test_activity_keeps_a_session_alive_and_is_recorded_each_minute(
    app, client, create_user, login, db
):
    user = create_user("staff")
    login(user)
    db.session.execute(update(StaffSession).values(last_seen_at=utcnow() - timedelta(minutes=29)))
    db.session.commit()
    assert opens(client)
    (row,) = sessions_of(db, user)
    db.session.refresh(row)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)


def test_the_idle_timeout_is_a_setting(app, client, create_user, login, db):
    app.config["SESSION_IDLE_MINUTES"] = 120
    user = create_user("staff")
    login(user)
    db.session.execute(update(StaffSession).values(last_seen_at=utcnow() - timedelta(minutes=90)))
    db.session.commit()
    assert opens(client)


def test_a_session_ends_at_its_absolute_timeout_even_when_busy(app, client, create_user, login, db):
    user = create_user("staff")
    login(user)
    db.session.execute(
        update(StaffSession).values(created_at=utcnow() - timedelta(hours=12, minutes=1))
    )
    db.session.commit()
    assert not opens(client)


def test_a_user_sees_and_ends_another_session(app, client, create_user, login, db):
    user = create_user("viewer")
    login(user)
    laptop = client
    phone = app.test_client()
    phone.post("/staff/login", data={"email": user.email, "password": user.test_password})
    page = laptop.get("/staff/account/").get_data(as_text=True)
    assert page.count("End session") == 1  # the other one; this one is marked
    assert "This session" in page
    other = next(r for r in sessions_of(db, user) if f"/sessions/{r.id}/end" in page)
    response = laptop.post(f"/staff/account/sessions/{other.id}/end")
    assert response.status_code == 303
    assert not opens(phone, "/staff/account/")
    assert opens(laptop, "/staff/account/")
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.end_sessions")
    ).one()
    assert (event.entity_id, event.changes) == (str(user.id), {"sessions": [None, 1]})


def test_a_user_cannot_end_someone_elses_session(app, client, create_user, login, db):
    victim = create_user("staff")
    victims_browser = app.test_client()
    victims_browser.post(
        "/staff/login", data={"email": victim.email, "password": victim.test_password}
    )
    (row,) = sessions_of(db, victim)
    login(create_user("staff"))
    assert client.post(f"/staff/account/sessions/{row.id}/end").status_code == 404
    assert opens(victims_browser)


def test_end_all_other_sessions(app, client, create_user, login, db):
    user = create_user("staff")
    others = [app.test_client() for _ in range(2)]
    for browser in others:
        browser.post("/staff/login", data={"email": user.email, "password": user.test_password})
    login(user)
    assert client.post("/staff/account/sessions/end-others").status_code == 303
    assert [opens(browser) for browser in others] == [False, False]
    assert opens(client)
    assert len(sessions_of(db, user)) == 1


def test_an_admin_ends_a_users_sessions(app, client, create_user, login, db):
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False
    user = create_user("staff")
    browser = app.test_client()
    browser.post("/staff/login", data={"email": user.email, "password": user.test_password})
    assert opens(browser)
    login(create_user("admin"))
    page = client.get(f"/staff/admin/users/{user.id}").get_data(as_text=True)
    assert "Signed in: 1 session" in page
    response = client.post(f"/staff/admin/users/{user.id}/end-sessions")
    assert response.status_code == 303
    assert not opens(browser)
    assert sessions_of(db, user) == []
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "user.end_sessions")
        )
        == 1
    )


def test_a_password_change_ends_the_other_sessions(app, client, create_user, login, db):
    user = create_user("staff")
    other = app.test_client()
    other.post("/staff/login", data={"email": user.email, "password": user.test_password})
    login(user)
    new_password = "a much better passphrase 9 times"
    response = client.post(
        "/staff/change",
        data={"password": user.test_password, "new_password": new_password,
              "new_password_confirm": new_password},
    )  # fmt: skip
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    assert not opens(other)
    assert opens(client)


def test_the_login_form_offers_no_remember_me(client):
    assert 'name="remember"' not in client.get("/staff/login").get_data(as_text=True)


def test_sessions_hold_across_app_servers(app, make_app, client, create_user, login):
    """Two app objects on one database stand for two servers: a logout on one ends the
    session on the other."""
    user = create_user("staff")
    login(user)
    on_second = copy_of(make_app(), client)
    assert opens(on_second)
    on_second.post("/staff/logout")
    assert not opens(client)


def test_a_form_sent_after_a_pause_is_saved_and_touches_the_session(
    app, client, create_user, login, db
):
    """A write request loads its user inside its own write transaction: recording the session's
    last use must not wait for that transaction (on SQLite: the single write lock)."""
    user = create_user("staff")
    login(user)
    db.session.execute(update(StaffSession).values(last_seen_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    response = client.post(
        "/staff/countries/CO/thresholds/QOPI",
        data={"min_eligible_practices": "7", "reason": "Pilot size"},
    )
    assert response.status_code in (302, 303)
    assert "/login" not in response.headers["Location"]
    (row,) = sessions_of(db, user)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)


def test_a_form_sent_after_the_idle_timeout_goes_to_the_login(app, client, create_user, login, db):
    user = create_user("staff")
    login(user)
    db.session.execute(update(StaffSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db.session.commit()
    response = client.post(
        "/staff/countries/CO/thresholds/QOPI",
        data={"min_eligible_practices": "7", "reason": "Pilot size"},
    )
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]
    assert sessions_of(db, user) == []
