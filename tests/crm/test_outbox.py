"""The outbox against a real SMTP server (aiosmtpd on 127.0.0.1): delivery, retries, two
workers, and headers that cannot be injected (issue 9)."""

from __future__ import annotations

import socket
import threading
import uuid
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from crm import outbox
from crm.intake import intake_response
from crm.models import OutboxMessage
from crm.outreach import queue_confirmation


class Inbox:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages = []

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
