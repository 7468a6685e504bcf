"""Staff sessions held on the server (OWASP ASVS V3.3; docs/decisions.md#server-sessions).

Flask's session is a signed cookie: on its own, a copy taken before a logout kept opening staff
pages after it. Each login now adds a ``StaffSession`` row and puts a random key in the cookie
(only the key's SHA-256 is stored); every request of a logged-in user needs that row to stand.
A logout deletes it, so does the user ending it from the account page or an admin ending all of
the user's sessions, and a request after ``SESSION_IDLE_MINUTES`` without one, or
``SESSION_MAX_HOURS`` after the login, finds it expired and deletes it. The rows live in the
database, so every app server sees the same sessions.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app, request, session
from flask_login import user_logged_in, user_logged_out
from flask_security import password_changed
from sqlalchemy import delete, func, or_, select, update

from crm.accounts.models import StaffSession, User
from crm.audit import operations as audit
from crm.core.columns import utcnow
from crm.core.database import begins_immediately
from crm.core.extensions import db

security_log = logging.getLogger("crm.security")

#: Where the session's key is kept in the (signed) cookie session.
SESSION_KEY = "crm_session_key"
#: ``last_seen_at`` is written at most this often (one UPDATE a minute per active session).
TOUCH_EVERY = timedelta(minutes=1)
#: Flask-Login's keys, dropped with ours when a session no longer holds.
LOGIN_KEYS = ("_user_id", "_fresh", "_id")


@dataclass(frozen=True)
class Timeouts:
    """``idle``: the longest time between two requests; ``absolute``: the longest time since the
    login (``SESSION_IDLE_MINUTES``, ``SESSION_MAX_HOURS``)."""

    idle: timedelta
    absolute: timedelta

    @classmethod
    def from_config(cls, config) -> Timeouts:
        """The timeouts of ``config`` (minutes and hours)."""
        return cls(
            idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
            absolute=timedelta(hours=config["SESSION_MAX_HOURS"]),
        )


def key_hash(key: str) -> str:
    """Hex SHA-256 of a session key, as stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def expired(row: StaffSession, now: datetime, timeouts: Timeouts) -> bool:
    """Whether ``row`` has passed its idle or absolute timeout at ``now`` (UTC)."""
    return now - row.last_seen_at > timeouts.idle or now - row.created_at > timeouts.absolute


def start(user: User, user_agent: str | None, now: datetime) -> str:
    """Add a session for ``user`` (flushed, the caller commits) and return its key for the
    cookie; the user's expired sessions are deleted on the way."""
    timeouts = Timeouts.from_config(current_app.config)
    db.session.execute(
        delete(StaffSession).where(
            StaffSession.user_id == user.id,
            or_(
                StaffSession.last_seen_at < now - timeouts.idle,
                StaffSession.created_at < now - timeouts.absolute,
            ),
        )
    )
    key = secrets.token_urlsafe(32)
    db.session.add(
        StaffSession(
            user_id=user.id,
            key_hash=key_hash(key),
            created_at=now,
            last_seen_at=now,
            user_agent=(user_agent or "")[:200] or None,
        )
    )
    db.session.flush()
    return key


def current_row(user: User, key: str | None, now: datetime) -> StaffSession | None:
    """The session ``key`` names for ``user`` when it holds at ``now``; an expired one is
    deleted (in its own transaction) and None returned, as for a missing key or another
    user's."""
    if not key:
        return None
    row = db.session.scalar(select(StaffSession).where(StaffSession.key_hash == key_hash(key)))
    if row is None or row.user_id != user.id:
        return None
    if expired(row, now, Timeouts.from_config(current_app.config)):
        _write(delete(StaffSession).where(StaffSession.id == row.id))
        security_log.info("session %s of account %s timed out", row.id, user.id)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        _write(update(StaffSession).where(StaffSession.id == row.id).values(last_seen_at=now))
    return row


def _write(statement) -> None:
    """Run one write in its own short transaction, beside the request's (which may be a
    read-only one on SQLite: docs/decisions.md#begin-immediate). On SQLite, a request that
    already holds the write lock writes in its own transaction instead: a second connection
    would wait for that lock until the busy timeout and fail; it commits at once unless the
    request has changes of its own pending (then the write goes with them)."""
    request_session = db.session()
    holds_lock = db.engine.dialect.name == "sqlite" and begins_immediately()
    if holds_lock and request_session.in_transaction():
        request_session.execute(statement)
        if not (request_session.new or request_session.dirty or request_session.deleted):
            request_session.commit()
        return
    with db.engine.begin() as connection:
        connection.execute(statement)


def sessions_of(user: User, now: datetime) -> list[StaffSession]:
    """The user's sessions that still hold at ``now``, most recently seen first."""
    timeouts = Timeouts.from_config(current_app.config)
    rows = db.session.scalars(
        select(StaffSession)
        .where(StaffSession.user_id == user.id)
        .order_by(StaffSession.last_seen_at.desc(), StaffSession.id.desc())
    )
    return [row for row in rows if not expired(row, now, timeouts)]


def count_of(user: User) -> int:
    """How many session rows the user has (expired ones not yet deleted included)."""
    return db.session.scalar(
        select(func.count()).select_from(StaffSession).where(StaffSession.user_id == user.id)
    )


def end_session(user: User, session_id: int) -> bool:
    """End the user's session ``session_id`` (audited; the caller commits); False when the
    user has no such session."""
    ended = db.session.execute(
        delete(StaffSession).where(StaffSession.id == session_id, StaffSession.user_id == user.id)
    ).rowcount
    if ended:
        audit.record("user.end_sessions", "user", user.id, {"sessions": [None, ended]})
    return bool(ended)


def end_sessions(user: User, keep_key: str | None = None) -> int:
    """End every session of ``user`` but the one ``keep_key`` names (all of them when None);
    audited when any ended; the caller commits. Returns how many ended."""
    statement = delete(StaffSession).where(StaffSession.user_id == user.id)
    if keep_key:
        statement = statement.where(StaffSession.key_hash != key_hash(keep_key))
    ended = db.session.execute(statement).rowcount
    if ended:
        audit.record("user.end_sessions", "user", user.id, {"sessions": [None, ended]})
    return ended


def _forget_login() -> None:
    for name in (SESSION_KEY, *LOGIN_KEYS):
        session.pop(name, None)


def _on_login(sender, user: User, **extra) -> None:
    """A login (password, or its second factor) starts a new server session; a key the cookie
    held before is ended first (a new login never reuses a session)."""
    old = session.pop(SESSION_KEY, None)
    if old:
        db.session.execute(delete(StaffSession).where(StaffSession.key_hash == key_hash(old)))
    user_agent = request.headers.get("User-Agent") if request else None
    session[SESSION_KEY] = start(user, user_agent, utcnow())
    db.session.commit()


def _on_logout(sender, user: User | None = None, **extra) -> None:
    key = session.pop(SESSION_KEY, None)
    if key:
        db.session.execute(delete(StaffSession).where(StaffSession.key_hash == key_hash(key)))
        db.session.commit()


def _on_password_changed(sender, user: User, **extra) -> None:
    """A new password ends every other session of the user (the current one stays)."""
    end_sessions(user, keep_key=session.get(SESSION_KEY))


def holding_loader(load_user):
    """Wrap Flask-Login's user loader: a user is loaded only while the session the cookie names
    holds (:func:`current_row`); otherwise the request is anonymous and the cookie's login
    keys are dropped."""

    def load(user_id: str):
        user = load_user(user_id)
        if user is None:
            return None
        if current_row(user, session.get(SESSION_KEY), utcnow()) is None:
            _forget_login()
            return None
        return user

    return load


def init_app(app: Flask) -> None:
    """Hold staff sessions on the server: wrap the user loader, start a session at login, end
    it at logout, end the others at a password change."""
    manager = app.login_manager
    manager.user_loader(holding_loader(manager._user_callback))
    user_logged_in.connect(_on_login)
    user_logged_out.connect(_on_logout)
    password_changed.connect(_on_password_changed)
