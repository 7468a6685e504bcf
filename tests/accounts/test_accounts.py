"""Accounts (``docs/domain.md#roles``): login, lockout, rate limit, password change, admin
users, two-factor."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

import config
from crm.accounts.models import User
from crm.core.columns import utcnow

PASSWORD = "correct horse battery"


def log_in(client, email: str, password: str = PASSWORD):
    return client.post("/staff/login", data={"email": email, "password": password})


def is_logged_in(client) -> bool:
    return client.get("/staff/account/").status_code == 200


def totp_code(app, client) -> str:
    """The current code of the secret Flask-Security keeps in the session during setup."""
    with client.session_transaction() as session:
        secret = session["tf_totp_secret"]
    return app.extensions["security"].totp_factory.generate_totp_password(secret)


# --- login, logout, cookies -----------------------------------------------------------------------


def test_login_then_logout(client, create_user):
    user = create_user("viewer")
    assert log_in(client, user.email).status_code == 302
    assert is_logged_in(client)
    assert client.post("/staff/logout").status_code == 302
    assert not is_logged_in(client)


def test_session_cookie_is_httponly_and_samesite(client, create_user):
    user = create_user("viewer")
    cookie = log_in(client, user.email).headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_cookie_is_secure_outside_the_embedded_default():
    settings = config.load_config(
        {
            "CRM_ENV": "production",
            "SECRET_KEY": "k" * 40,
            "SECURITY_PASSWORD_SALT": "s" * 40,
            "TOTP_SECRET": "t" * 40,
            "DATABASE_URL": "postgresql+psycopg://db/crm",
        }
    )
    assert settings["SESSION_COOKIE_SECURE"]
    assert settings["REMEMBER_COOKIE_SECURE"]
    assert settings["SESSION_COOKIE_HTTPONLY"]


@pytest.mark.parametrize(
    ("environ", "required"),
    [
        ({}, False),
        ({"ADMIN_TWO_FACTOR_REQUIRED": "true"}, True),
        ({"DATABASE_URL": "postgresql+psycopg://db/crm"}, True),
        ({"DATABASE_URL": "postgresql+psycopg://db/crm", "ADMIN_TWO_FACTOR_REQUIRED": "0"}, False),
    ],
    ids=["embedded", "embedded-asked", "server", "server-switched-off"],
)
def test_admin_two_factor_setting_defaults(environ, required):
    assert config.load_config(environ)["ADMIN_TWO_FACTOR_REQUIRED"] is required


def test_wrong_password_and_unknown_account_get_the_same_answer(client, create_user):
    user = create_user("viewer")
    wrong = log_in(client, user.email, "not the password at all")
    unknown = log_in(client, "nobody@example.org")
    assert wrong.status_code == unknown.status_code == 200
    assert not is_logged_in(client)

    def errors(response):
        html = response.get_data(as_text=True)
        return html[
            html.index('class="error-summary"') : html.index("</ul>", html.index("error-summary"))
        ]

    assert errors(wrong).replace(user.email, "") == errors(unknown).replace(
        "nobody@example.org", ""
    )


# --- lockout and rate limit -----------------------------------------------------------------------


def fail(client, user, times: int) -> None:
    for _ in range(times):
        assert log_in(client, user.email, "wrong password, really").status_code == 200


def test_failed_logins_lock_the_account(app, client, create_user, db):
    user = create_user("staff")
    fail(client, user, app.config["LOGIN_LOCKOUT_ATTEMPTS"])
    response = log_in(client, user.email)
    assert response.status_code == 200
    assert "locked" in response.get_data(as_text=True)
    assert not is_logged_in(client)
    db.session.refresh(user)
    assert user.locked_until > utcnow()


def test_fewer_failures_do_not_lock_and_success_resets_the_count(app, client, create_user, db):
    user = create_user("staff")
    fail(client, user, app.config["LOGIN_LOCKOUT_ATTEMPTS"] - 1)
    assert log_in(client, user.email).status_code == 302
    db.session.refresh(user)
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_the_lock_ends_after_its_time(app, client, create_user):
    user = create_user("staff")
    fail(client, user, app.config["LOGIN_LOCKOUT_ATTEMPTS"])
    later = utcnow() + timedelta(minutes=app.config["LOGIN_LOCKOUT_MINUTES"] + 1)
    with freeze_time(later):
        assert log_in(client, user.email).status_code == 302


def test_failed_logins_are_logged_without_the_password(client, create_user, caplog):
    user = create_user("staff")
    with caplog.at_level(logging.INFO, logger="crm.security"):
        log_in(client, user.email, "Sup3r-secret-guess")
        log_in(client, "nobody@example.org", "Sup3r-secret-guess")
    messages = [r.getMessage() for r in caplog.records if r.name == "crm.security"]
    assert any(f"account {user.id}" in m and "failed" in m for m in messages)
    assert any("unknown account" in m for m in messages)
    assert not any("Sup3r-secret-guess" in r.getMessage() for r in caplog.records)


@pytest.mark.ratelimit
def test_login_posts_are_rate_limited_per_client(app, client, create_user):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    user = create_user("staff")
    statuses = [log_in(client, user.email, "wrong password, really").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/staff/login").status_code == 200


# --- own password and preferences -----------------------------------------------------------------


def test_changing_the_password_ends_other_sessions(app, client, create_user):
    user = create_user("staff")
    other_device = app.test_client()
    log_in(other_device, user.email)
    log_in(client, user.email)
    response = client.post(
        "/staff/change",
        data={
            "password": PASSWORD,
            "new_password": "a much longer new passphrase",
            "new_password_confirm": "a much longer new passphrase",
        },
    )
    assert response.status_code == 302
    assert is_logged_in(client)
    assert not is_logged_in(other_device)


def test_language_preference_is_kept_and_used(client, create_user, db):
    user = create_user("viewer")
    log_in(client, user.email)
    response = client.post("/staff/account/", data={"name": "Iris", "locale": "pt_BR"})
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.locale == "pt_BR"
    assert 'lang="pt-BR"' in client.get("/staff/countries/").get_data(as_text=True)


def test_unknown_language_is_refused_next_to_the_field(client, create_user):
    user = create_user("viewer")
    log_in(client, user.email)
    response = client.post("/staff/account/", data={"locale": "fr"})
    assert response.status_code == 422
    assert 'id="locale-error"' in response.get_data(as_text=True)


# --- admins manage users --------------------------------------------------------------------------


@pytest.fixture
def admin(app, client, create_user):
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False
    user = create_user("admin")
    log_in(client, user.email)
    return user


def test_admin_creates_an_account_that_can_log_in(app, client, admin, db):
    response = client.post(
        "/staff/admin/users/new",
        data={
            "email": "New.Person@Example.org",
            "name": "New Person",
            "role": "viewer",
            "locale": "es",
            "password": "a long initial password",
            "password_confirm": "a long initial password",
        },
    )
    assert response.status_code == 303
    created = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert created.role_names == {"viewer"}
    assert (
        log_in(app.test_client(), "new.person@example.org", "a long initial password").status_code
        == 302
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"password": "short", "password_confirm": "short"}, "password"),
        ({"password_confirm": "something else entirely"}, "password_confirm"),
        ({"role": "superuser"}, "role"),
    ],
)
def test_bad_new_account_is_refused_next_to_the_field(client, admin, data, field):
    values = {
        "email": "someone@example.org",
        "role": "staff",
        "locale": "en",
        "password": "a long initial password",
        "password_confirm": "a long initial password",
    }
    response = client.post("/staff/admin/users/new", data=values | data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)


def test_an_email_cannot_have_two_accounts(client, admin):
    response = client.post(
        "/staff/admin/users/new",
        data={
            "email": admin.email.upper(),
            "role": "staff",
            "locale": "en",
            "password": "a long initial password",
            "password_confirm": "a long initial password",
        },
    )
    assert response.status_code == 422
    assert "An account with this email already exists." in response.get_data(as_text=True)


def test_admin_changes_a_role(client, admin, create_user, db):
    user = create_user("viewer")
    response = client.post(f"/staff/admin/users/{user.id}", data={"name": "", "role": "staff"})
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.role_names == {"staff"}


def test_a_deactivated_account_cannot_log_in_until_reactivated(app, client, admin, create_user):
    user = create_user("staff")
    assert client.post(f"/staff/admin/users/{user.id}/deactivate").status_code == 303
    assert log_in(app.test_client(), user.email).status_code == 200
    assert client.post(f"/staff/admin/users/{user.id}/reactivate").status_code == 303
    assert log_in(app.test_client(), user.email).status_code == 302


def test_deactivation_ends_the_sessions_of_that_account(app, client, admin, create_user):
    user = create_user("staff")
    their_client = app.test_client()
    log_in(their_client, user.email)
    client.post(f"/staff/admin/users/{user.id}/deactivate")
    assert not is_logged_in(their_client)


def test_an_admin_cannot_deactivate_themselves(client, admin, db):
    response = client.post(f"/staff/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.active


def test_the_last_admin_keeps_the_role(client, admin, db):
    response = client.post(f"/staff/admin/users/{admin.id}", data={"role": "staff"})
    assert response.status_code == 422
    assert "At least one active administrator must remain." in response.get_data(as_text=True)


def test_admin_unlocks_a_locked_account(app, client, admin, create_user):
    user = create_user("staff")
    fail(app.test_client(), user, app.config["LOGIN_LOCKOUT_ATTEMPTS"])
    assert client.post(f"/staff/admin/users/{user.id}/unlock").status_code == 303
    assert log_in(app.test_client(), user.email).status_code == 302


def test_unknown_user_id_is_404(client, admin):
    assert client.get("/staff/admin/users/999").status_code == 404
    assert client.post("/staff/admin/users/999/deactivate").status_code == 404


# --- two-factor for admins (docs/domain.md#roles) -------------------------------------------------


def test_without_the_setting_an_admin_reaches_admin_pages_at_once(app, client, create_user):
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False
    user = create_user("admin")
    log_in(client, user.email)
    assert client.get("/staff/admin/").status_code == 200


def test_with_the_setting_an_admin_sets_up_two_factor_at_first_login(app, client, create_user):
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = True
    user = create_user("admin")
    response = log_in(client, user.email)
    assert response.headers["Location"].endswith("/staff/tf-setup")
    assert client.get("/staff/admin/").status_code == 302  # not logged in yet
    assert client.post("/staff/tf-setup", data={"setup": "authenticator"}).status_code == 200
    response = client.post("/staff/tf-validate", data={"code": totp_code(app, client)})
    assert response.status_code == 302
    assert client.get("/staff/admin/").status_code == 200


def test_with_the_setting_an_admin_without_two_factor_is_sent_to_set_it_up(
    app, client, create_user
):
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False
    user = create_user("admin")
    log_in(client, user.email)  # logged in while the setting was off
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = True
    response = client.get("/staff/admin/users")
    assert response.status_code == 302
    assert "/staff/tf-setup" in response.headers["Location"]


def test_a_wrong_two_factor_code_counts_as_a_failed_login(app, client, create_user, db):
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = True
    user = create_user("admin")
    log_in(client, user.email)
    client.post("/staff/tf-setup", data={"setup": "authenticator"})
    client.post("/staff/tf-validate", data={"code": "000000"})
    db.session.refresh(user)
    assert user.failed_logins == 1


def test_staff_need_no_two_factor(app, client, create_user):
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = True
    user = create_user("staff")
    assert log_in(client, user.email).headers["Location"].endswith("/staff/dashboard/")


# --- the login pages are ours, in the reader's language -------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "Log in to the staff screens"), ("es", "Contraseña"), ("pt_BR", "Senha")],
)
def test_login_page_in_each_language(client, language, text):
    client.get(f"/language/{language}")
    html = client.get("/staff/login").get_data(as_text=True)
    assert text in html
    assert '<main id="main"' in html


# --- the command line (docs/architecture.md#interfaces) -------------------------------------------


def test_users_create_command(app, db, monkeypatch):
    monkeypatch.setenv("CRM_PASSWORD", PASSWORD)
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "Iqsg@Example.org", "--role", "viewer",
              "--name", "Iris"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "iqsg@example.org"))
    assert user.role_names == {"viewer"}
    assert user.password != PASSWORD  # stored as an argon2 hash
    assert user.password.startswith("$argon2")


def test_users_create_refuses_a_short_password(app, monkeypatch):
    monkeypatch.setenv("CRM_PASSWORD", "short")
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "x@example.org", "--role", "staff", "--name", "X"]
    )
    assert result.exit_code != 0
    assert "12" in result.output
