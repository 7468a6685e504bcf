"""Who is calling the API: a bearer token (``Authorization: Bearer <token>``) or the logged-in
session; and the same access levels as the screens (``crm.auth``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort, current_app, g, request
from flask_login import current_user

from crm.accounts.models import User
from crm.api.tokens import user_for_token
from crm.core.access import ACCESS_ATTRIBUTE, ADMITTED
from crm.core.extensions import csrf

F = TypeVar("F", bound=Callable)
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Methods whose body the API reads: always as JSON.
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer`` header, or None when there is none."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def load_api_user() -> None:
    """Before each API request: resolve the caller into ``g.api_user`` (None = anonymous).

    A presented token that is wrong or revoked is a 401, even if a session exists. Session
    callers that write must send the CSRF token (``X-CSRFToken``); token callers need not,
    since a browser never attaches a bearer token by itself.
    """
    token = bearer_token()
    if token is not None:
        g.api_user = user_for_token(token)
        if g.api_user is None:
            abort(401)
        return
    user = current_user if current_user and current_user.is_authenticated else None
    g.api_user = user._get_current_object() if user is not None else None
    if (
        g.api_user is not None
        and request.method in _WRITE_METHODS
        and current_app.config.get("WTF_CSRF_ENABLED", True)
    ):
        csrf.protect()


def refuse_body_not_json() -> None:
    """415 for a write whose body is not JSON: the schemas read JSON bodies only, so a form
    body would pass as an empty change and be answered 200 with nothing done."""
    if request.method in _BODY_METHODS and not request.is_json:
        abort(415)


def api_user() -> User | None:
    """The caller resolved by ``load_api_user``."""
    return g.get("api_user")


def api_requires(level: str) -> Callable[[F], F]:
    """Decorator for API views: 401 without a caller, 403 when the caller's roles do not admit
    ``level`` (viewer reads; staff and admin write), then 415 for a body that is not JSON."""
    admitted = ADMITTED[level]

    def decorator(view: F) -> F:
        @wraps(view)
        def checked(*args, **kwargs):
            user = api_user()
            if user is None:
                abort(401)
            if not admitted & {role.name for role in user.roles}:
                abort(403)
            refuse_body_not_json()
            return view(*args, **kwargs)

        setattr(checked, ACCESS_ATTRIBUTE, level)
        return checked  # type: ignore[return-value]

    return decorator
