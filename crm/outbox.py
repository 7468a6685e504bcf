"""The outbox (issue 9): emails are rows written in the transaction of the event that causes
them, then delivered by ``flask outbox send`` or the worker, with retries and backoff.

Two workers never send the same row: each claims a row with a compare-and-set UPDATE (status
and lock checked in the WHERE clause), which both SQLite and PostgreSQL apply atomically.
"""

from __future__ import annotations

import logging
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr, make_msgid
from pathlib import Path
from typing import Any

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMultiAlternatives, Mail
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from crm.extensions import db
from crm.models import OutboxMessage
from crm.models._types import utcnow

logger = logging.getLogger(__name__)
mail = Mail()

#: Waits after the 1st, 2nd, ... failed attempt; after the last the row is ``failed``.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
)
#: How long a claim holds before another worker may take the row over (a crashed worker).
CLAIM_TTL = timedelta(minutes=10)
BATCH = 50


def configure_mail(app: Flask) -> None:
    """Flask-Mailman from ``MAIL_*``; without ``MAIL_SERVER`` on the embedded default, mails are
    written as files under ``instance/mail`` so ``make run`` needs no mail server."""
    if not app.config.get("MAIL_SERVER"):
        app.config.setdefault("MAIL_BACKEND", "file")
        app.config.setdefault("MAIL_FILE_PATH", str(Path(app.instance_path) / "mail"))
    else:
        app.config.setdefault("MAIL_BACKEND", "smtp")
    app.config.setdefault("MAIL_TIMEOUT", 10)
    mail.init_app(app)


def single_line(text: str | None) -> str:
    """Text safe for a mail header: CR, LF and other control characters become spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in (text or "")).split())


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None


def render_email(template: str, language: str, **context: Any) -> Rendered:
    """Render ``templates/emails/<template>.{subject,txt,html}`` in ``language``.

    HTML is autoescaped by Jinja, so a name with markup stays text; the plain-text part is
    always present. Raises ``jinja2.TemplateNotFound`` for an unknown template.
    """
    with force_locale(language):
        subject = render_template(f"emails/{template}.subject.txt", **context)
        text = render_template(f"emails/{template}.txt", **context)
        html = render_template(f"emails/{template}.html", **context)
    return Rendered(subject=single_line(subject), text=text, html=html)


def queue_email(
    kind: str,
    recipient: str,
    language: str,
    template: str,
    *,
    recipient_name: str | None = None,
    headers: dict[str, str] | None = None,
    dedupe_key: str | None = None,
    **context: Any,
) -> OutboxMessage | None:
    """Add a rendered email to the outbox in the caller's transaction; the caller commits.

    With ``dedupe_key``, a second call with the same key queues nothing and returns None (jobs
    that run twice send nothing twice).
    """
    rendered = render_email(template, language, **context)
    message = OutboxMessage(
        kind=kind,
        recipient=recipient.strip(),
        recipient_name=single_line(recipient_name) or None,
        language=language,
        subject=rendered.subject,
        text_body=rendered.text,
        html_body=rendered.html,
        headers={k: single_line(v) for k, v in (headers or {}).items()},
        dedupe_key=dedupe_key,
    )
    if dedupe_key is None:
        db.session.add(message)
        db.session.flush()
        return message
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None
    return message


def worker_name() -> str:
    """A name for this worker process, stored with its claims."""
    return f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"


def _claim(message_id: int, worker: str, now: datetime) -> bool:
    """Take the row for ``worker`` unless another worker holds it; True when taken."""
    claimable = or_(
        OutboxMessage.status == "queued",
        (OutboxMessage.status == "sending") & (OutboxMessage.locked_until < now),
    )
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, claimable)
        .values(status="sending", locked_by=worker, locked_until=now + CLAIM_TTL)
    )
    db.session.commit()
    return result.rowcount == 1


def due_ids(now: datetime, limit: int = BATCH) -> list[int]:
    """Ids of queued rows whose time has come, and of claims left by a crashed worker."""
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(
                or_(
                    (OutboxMessage.status == "queued") & (OutboxMessage.next_attempt_at <= now),
                    (OutboxMessage.status == "sending") & (OutboxMessage.locked_until < now),
                )
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
    )


def build_message(row: OutboxMessage) -> EmailMultiAlternatives:
    """The MIME message of a row: plain text, optional HTML alternative, extra headers."""
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.text_body,
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[formataddr((row.recipient_name or "", row.recipient))],
        headers={"Message-ID": make_msgid(f"outbox-{row.id}"), **row.headers},
    )
    if row.html_body:
        message.attach_alternative(row.html_body, "text/html")
    return message


def _deliver(row: OutboxMessage, now: datetime) -> bool:
    try:
        build_message(row).send(fail_silently=False)
    except Exception as error:  # noqa: BLE001  (any transport failure is retried later)
        row.attempts += 1
        row.last_error = single_line(f"{type(error).__name__}: {error}")[:500]
        if row.attempts > len(BACKOFF):
            row.status = "failed"
        else:
            row.status = "queued"
            row.next_attempt_at = now + BACKOFF[row.attempts - 1]
        row.locked_by = row.locked_until = None
        logger.warning(
            "outbox %s attempt %s failed: %s", row.id, row.attempts, type(error).__name__
        )
        return False
    row.status, row.sent_at = "sent", utcnow()
    row.attempts += 1
    row.locked_by = row.locked_until = None
    return True


def send_due(now: datetime | None = None, worker: str | None = None) -> dict[str, int]:
    """Deliver every email due now, once; returns ``{"sent": n, "failed": n}`` (failed = this
    attempt failed; the row is retried later unless out of attempts)."""
    worker = worker or worker_name()
    counts = {"sent": 0, "failed": 0}
    while True:
        now_ = now or utcnow()
        ids = due_ids(now_)
        if not ids:
            return counts
        progressed = False
        for message_id in ids:
            if not _claim(message_id, worker, now_):
                continue
            progressed = True
            row = db.session.get(OutboxMessage, message_id)
            counts["sent" if _deliver(row, now_) else "failed"] += 1
            db.session.commit()
        if not progressed:
            return counts
