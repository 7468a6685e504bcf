"""Who is calling the API: a bearer token (``Authorization: Bearer <token>``) or the logged-in
session; and the same access levels as the screens (``crm.auth``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort, current_app, g, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.models import User
from crm.api.tokens import Presented, check_token
from crm.core.access import ACCESS_ATTRIBUTE, ADMITTED
from crm.core.errors import render_error
from crm.core.extensions import csrf, db
from crm.core.presentation import localized_datetime

F = TypeVar("F", bound=Callable)
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Methods whose body the API reads: always as JSON.
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer`` header, or None when there is none."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def load_api_user() -> ResponseReturnValue | None:
    """Before each API request: resolve the caller into ``g.api_user`` (None = anonymous) and
    the token's scope into ``g.api_scope``.

    A presented token that is wrong, revoked or expired is a 401, even if a session exists,
    and says which (docs/decisions.md#api-tokens). Session callers that write must send the
    CSRF token (``X-CSRFToken``); token callers need not, since a browser never attaches a
    bearer token by itself.
    """
    token = bearer_token()
    if token is not None:
        presented = check_token(token)
        g.api_user = presented.user
        g.api_scope = presented.row.scope if presented.row is not None else None
        if g.api_user is None:
            return render_error(401, detail=_refusal_detail(presented))
        if presented.touched:
            # The last use is shown to admins; a read commits nothing else.
            db.session.commit()
        return None
    user = current_user if current_user and current_user.is_authenticated else None
    g.api_user = user._get_current_object() if user is not None else None
    g.api_scope = "write"
    if (
        g.api_user is not None
        and request.method in _WRITE_METHODS
        and current_app.config.get("WTF_CSRF_ENABLED", True)
    ):
        csrf.protect()
    return None


def _refusal_detail(presented: Presented) -> str | None:
    """Why a token was refused, in words; None (the generic 401) for an unknown one."""
    row = presented.row
    if presented.refusal == "expired" and row is not None and row.expires_at is not None:
        return _(
            "This API token expired on %(date)s. Ask an administrator for a new one.",
            date=localized_datetime(row.expires_at),
        )
    if presented.refusal == "revoked":
        return _("This API token was revoked. Ask an administrator for a new one.")
    if presented.refusal == "inactive":
        return _("The account of this API token is deactivated.")
    return None


def refuse_body_not_json() -> None:
    """415 for a write whose body is not JSON: the schemas read JSON bodies only, so a form
    body would pass as an empty change and be answered 200 with nothing done."""
    if request.method in _BODY_METHODS and not request.is_json:
        abort(415)


def api_user() -> User | None:
    """The caller resolved by ``load_api_user``."""
    return g.get("api_user")


def api_requires(level: str, *, reads_only: bool = False) -> Callable[[F], F]:
    """Decorator for API views: 401 without a caller, 403 when the caller's roles do not admit
    ``level`` (viewer reads; staff and admin write) or when a read-only token writes, then 415
    for a body that is not JSON. ``reads_only`` marks a POST that computes and saves nothing
    (the what-if), which a read-only token may call (docs/decisions.md#api-tokens)."""
    admitted = ADMITTED[level]

    def decorator(view: F) -> F:
        @wraps(view)
        def checked(*args, **kwargs):
            user = api_user()
            if user is None:
                abort(401)
            if not admitted & {role.name for role in user.roles}:
                abort(403)
            writes = request.method in _WRITE_METHODS and not reads_only
            if writes and g.get("api_scope") == "read":
                return render_error(403, detail=_("This API token may only read."))
            refuse_body_not_json()
            return view(*args, **kwargs)

        setattr(checked, ACCESS_ATTRIBUTE, level)
        return checked  # type: ignore[return-value]

    return decorator
