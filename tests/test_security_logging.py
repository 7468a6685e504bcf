"""Logs hold no personal data: unhandled errors keep their stack but not their message, and
security events (logins, lockouts, API tokens) name accounts by id and tokens by prefix.
"""

from __future__ import annotations

import logging

import pytest
from flask import request
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from crm.api.tokens import create_token, revoke_token
from crm.core.access import public
from crm.responses.models import Contact
from tests.surveys.support import valid_form

EMAIL = "maria.souza@clinica.example"
NAME = "Maria Conceição Souza"
PASSWORD = "Sup3r-secret-guess"


def logged_text(caplog) -> str:
    """Every captured record as a handler would write it, tracebacks included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


@pytest.fixture
def unpropagated(app):
    """The app answering unhandled exceptions with its 500 page, as in production."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_an_unhandled_error_is_logged_without_the_personal_data_it_quotes(
    unpropagated, client, caplog
):
    def failing_view():
        raise ValueError(f"cannot file {request.form['email']} ({request.form['name']})")

    unpropagated.add_url_rule("/es/failing", "failing", public(failing_view), methods=["POST"])
    with caplog.at_level(logging.INFO):
        response = client.post("/es/failing", data={"email": EMAIL, "name": NAME})
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    text = logged_text(caplog)
    assert "unhandled exception on POST /es/failing: ValueError" in text
    assert "failing_view" in text  # the stack is kept
    assert EMAIL not in text
    assert NAME not in text


def test_a_database_error_in_the_survey_is_logged_without_the_answers(
    unpropagated, client, db, caplog, monkeypatch
):
    def broken_confirmation(response):
        # A write the database refuses, with the respondent's data among its parameters.
        db.session.execute(insert(Contact).values(name=NAME, email=None, email_key=EMAIL))

    monkeypatch.setattr("crm.responses.intake.queue_confirmation", broken_confirmation)
    with caplog.at_level(logging.INFO):
        response = client.post("/es/survey", data=valid_form(name=NAME, email=EMAIL))
    assert response.status_code == 500
    text = logged_text(caplog)
    assert "IntegrityError" in text
    assert EMAIL not in text
    assert NAME not in text


def test_a_database_error_while_the_worker_files_is_logged_without_the_answers(
    app, client, db, caplog, monkeypatch
):
    from crm.worker import file_waiting_responses

    def broken_confirmation(response):
        db.session.execute(insert(Contact).values(name=NAME, email=None, email_key=EMAIL))

    app.config["SURVEY_FILING"] = "worker"
    assert client.post("/es/survey", data=valid_form(name=NAME, email=EMAIL)).status_code == 303
    monkeypatch.setattr("crm.responses.intake.queue_confirmation", broken_confirmation)
    with caplog.at_level(logging.INFO):
        assert file_waiting_responses(set()) == 0
    text = logged_text(caplog)
    assert "IntegrityError" in text
    assert EMAIL not in text
    assert NAME not in text


def test_a_failing_daily_job_is_logged_without_the_personal_data_it_quotes(
    app, caplog, monkeypatch
):
    from crm.core import jobs

    def failing_job():
        raise ValueError(f"no consent recorded for {EMAIL}")

    monkeypatch.setattr(jobs, "DAILY_JOBS", [("reminders", failing_job)])
    with caplog.at_level(logging.INFO):
        jobs.run_daily_jobs()
    text = logged_text(caplog)
    assert "daily job reminders failed: ValueError" in text
    assert "failing_job" in text
    assert EMAIL not in text


def test_database_errors_do_not_add_the_statements_parameters(db):
    # (PostgreSQL's own DETAIL line still quotes the failing row: hence no messages in logs.)
    with pytest.raises(IntegrityError) as raised:
        db.session.execute(insert(Contact).values(name=NAME, email=None, email_key=EMAIL))
    db.session.rollback()
    assert "[SQL parameters hidden due to hide_parameters=True]" in str(raised.value)


def test_request_lines_of_the_development_server_leave_out_the_query_string(app, caplog):
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info(
            '"%s" %s %s', f"GET /staff/contacts?q={EMAIL}&page=2 HTTP/1.1", "200", "-"
        )
    assert caplog.records[-1].getMessage() == '"GET /staff/contacts?… HTTP/1.1" 200 -'


def security_events(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "crm.security"]


def log_in(client, email: str, password: str):
    return client.post("/staff/login", data={"email": email, "password": password})


def test_a_successful_login_is_a_security_event_naming_the_account_by_id(
    client, create_user, caplog
):
    user = create_user("staff", email=EMAIL)
    with caplog.at_level(logging.INFO, logger="crm.security"):
        assert log_in(client, EMAIL, user.test_password).status_code == 302
    assert security_events(caplog) == [f"login succeeded: account {user.id} via password"]
    assert user.test_password not in logged_text(caplog)
    assert EMAIL not in logged_text(caplog)


def test_a_failed_login_is_a_security_event_without_the_password(client, create_user, caplog):
    user = create_user("staff", email=EMAIL)
    with caplog.at_level(logging.INFO, logger="crm.security"):
        log_in(client, EMAIL, PASSWORD)
    [event] = security_events(caplog)
    assert event.startswith(f"login failed: account {user.id}, password")
    assert PASSWORD not in logged_text(caplog)
    assert EMAIL not in logged_text(caplog)


def test_a_login_to_an_unknown_account_does_not_log_the_typed_email(client, caplog):
    with caplog.at_level(logging.INFO, logger="crm.security"):
        log_in(client, EMAIL, PASSWORD)
    assert security_events(caplog) == ["login failed: unknown account (client 127.0.0.1)"]
    assert EMAIL not in logged_text(caplog)
    assert PASSWORD not in logged_text(caplog)


def test_a_lockout_and_the_refusals_after_it_are_security_events(app, client, create_user, caplog):
    app.config["LOGIN_LOCKOUT_ATTEMPTS"] = 2
    user = create_user("staff", email=EMAIL)
    with caplog.at_level(logging.INFO, logger="crm.security"):
        for _attempt in range(2):
            log_in(client, EMAIL, PASSWORD)
        log_in(client, EMAIL, user.test_password)
    events = security_events(caplog)
    assert f"account {user.id} locked for 15 minutes" in events
    assert events[-1] == f"login refused: account {user.id} is locked (client 127.0.0.1)"
    assert user.test_password not in logged_text(caplog)


@pytest.mark.ratelimit
def test_reaching_the_login_rate_limit_is_a_security_event(app, client, caplog):
    app.config["LOGIN_RATE_LIMIT"] = "1 per minute"
    with caplog.at_level(logging.INFO, logger="crm.security"):
        log_in(client, EMAIL, PASSWORD)
        assert log_in(client, EMAIL, PASSWORD).status_code == 429
    assert "login rate limit reached (client 127.0.0.1)" in security_events(caplog)


@pytest.fixture
def token(db, create_user):
    user = create_user("viewer", email=EMAIL)
    row, plain = create_token(user)
    db.session.commit()
    return user, row, plain


def test_api_token_use_is_a_security_event_with_the_prefix_only(client, token, caplog):
    user, row, plain = token
    with caplog.at_level(logging.INFO, logger="crm.security"):
        client.get("/api/v1/countries", headers={"Authorization": f"Bearer {plain}"})
    assert security_events(caplog) == [f"api token used user_id={user.id} prefix={row.prefix}"]
    assert plain not in logged_text(caplog)
    assert plain[12:] not in logged_text(caplog)


def test_a_revoked_token_is_refused_and_logged_with_its_prefix_only(client, db, token, caplog):
    _user, row, plain = token
    revoke_token(row)
    db.session.commit()
    with caplog.at_level(logging.INFO, logger="crm.security"):
        reply = client.get("/api/v1/countries", headers={"Authorization": f"Bearer {plain}"})
    assert reply.status_code == 401
    assert security_events(caplog) == [f"api token refused prefix={row.prefix} reason=revoked"]
    assert plain[12:] not in logged_text(caplog)


def test_something_else_sent_as_a_token_is_not_quoted(client, caplog):
    with caplog.at_level(logging.INFO, logger="crm.security"):
        reply = client.get("/api/v1/countries", headers={"Authorization": f"Bearer {PASSWORD}"})
    assert reply.status_code == 401
    assert security_events(caplog) == ["api token refused prefix=(not one of ours) reason=unknown"]
    assert PASSWORD[:6] not in logged_text(caplog)
