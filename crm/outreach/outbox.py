"""The outbox: emails are rows written in the transaction of the event that causes them, then
delivered by ``flask outbox send`` or the worker, with retries and backoff
(docs/architecture.md#worker, docs/decisions.md#retry-policy).

Nothing is lost while the mail server is down: a refused connection, a DNS or network error,
a timeout, a dropped connection or a temporary (4xx) reply keeps the row queued, retried after
``BACKOFF`` and then at its longest interval for as long as it takes; so does a refused login
or sender address (our settings: logged as a warning until they are fixed). Anything else fails
the row for good (status ``failed``, :func:`is_permanent`): a 5xx reply, a command the server
does not support, an address that is not one, a message no encoding can carry (a non-ASCII
local part) or any other error; the round goes on with the other rows. An invitation or
reminder whose link has expired meanwhile is not sent at all (a delivery check).
``flask outbox retry-failed`` queues failed rows again.

Two workers never send the same row: each claims a row with a compare-and-set UPDATE (status
and lock checked in the WHERE clause), which both SQLite and PostgreSQL apply atomically.

Delivery is at least once, not exactly once: a row is sent, then marked ``sent`` in its own
commit, retried a few times (``STATUS_COMMIT_ATTEMPTS``). Should that commit still fail (the
database gone away just then), the row stays claimed and is sent again once the claim expires
(``CLAIM_TTL``): the recipient may get that email twice, never none.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.utils import formataddr, make_msgid
from pathlib import Path
from typing import Any

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMultiAlternatives, Mail
from flask_mailman.message import sanitize_address
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from crm.audit import operations as audit
from crm.core.clock import org_day_start
from crm.core.columns import utcnow
from crm.core.database import reading_transaction
from crm.core.extensions import db
from crm.outreach.models import OutboxMessage

logger = logging.getLogger(__name__)
mail = Mail()

#: What an email is, as stored in ``OutboxMessage.kind`` by the modules that queue them.
KINDS = ("confirmation", "invitation", "reminder", "digest", "resume_link")
#: Waits after the 1st, 2nd, ... failed attempt; every later attempt waits the last (24 hours)
#: for as long as the error is transient: a row fails for good only on a permanent rejection.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
)
#: How long a claim holds before another worker may take the row over (a crashed worker);
#: ``OUTBOX_CLAIM_SECONDS`` replaces it (:func:`claim_lease`).
CLAIM_TTL = timedelta(minutes=10)
BATCH = 50
#: Commits tried to record a delivery's outcome (the email is gone already), with pauses of
#: ``STATUS_COMMIT_PAUSE`` seconds, then twice, three times as long, between them.
STATUS_COMMIT_ATTEMPTS = 4
STATUS_COMMIT_PAUSE = 0.5
#: Checks run just before a row is sent; the first to return a reason holds the row back for
#: good (status ``failed``, the reason as its error), e.g. an invitation to a contact who has
#: unsubscribed since it was queued. Registered by the modules that queue such emails.
DELIVERY_CHECKS: list[Callable[[OutboxMessage], str | None]] = []


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
    """An email rendered in its language: subject, plain text, and HTML (None without one)."""

    subject: str
    text: str
    html: str | None


def render_email(template: str, language: str, **context: Any) -> Rendered:
    """Render ``templates/outreach/emails/<template>.{subject,txt,html}`` in ``language``.

    HTML is autoescaped by Jinja, so a name with markup stays text; the plain-text part is
    always present. Raises ``jinja2.TemplateNotFound`` for an unknown template.
    """
    with force_locale(language):
        subject = render_template(f"outreach/emails/{template}.subject.txt", **context)
        text = render_template(f"outreach/emails/{template}.txt", **context)
        html = render_template(f"outreach/emails/{template}.html", **context)
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


def claim_lease() -> timedelta:
    """How long a worker's claim on a row holds: ``OUTBOX_CLAIM_SECONDS``, else
    :data:`CLAIM_TTL` (docs/deploy.md#several)."""
    seconds = current_app.config.get("OUTBOX_CLAIM_SECONDS")
    return CLAIM_TTL if seconds is None else timedelta(seconds=seconds)


def _claim(message_id: int, worker: str, now: datetime) -> bool:
    """Take the row for ``worker`` unless another worker holds it; True when taken."""
    claimable = or_(
        OutboxMessage.status == "queued",
        (OutboxMessage.status == "sending") & (OutboxMessage.locked_until < now),
    )
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, claimable)
        .values(status="sending", locked_by=worker, locked_until=now + claim_lease())
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


def _ascii_domain(address: str) -> str:
    """``address`` with its domain in IDNA ("clínica.example" → "xn--clnica-4va.example");
    raises UnicodeError when the domain has no such form."""
    local, at, domain = address.rpartition("@")
    return f"{local}{at}{domain.encode('idna').decode('ascii')}"


def build_message(row: OutboxMessage) -> EmailMultiAlternatives:
    """The MIME message of a row: plain text, optional HTML alternative, extra headers.

    Raises ``UnicodeError`` (a ``ValueError``) for an address no header can carry: a non-ASCII
    local part ("josé@…") would need SMTPUTF8, which the SMTP backend does not speak.
    """
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.text_body,
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[formataddr((row.recipient_name or "", _ascii_domain(row.recipient)))],
        headers={"Message-ID": make_msgid(f"outbox-{row.id}"), **row.headers},
    )
    if row.html_body:
        message.attach_alternative(row.html_body, "text/html")
    return message


def withheld_reason(row: OutboxMessage) -> str | None:
    """Why ``row`` must not be sent any more (from ``DELIVERY_CHECKS``), or None."""
    for check in DELIVERY_CHECKS:
        reason = check(row)
        if reason:
            return reason
    return None


def bad_address(recipient: str) -> str | None:
    """Why ``recipient`` is not an email address the SMTP backend can send to, or None."""
    local, at, domain = recipient.rpartition("@")
    if not (at and local and domain):
        return "not an email address"
    try:
        sanitize_address(recipient, "utf-8")
    except ValueError as error:  # UnicodeError (a domain IDNA refuses) is a ValueError
        return single_line(f"{type(error).__name__}: {error}")
    return None


#: Refusals that come from our own settings (``MAIL_USERNAME``, ``MAIL_PASSWORD``,
#: ``MAIL_DEFAULT_SENDER``), not from the email: retried until fixed, with a warning.
SETTINGS_ERRORS = (smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused)


def _deferred(code: int) -> bool:
    """Whether an SMTP reply code is a temporary (4xx) one."""
    return 400 <= code < 500


def is_permanent(error: BaseException) -> bool:
    """Whether retrying cannot help, so the row fails for good.

    Transient (kept queued): a refused connection, a DNS or network error, a timeout (any
    ``OSError`` outside smtplib's own), a dropped connection (``SMTPServerDisconnected``), a
    greeting refused (``SMTPConnectError``), a 4xx reply, and ``SETTINGS_ERRORS``. Everything
    else is permanent: a 5xx reply, ``SMTPNotSupportedError``, a message that cannot be encoded
    and any other exception.
    """
    if isinstance(error, SETTINGS_ERRORS):
        return False
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return False
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return not any(_deferred(code) for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return not _deferred(error.smtp_code)
    if isinstance(error, smtplib.SMTPException):  # an OSError too, but the server's answer
        return True
    return not isinstance(error, OSError)


@dataclass(frozen=True)
class Outcome:
    """What became of one delivery attempt: ``sent``, ``retry`` (transient error: queued
    again), ``rejected`` (permanent: failed for good) or ``withheld`` (a delivery check)."""

    kind: str
    error: str | None = None


def _attempt(row: OutboxMessage) -> Outcome:
    """Send the row unless a delivery check holds it back or its address is not one."""
    reason = withheld_reason(row)
    if reason:
        return Outcome("withheld", single_line(reason)[:500])
    invalid = bad_address(row.recipient)
    if invalid:
        return Outcome("rejected", f"invalid recipient address: {invalid}"[:500])
    message = connection = None
    try:
        message = build_message(row)
        connection = message.get_connection(fail_silently=False)
        message.send(fail_silently=False)
    except Exception as error:  # noqa: BLE001  (any error is this row's outcome, see is_permanent)
        if message is None and isinstance(error, ValueError):  # UnicodeError included
            # Not the error's text: it may quote the address.
            return Outcome("rejected", f"message cannot be encoded: {type(error).__name__}")
        if isinstance(error, SETTINGS_ERRORS):
            logger.warning(
                "outbox %s: the mail server refused our login or sender address (%s): check "
                "MAIL_USERNAME, MAIL_PASSWORD and MAIL_DEFAULT_SENDER; kept queued",
                row.id,
                type(error).__name__,
            )
        described = single_line(f"{type(error).__name__}: {error}")[:500]
        return Outcome("rejected" if is_permanent(error) else "retry", described)
    finally:
        if connection is not None:
            _close(connection)
    return Outcome("sent")


def _close(connection: Any) -> None:
    """Close a mail connection a failed send left open (Flask-Mailman closes it only after a
    success: a rejected recipient would leak the socket)."""
    smtp = getattr(connection, "connection", None)
    try:
        connection.close()
    except (smtplib.SMTPException, OSError):
        if smtp is not None:
            smtp.close()


def _apply(row: OutboxMessage, outcome: Outcome, now: datetime) -> None:
    """Write ``outcome`` on the row and release its claim."""
    if outcome.kind == "withheld":
        row.status, row.last_error = "failed", outcome.error
    elif outcome.kind == "sent":
        row.status, row.sent_at = "sent", utcnow()
        row.attempts += 1
    elif outcome.kind == "rejected":
        row.status, row.last_error = "failed", outcome.error
        row.attempts += 1
    else:
        row.attempts += 1
        row.status, row.last_error = "queued", outcome.error
        row.next_attempt_at = now + BACKOFF[min(row.attempts, len(BACKOFF)) - 1]
    row.locked_by = row.locked_until = None


def _record(message_id: int, outcome: Outcome, now: datetime) -> None:
    """Commit ``outcome`` on the row, trying again after a failed commit: the email is gone,
    and a row left claimed would be sent again once its claim expires (at least once)."""
    for attempt in range(1, STATUS_COMMIT_ATTEMPTS + 1):
        try:
            # Read again on every attempt: after a rollback this SELECT may fail as well.
            row = db.session.get(OutboxMessage, message_id)
            if row is None:  # deleted meanwhile (an erasure, a purge): nothing left to record
                db.session.rollback()
                return
            _apply(row, outcome, now)
            db.session.commit()
            return
        except SQLAlchemyError:
            db.session.rollback()
            if attempt == STATUS_COMMIT_ATTEMPTS:
                raise
            logger.warning("outbox %s: recording %s failed, trying again", message_id, outcome.kind)
            time.sleep(STATUS_COMMIT_PAUSE * attempt)


def _log(row_id: int, attempts: int, outcome: Outcome) -> None:
    if outcome.kind == "withheld":
        logger.info("outbox %s withheld: %s", row_id, outcome.error)
    elif outcome.kind in ("retry", "rejected"):
        # The error's type only: its message may quote the address.
        kind = (outcome.error or "").split(":", 1)[0]
        logger.warning("outbox %s attempt %s %s: %s", row_id, attempts + 1, outcome.kind, kind)


def deliver_due(now: datetime | None = None, worker: str | None = None) -> dict[str, int]:
    """Deliver every email due now, once; returns how many rows were ``sent``, left queued to
    ``retry`` (transient error), ``rejected`` for good (failed), and ``withheld`` by a delivery
    check (failed)."""
    worker = worker or worker_name()
    counts = Counter(dict.fromkeys(("sent", "retry", "rejected", "withheld"), 0))
    while True:
        now_ = now or utcnow()
        ids = due_ids(now_)
        if not ids:
            return dict(counts)
        progressed = False
        for message_id in ids:
            if not _claim(message_id, worker, now_):
                continue
            progressed = True
            # The claim is committed; reading and sending take no write lock (on SQLite a
            # write transaction held through a slow SMTP conversation stalled every submit).
            with reading_transaction():
                row = db.session.get(OutboxMessage, message_id)
                if row is None:
                    db.session.rollback()
                    continue
                outcome, attempts = _attempt(row), row.attempts
                db.session.rollback()
            _log(message_id, attempts, outcome)
            _record(message_id, outcome, now_)
            counts[outcome.kind] += 1
        if not progressed:
            return dict(counts)


def send_due(now: datetime | None = None, worker: str | None = None) -> dict[str, int]:
    """Deliver every email due now, once (:func:`deliver_due`); returns ``{"sent": n,
    "failed": n}``, failed being the attempts that failed this time, whether the row is retried
    later or was rejected for good. Rows held back by a delivery check count in neither."""
    counts = deliver_due(now, worker)
    return {"sent": counts["sent"], "failed": counts["retry"] + counts["rejected"]}


def retry_failed(
    now: datetime | None = None, *, since: date | None = None, kinds: Iterable[str] = ()
) -> int:
    """Queue failed rows again, due now, their attempts counted from zero (after a rejection
    fixed since); audited (the number and the filters only); the caller commits. Returns how
    many.

    ``since``: only rows queued on or after that day of the organization's calendar;
    ``kinds``: only rows of those kinds (``KINDS``); by default every failed row. A row a
    delivery check held back is checked again, and held back again if the reason stands (an
    expired invitation link stays unsent).
    """
    kinds = sorted(set(kinds))
    conditions = [OutboxMessage.status == "failed"]
    if since is not None:
        conditions.append(OutboxMessage.created_at >= org_day_start(since))
    if kinds:
        conditions.append(OutboxMessage.kind.in_(kinds))
    ids = list(db.session.scalars(select(OutboxMessage.id).where(*conditions)))
    if ids:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "failed")
            .values(status="queued", attempts=0, next_attempt_at=now or utcnow())
        )
        changes: dict[str, list[Any]] = {"requeued": [None, len(ids)]}
        if since is not None:
            changes["since"] = [None, since.isoformat()]
        if kinds:
            changes["kinds"] = [None, kinds]
        audit.record("outbox.retry_failed", "outbox_message", "-", changes)
    return len(ids)
