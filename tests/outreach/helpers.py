"""Helpers of the outreach tests: invited contacts, the links in their emails, and a real SMTP
server (the pattern of ``tests/outreach/test_outbox.py``)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from sqlalchemy import select

from crm.outreach import outbox
from crm.outreach.models import Invitation, OutboxMessage
from crm.outreach.operations import send_invitations
from crm.responses.models import Contact
from tests.outreach.test_outbox import SmtpServer
from tests.responses.helpers import eligible_answers, submit_response

LINK = re.compile(r"https?://\S+/survey/i/([A-Za-z0-9_-]+)")


@contextmanager
def running_smtp(app) -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) the app sends to while the block runs."""
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
    try:
        yield server
    finally:
        server.stop()


def new_contact(db, n: int = 0, **overrides) -> Contact:
    """A contact (with permission to contact) at a new Colombian practice, from a response in
    Spanish; overrides change single answers."""
    answers = eligible_answers(n, **{"email": f"person{n}-{uuid.uuid4().hex[:6]}@clinic.example"})
    response = submit_response(db, answers | overrides, language="es")
    return db.session.get(Contact, response.contact_id)


def invite(db, contact: Contact) -> tuple[Invitation, str]:
    """Invite ``contact`` (committed); returns the invitation and the token of its email."""
    sent = send_invitations([contact.id])
    db.session.commit()
    [invitation] = sent.invitations
    return invitation, token_in(invitation.outbox_message)


def token_in(message: OutboxMessage) -> str:
    """The personal link's token in an outbox email's plain text."""
    return LINK.search(message.text_body).group(1)


def link_path(message: OutboxMessage) -> str:
    """The path of the personal link in an outbox email (for the test client)."""
    return urlsplit(LINK.search(message.text_body).group(0)).path


def unsubscribe_path(message: OutboxMessage) -> str:
    """The path of the ``List-Unsubscribe`` URL of an outbox email."""
    return urlsplit(message.headers["List-Unsubscribe"].strip("<>")).path


def outbox_rows(db, kind: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )
