"""API bearer tokens: created once, stored as a SHA-256 digest, revocable
(``docs/decisions.md#sessions``)."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from sqlalchemy import select

from crm.accounts.models import ApiToken, User
from crm.audit import operations as audit
from crm.core.columns import utcnow
from crm.core.extensions import db

security_log = logging.getLogger("crm.security")

TOKEN_PREFIX = "iqc_"  # noqa: S105  (a visible prefix, not a secret)
#: How stale ``last_used_at`` may get before a use writes it again (saves a write per request).
LAST_USED_PRECISION = timedelta(minutes=5)


def digest(token: str) -> str:
    """Hex SHA-256 of a token: what the database keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, label: str | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``: ``(row, plain token)``. The plain token is never stored; the
    caller shows it once. Audited; the caller commits."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, token_hash=digest(plain), prefix=plain[:12], label=label)
    db.session.add(row)
    db.session.flush()
    audit.record(
        "api_token.create",
        "api_token",
        row.id,
        {"user": [None, user.email], "prefix": [None, row.prefix]},
    )
    return row, plain


def revoke_token(row: ApiToken) -> None:
    """Revoke a token from now on (idempotent); audited; the caller commits."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record("api_token.revoke", "api_token", row.id, {"revoked": [False, True]})


def user_for_token(plain: str) -> User | None:
    """The active user a presented token belongs to, or None (unknown, revoked, inactive).

    Each use and each refusal is logged as a security event, with the token's prefix only.
    """
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(plain)))
    if row is None or row.revoked_at is not None or not row.user.active:
        security_log.warning(
            "api token refused prefix=%s reason=%s",
            # Anything else sent as a token (a pasted password, another system's key) is not
            # quoted at all.
            plain[:12] if plain.startswith(TOKEN_PREFIX) else "(not one of ours)",
            "unknown" if row is None else "revoked or inactive",
        )
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_PRECISION:
        row.last_used_at = now
    security_log.info("api token used user_id=%s prefix=%s", row.user_id, row.prefix)
    return row.user
