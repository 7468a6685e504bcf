"""API bearer tokens (docs/decisions.md#api-tokens): created for a user with a label, a scope
(read, or read and write) and an optional expiry, shown once and stored as a SHA-256 digest;
listed, expired and revoked on the admin page or with ``flask tokens``.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from crm.accounts.models import TOKEN_SCOPES, ApiToken, User
from crm.audit import operations as audit
from crm.core.columns import utcnow
from crm.core.errors import InvalidInput
from crm.core.extensions import db

security_log = logging.getLogger("crm.security")

TOKEN_PREFIX = "iqc_"  # noqa: S105  (a visible prefix, not a secret)
#: How stale ``last_used_at`` may get before a use writes it again (saves a write per request).
LAST_USED_PRECISION = timedelta(minutes=5)


def digest(token: str) -> str:
    """Hex SHA-256 of a token: what the database keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    user: User,
    label: str | None = None,
    *,
    scope: str = "write",
    expires_at: datetime | None = None,
    created_by: User | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for ``user``: ``(row, plain token)``. The plain token is never stored; the
    caller shows it once. ``scope`` is ``read`` or ``write`` (TOKEN_SCOPES); ``expires_at``
    (UTC) must lie after ``now``. Raises ``InvalidInput`` for an unknown scope, a past expiry
    or an inactive account. Audited; the caller commits."""
    now = now or utcnow()
    if scope not in TOKEN_SCOPES:
        raise InvalidInput("scope", _("Choose one of the options in the list."))
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("expires_on", _("Choose a day after today, or leave it empty."))
    if not user.active:
        raise InvalidInput("user", _("This account is deactivated: it cannot have a token."))
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user=user,
        token_hash=digest(plain),
        prefix=plain[:12],
        label=(label or "").strip() or None,
        scope=scope,
        expires_at=expires_at,
        created_by_id=created_by.id if created_by is not None else None,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "api_token.create",
        "api_token",
        row.id,
        {
            "user": [None, user.email],
            "prefix": [None, row.prefix],
            "label": [None, row.label],
            "scope": [None, scope],
            "expires_at": [None, expires_at],
        },
    )
    return row, plain


def revoke_token(row: ApiToken) -> None:
    """Revoke a token from now on (idempotent); audited; the caller commits."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record("api_token.revoke", "api_token", row.id, {"revoked": [False, True]})


def expire_token(row: ApiToken, now: datetime | None = None) -> None:
    """End a token's validity now (it then reads "expired", not "revoked"); a token already
    expired or revoked is left as it is. Audited; the caller commits."""
    now = now or utcnow()
    if row.revoked_at is None and (row.expires_at is None or row.expires_at > now):
        audit.record("api_token.expire", "api_token", row.id, {"expires_at": [row.expires_at, now]})
        row.expires_at = now


def token_state(row: ApiToken, now: datetime | None = None) -> str:
    """``active``, ``expired`` or ``revoked``, at ``now`` (UTC)."""
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= (now or utcnow()):
        return "expired"
    return "active"


@dataclass(frozen=True)
class Presented:
    """What a presented token turned out to be: its row (None when unknown) and its ``user``
    when it may act; ``refusal`` (``unknown``, ``revoked``, ``expired``, ``inactive``) when
    not."""

    row: ApiToken | None
    user: User | None
    refusal: str | None = None
    #: Whether this use changed the token's ``last_used_at`` (the caller commits it).
    touched: bool = False


def check_token(plain: str, now: datetime | None = None) -> Presented:
    """The token presented, checked: whose it is and whether it may act now.

    Each use and each refusal is logged as a security event, with the token's prefix only.
    """
    now = now or utcnow()
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(plain)))
    refusal = None
    if row is None:
        refusal = "unknown"
    elif token_state(row, now) != "active":
        refusal = token_state(row, now)
    elif not row.user.active:
        refusal = "inactive"
    if refusal is not None:
        security_log.warning(
            "api token refused prefix=%s reason=%s",
            # Anything else sent as a token (a pasted password, another system's key) is not
            # quoted at all.
            plain[:12] if plain.startswith(TOKEN_PREFIX) else "(not one of ours)",
            refusal,
        )
        return Presented(row, None, refusal)
    touched = row.last_used_at is None or now - row.last_used_at > LAST_USED_PRECISION
    if touched:
        row.last_used_at = now
    security_log.info("api token used user_id=%s prefix=%s", row.user_id, row.prefix)
    return Presented(row, row.user, touched=touched)


def user_for_token(plain: str) -> User | None:
    """The active user a presented token belongs to, or None (unknown, revoked, expired,
    inactive): :func:`check_token` without the reason."""
    return check_token(plain).user
