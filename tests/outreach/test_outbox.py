"""The outbox against a real SMTP server (aiosmtpd on 127.0.0.1): delivery, retries, two
workers, and headers that cannot be injected; nothing lost in a long outage, only a
permanent rejection fails a row, and a survey answered in Spanish reaches the server end to
end through the worker (docs/architecture.md#worker, docs/decisions.md#retry-policy)."""

from __future__ import annotations

import logging
import smtplib
import socket
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from crm.audit.models import AuditEvent
from crm.outreach import outbox
from crm.outreach.emails import queue_confirmation
from crm.outreach.models import OutboxMessage
from crm.responses.intake import intake_response
from crm.responses.models import SurveyResponse
from crm.worker import file_waiting_responses
from tests.surveys.support import valid_form


class Inbox:
    """aiosmtpd handler that keeps every message it accepts; ``rcpt_reply`` (e.g. "451 ...",
    "550 ...") answers every recipient instead of accepting it, ``mail_reply`` the sender."""

    def __init__(self):
        self.messages = []
        self.rcpt_reply: str | None = None
        self.mail_reply: str | None = None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """An aiosmtpd server on a fixed local port that can be stopped and started again."""

    def __init__(self):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app):
    """A running SMTP server the app sends to; ``smtp.stop()`` / ``smtp.start()`` toggle it."""
    server = SmtpServer()
    server.start()
    app.config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=server.port,
        MAIL_USE_TLS=False,
        MAIL_TIMEOUT=2,
    )
    outbox.mail.init_app(app)
    yield server
    server.stop()


def spanish_response(db):
    result = intake_response(
        {
            "name": "Lucía Gómez",
            "email": "lucia@hospital.example",
            "practice_name": "Hospital Sur",
            "country": "MX",
            "interest_qopi": "very",
            "interest_qcp": "somewhat",
            "interest_qtp": "not_at_all",
            "comments": "<script>alert(1)</script>",
            "consent": True,
        },
        language="es",
        submission_token=uuid.uuid4().hex,
        consent_at=datetime.now(UTC),
        privacy_notice_version="2026-11",
    )
    return result.response


def test_spanish_confirmation_arrives_with_the_right_headers(app, db, smtp):
    queue_confirmation(spanish_response(db))
    db.session.commit()
    assert outbox.send_due() == {"sent": 1, "failed": 0}
    [message] = smtp.inbox.messages
    assert message["To"] == "lucia@hospital.example"
    assert (
        message["Subject"].strip()
        == "Recibimos sus respuestas a la Encuesta Internacional de Interés"
    )
    assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert message["Message-ID"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "QOPI: disponible en México hoy." in text
    assert 'lang="es"' in html
    # Nothing the respondent typed comes back in the email.
    for typed in ("Lucía", "Hospital Sur", "script"):
        assert typed not in text
        assert typed not in html


def test_mail_server_down_then_up_delivers_once(app, db, smtp):
    queue_confirmation(spanish_response(db))
    db.session.commit()
    smtp.stop()
    assert outbox.send_due() == {"sent": 0, "failed": 1}
    row = db.session.scalar(select(OutboxMessage))
    assert (row.status, row.attempts) == ("queued", 1)
    assert outbox.send_due() == {"sent": 0, "failed": 0}  # backing off, not due yet
    smtp.start()
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert outbox.send_due(now=later) == {"sent": 1, "failed": 0}
    assert outbox.send_due(now=later + timedelta(hours=1)) == {"sent": 0, "failed": 0}
    assert len(smtp.inbox.messages) == 1


def test_two_workers_send_each_mail_once(app, db, smtp):
    for n in range(30):
        outbox.queue_email(
            "test", f"person{n}@example.org", "en", "confirmation", country="BR", programs=[]
        )
    db.session.commit()

    def work():
        with app.app_context():
            outbox.send_due(worker=f"w-{threading.get_ident()}")
            outbox.db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    recipients = sorted(str(m["To"]) for m in smtp.inbox.messages)
    assert recipients == sorted(f"person{n}@example.org" for n in range(30))
    sent = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sent")
    )
    assert sent == 30


def test_crlf_in_a_name_cannot_inject_a_header(app, db, smtp):
    outbox.queue_email(
        "test",
        "eve@example.org",
        "en",
        "confirmation",
        recipient_name="Eve\r\nBcc: victim@example.org",
        country="BR",
        programs=[],
        headers={"X-Note": "a\r\nBcc: other@example.org"},
    )
    db.session.commit()
    outbox.send_due()
    [message] = smtp.inbox.messages
    assert message["Bcc"] is None
    assert "\n" not in str(message["To"])
    assert message["X-Note"] == "a Bcc: other@example.org"


def test_the_same_dedupe_key_queues_once(app, db):
    first = outbox.queue_email(
        "test", "a@example.org", "en", "confirmation", dedupe_key="k1", country="BR", programs=[]
    )
    second = outbox.queue_email(
        "test", "a@example.org", "en", "confirmation", dedupe_key="k1", country="BR", programs=[]
    )
    db.session.commit()
    assert first is not None
    assert second is None
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


# --- a long outage, transient and permanent errors -----------------------------------------------


def queued_row(db, recipient="lucia@hospital.example") -> OutboxMessage:
    row = outbox.queue_email("test", recipient, "en", "confirmation", country="BR", programs=[])
    db.session.commit()
    return row


def rounds(start: datetime, n: int, step: timedelta):
    """``send_due`` ``n`` times, ``step`` apart from ``start``; the times used."""
    times = [start + step * i for i in range(n)]
    for when in times:
        outbox.send_due(now=when)
    return times


def test_a_week_long_outage_loses_nothing(app, db, smtp):
    row = queued_row(db)
    smtp.stop()
    start = datetime.now(UTC)
    # Every hour for a week: the old schedule failed the row for good after ~45 hours.
    times = rounds(start, 7 * 24, timedelta(hours=1))
    db.session.refresh(row)
    assert row.status == "queued"
    assert row.attempts > len(outbox.BACKOFF)
    assert times[-1] < row.next_attempt_at <= times[-1] + outbox.BACKOFF[-1]
    assert "ConnectionRefusedError" in row.last_error
    smtp.start()
    assert outbox.send_due(now=row.next_attempt_at) == {"sent": 1, "failed": 0}
    assert len(smtp.inbox.messages) == 1


def test_after_the_schedule_every_retry_waits_the_longest_interval(app, db, smtp):
    row = queued_row(db)
    smtp.stop()
    when = datetime.now(UTC)
    for attempt in range(1, len(outbox.BACKOFF) + 4):
        outbox.send_due(now=when)
        db.session.refresh(row)
        wait = outbox.BACKOFF[min(attempt, len(outbox.BACKOFF)) - 1]
        assert (row.status, row.attempts) == ("queued", attempt)
        assert row.next_attempt_at == when + wait
        when = row.next_attempt_at


def test_a_server_that_never_answers_times_out_and_is_retried(app, db, smtp):
    with socket.socket() as silent:  # accepts connections (the backlog), never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        app.config.update(MAIL_PORT=silent.getsockname()[1], MAIL_TIMEOUT=0.5)
        outbox.mail.init_app(app)
        row = queued_row(db)
        assert outbox.send_due() == {"sent": 0, "failed": 1}
    db.session.refresh(row)
    assert (row.status, row.attempts) == ("queued", 1)


def test_a_temporary_4xx_reply_is_retried(app, db, smtp):
    row = queued_row(db)
    smtp.inbox.rcpt_reply = "451 4.3.0 Mailbox temporarily unavailable"
    assert outbox.send_due() == {"sent": 0, "failed": 1}
    db.session.refresh(row)
    assert (row.status, row.attempts) == ("queued", 1)
    assert "451" in row.last_error
    smtp.inbox.rcpt_reply = None
    assert outbox.send_due(now=row.next_attempt_at) == {"sent": 1, "failed": 0}


def test_a_permanent_5xx_rejection_fails_the_row_at_once(app, db, smtp):
    row = queued_row(db)
    smtp.inbox.rcpt_reply = "550 5.1.1 No such user"
    assert outbox.deliver_due() == {"sent": 0, "retry": 0, "rejected": 1, "withheld": 0}
    db.session.refresh(row)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "550" in row.last_error
    assert outbox.send_due(now=datetime.now(UTC) + timedelta(days=30)) == {"sent": 0, "failed": 0}


def test_a_bad_address_fails_the_row_without_reaching_the_server(app, db, smtp):
    row = queued_row(db, recipient="nobody-at-all")
    assert outbox.deliver_due()["rejected"] == 1
    db.session.refresh(row)
    assert row.status == "failed"
    assert row.last_error.startswith("invalid recipient address")
    assert smtp.inbox.messages == []


def test_an_address_no_header_can_carry_fails_for_good_and_the_round_goes_on(app, db, smtp, caplog):
    # The survey accepts a non-ASCII local part; without SMTPUTF8 no header can carry it.
    unsendable = queued_row(db, recipient="josé@clinica.example")
    fine = queued_row(db)
    with caplog.at_level(logging.INFO, logger="crm.outreach.outbox"):
        assert outbox.deliver_due() == {"sent": 1, "retry": 0, "rejected": 1, "withheld": 0}
    db.session.refresh(unsendable)
    db.session.refresh(fine)
    assert (unsendable.status, unsendable.attempts, unsendable.locked_by) == ("failed", 1, None)
    assert unsendable.last_error == "message cannot be encoded: UnicodeEncodeError"
    assert fine.status == "sent"
    assert [str(m["To"]) for m in smtp.inbox.messages] == ["lucia@hospital.example"]
    assert "jos" not in caplog.text
    later = datetime.now(UTC) + outbox.CLAIM_TTL + timedelta(days=1)
    assert outbox.deliver_due(now=later)["rejected"] == 0  # not claimed again, round after round


def test_an_address_with_an_international_domain_is_sent_in_idna(app, db, smtp):
    queued_row(db, recipient="jose@clínica.example")
    assert outbox.send_due() == {"sent": 1, "failed": 0}
    [message] = smtp.inbox.messages
    assert message["To"] == "jose@xn--clnica-4va.example"


def refused(code: int) -> smtplib.SMTPRecipientsRefused:
    return smtplib.SMTPRecipientsRefused({"a@example.org": (code, b"no")})


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (ConnectionRefusedError(111, "Connection refused"), False),
        (socket.gaierror(-2, "Name or service not known"), False),
        (TimeoutError("timed out"), False),
        (OSError(101, "Network is unreachable"), False),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), False),
        (smtplib.SMTPConnectError(554, "no service"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (smtplib.SMTPSenderRefused(553, b"not ours", "crm@example.org"), False),
        (refused(451), False),
        (smtplib.SMTPDataError(421, b"try later"), False),
        (smtplib.SMTPHeloError(450, b"busy"), False),
        (refused(550), True),
        (smtplib.SMTPDataError(554, b"spam"), True),
        (smtplib.SMTPHeloError(501, b"syntax"), True),
        (smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server."), True),
        (smtplib.SMTPException("something else"), True),
        (UnicodeEncodeError("ascii", "é", 0, 1, "ordinal not in range(128)"), True),
        (ValueError("bad header"), True),
        (KeyError("MAIL_DEFAULT_SENDER"), True),
    ],
)
def test_which_errors_are_retried_and_which_fail_the_row(error, permanent):
    assert outbox.is_permanent(error) is permanent


def test_a_refused_sender_is_our_settings_kept_queued_with_a_warning(app, db, smtp, caplog):
    row = queued_row(db)
    smtp.inbox.mail_reply = "553 5.7.1 Sender address rejected: not owned by user"
    with caplog.at_level(logging.WARNING, logger="crm.outreach.outbox"):
        assert outbox.deliver_due()["retry"] == 1
    db.session.refresh(row)
    assert (row.status, row.attempts) == ("queued", 1)
    assert "MAIL_DEFAULT_SENDER" in caplog.text
    smtp.inbox.mail_reply = None
    assert outbox.send_due(now=row.next_attempt_at) == {"sent": 1, "failed": 0}


def test_a_command_the_server_does_not_support_fails_the_row(app, db, smtp):
    app.config["MAIL_USE_TLS"] = True  # aiosmtpd here offers no STARTTLS
    outbox.mail.init_app(app)
    row = queued_row(db)
    assert outbox.deliver_due()["rejected"] == 1
    db.session.refresh(row)
    assert row.status == "failed"
    assert row.last_error.startswith("SMTPNotSupportedError")


def test_an_invitation_whose_link_expired_during_an_outage_is_not_sent(app, db, smtp):
    from crm.outreach.operations import send_invitations
    from tests.outreach.helpers import new_contact

    contact = new_contact(db)
    days = app.config["INVITATION_DAYS"]
    [invitation] = send_invitations(
        [contact.id], now=datetime.now(UTC) - timedelta(days=days, minutes=1)
    ).invitations
    db.session.commit()
    assert outbox.deliver_due()["withheld"] == 1
    row = db.session.get(OutboxMessage, invitation.outbox_message_id)
    db.session.refresh(row)
    assert (row.status, row.last_error) == ("failed", "withheld: the invitation link has expired")
    # Queued again by retry-failed, it is held back again.
    invoke(app, "outbox", "retry-failed")
    assert outbox.deliver_due()["withheld"] == 1
    assert smtp.inbox.messages == []


def invoke(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_outbox_send_says_what_is_retried_and_what_failed_for_good(app, db, smtp):
    queued_row(db, recipient="unknown@hospital.example")
    smtp.inbox.rcpt_reply = "550 5.1.1 No such user"
    output = invoke(app, "outbox", "send")
    assert "0 sent; 0 not delivered yet" in output
    assert (
        "1 failed for good (1 rejected by the mail server or not encodable, 0 held back)" in output
    )
    assert "will retry" not in output
    assert "flask outbox retry-failed" in output
    queued_row(db)
    smtp.stop()
    output = invoke(app, "outbox", "send")
    assert "1 not delivered yet (mail server unreachable or deferring" in output
    assert "0 failed for good" in output


def test_retry_failed_queues_failed_rows_again_audited(app, db, smtp):
    row = queued_row(db)
    smtp.inbox.rcpt_reply = "550 5.7.1 Relaying denied"  # a server misconfigured for a while
    outbox.send_due()
    db.session.refresh(row)
    assert row.status == "failed"
    smtp.inbox.rcpt_reply = None
    assert "1 failed emails queued again" in invoke(app, "outbox", "retry-failed")
    db.session.refresh(row)
    assert (row.status, row.attempts) == ("queued", 0)
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "outbox.retry_failed")
    ).all()
    assert (event.actor, event.changes["requeued"]) == ("cli", [None, 1])
    assert outbox.send_due() == {"sent": 1, "failed": 0}
    assert "0 failed emails queued again" in invoke(app, "outbox", "retry-failed")


def failed_row(db, kind: str, queued_on: datetime) -> OutboxMessage:
    row = outbox.queue_email(kind, "lucia@hospital.example", "en", "confirmation", country="BR")
    row.status, row.attempts, row.created_at = "failed", 1, queued_on
    db.session.commit()
    return row


def test_retry_failed_can_be_narrowed_to_recent_emails_of_some_kinds(app, db):
    long_ago = datetime(2026, 1, 5, 15, tzinfo=UTC)
    recent = datetime(2026, 3, 2, 15, tzinfo=UTC)
    old_digest = failed_row(db, "digest", long_ago)
    new_digest = failed_row(db, "digest", recent)
    old_confirmation = failed_row(db, "confirmation", long_ago)
    new_confirmation = failed_row(db, "confirmation", recent)
    output = invoke(
        app, "outbox", "retry-failed", "--since", "2026-03-01", "--kind", "confirmation"
    )
    assert "1 failed emails queued again" in output
    statuses = {}
    for row in (old_digest, new_digest, old_confirmation, new_confirmation):
        db.session.refresh(row)
        statuses[row.id] = row.status
    assert statuses == {
        old_digest.id: "failed",
        new_digest.id: "failed",
        old_confirmation.id: "failed",
        new_confirmation.id: "queued",
    }
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "outbox.retry_failed")
    ).all()
    assert event.changes == {
        "requeued": [None, 1],
        "since": [None, "2026-03-01"],
        "kinds": [None, ["confirmation"]],
    }
    assert outbox.retry_failed(since=date(2026, 3, 1)) == 1  # the recent digest
    db.session.refresh(old_digest)
    assert old_digest.status == "failed"


def test_retry_failed_says_its_defaults_and_refuses_an_unknown_kind(app):
    help_text = " ".join(invoke(app, "outbox", "retry-failed", "--help").split())
    assert "Default: every failed email, however old." in help_text
    assert "Default: every kind." in help_text
    result = app.test_cli_runner().invoke(args=["outbox", "retry-failed", "--kind", "invites"])
    assert result.exit_code == 2


# --- recording the delivery -----------------------------------------------------------------------


def failing_commits(monkeypatch, db, failing: set[int]) -> list[int]:
    """Make the n-th ``db.session.commit()`` calls in ``failing`` (1-based) raise as a lost
    database would; returns the call log."""
    real_commit = db.session.commit
    calls: list[int] = []

    def commit():
        calls.append(len(calls) + 1)
        if calls[-1] in failing:
            raise OperationalError("COMMIT", {}, Exception("server closed the connection"))
        real_commit()

    monkeypatch.setattr(db.session, "commit", commit)
    monkeypatch.setattr(outbox, "STATUS_COMMIT_PAUSE", 0)
    return calls


def test_a_failed_status_commit_is_tried_again_and_the_mail_sent_once(app, db, smtp, monkeypatch):
    row_id = queued_row(db).id
    # Commit 1 claims the row; commit 2 records "sent" and fails once.
    failing_commits(monkeypatch, db, {2})
    assert outbox.send_due() == {"sent": 1, "failed": 0}
    monkeypatch.undo()
    row = db.session.get(OutboxMessage, row_id)
    db.session.refresh(row)
    assert (row.status, row.attempts, row.locked_by) == ("sent", 1, None)
    assert len(smtp.inbox.messages) == 1


def test_a_failed_read_after_a_failed_status_commit_is_tried_again(app, db, smtp, monkeypatch):
    row_id = queued_row(db).id
    failing_commits(monkeypatch, db, {2})  # the first commit of "sent"
    real_get = db.session.get
    gets: list[int] = []

    def get(*args, **kwargs):
        gets.append(len(gets) + 1)
        # 1: deliver_due reads the row; 2: the first attempt to record; 3: the second, after
        # the rollback, fails as the commit did (the database still gone).
        if gets[-1] == 3:
            raise OperationalError("SELECT", {}, Exception("server closed the connection"))
        return real_get(*args, **kwargs)

    monkeypatch.setattr(db.session, "get", get)
    assert outbox.send_due() == {"sent": 1, "failed": 0}
    monkeypatch.undo()
    assert len(gets) == 4
    row = db.session.get(OutboxMessage, row_id)
    db.session.refresh(row)
    assert (row.status, row.attempts, row.locked_by) == ("sent", 1, None)
    assert len(smtp.inbox.messages) == 1


def test_when_the_status_never_commits_the_mail_is_sent_again_at_least_once(
    app, db, smtp, monkeypatch
):
    row_id = queued_row(db).id
    failing_commits(monkeypatch, db, set(range(2, 2 + outbox.STATUS_COMMIT_ATTEMPTS)))
    with pytest.raises(OperationalError):
        outbox.send_due()
    monkeypatch.undo()
    db.session.rollback()
    row = db.session.get(OutboxMessage, row_id)
    assert row.status == "sending"  # still claimed: re-sent when the claim expires
    later = datetime.now(UTC) + outbox.CLAIM_TTL + timedelta(seconds=1)
    assert outbox.send_due(now=later) == {"sent": 1, "failed": 0}
    assert len(smtp.inbox.messages) == 2


# --- end to end: a Spanish survey through the worker --------------------------------------------


def test_a_spanish_survey_filed_by_the_worker_sends_its_confirmation(app, client, db, smtp):
    app.config["SURVEY_FILING"] = "worker"
    form = valid_form(
        name="Lucía Gómez",
        email="lucia@hospital.example",
        preferred_language="es",
        practice_name="Hospital Sur",
        country="MX",
        city="Monterrey",
    )
    reply = client.post("/es/survey", data=form)
    assert reply.status_code == 303
    stored = db.session.scalars(select(SurveyResponse)).one()
    assert (stored.filed_at, stored.language) == (None, "es")
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert file_waiting_responses(set()) == 1
    assert "1 sent; 0 not delivered yet" in invoke(app, "outbox", "send")
    [message] = smtp.inbox.messages
    assert message["To"] == "lucia@hospital.example"
    assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert (
        message["Subject"].strip()
        == "Recibimos sus respuestas a la Encuesta Internacional de Interés"
    )
    assert message["Message-ID"]
    assert message["Content-Type"].startswith("multipart/alternative")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "QOPI: disponible en México hoy." in text
    assert 'lang="es"' in html
    for typed in ("Lucía", "Hospital Sur"):
        assert typed not in text
        assert typed not in html
    row = db.session.scalars(select(OutboxMessage)).one()
    assert (row.kind, row.language, row.status) == ("confirmation", "es", "sent")
