"""Who may reach which route (``docs/domain.md#roles``). Every view says its level with one
decorator.

Levels: ``public`` (no login), ``viewer`` (IQSG: read), ``staff`` (read + write),
``admin`` (everything). Roles nest: an admin has staff rights, staff have viewer rights.
``tests/test_permissions.py`` walks the URL map and checks each level is enforced.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort
from flask_login import current_user
from flask_security import auth_required

F = TypeVar("F", bound=Callable)

LEVELS = ("public", "viewer", "staff", "admin")
#: Level → roles admitted to it.
ADMITTED = {
    "viewer": frozenset({"viewer", "staff", "admin"}),
    "staff": frozenset({"staff", "admin"}),
    "admin": frozenset({"admin"}),
}
ACCESS_ATTRIBUTE = "crm_access"


def public(view: F) -> F:
    """Mark a view as open to anyone (the survey, public pages, login)."""
    setattr(view, ACCESS_ATTRIBUTE, "public")
    return view


def has_level(user, level: str) -> bool:
    """True when ``user`` (a User or Flask-Login's anonymous user) may act at ``level``."""
    if level == "public":
        return True
    if not (user and user.is_authenticated):
        return False
    return bool(ADMITTED[level] & {role.name for role in user.roles})


def requires(level: str) -> Callable[[F], F]:
    """Decorator: log in (a session: screens take no token), then hold a role admitted to
    ``level``.

    Anonymous users get Flask-Security's answer (login redirect, or 401 for JSON); logged-in
    users without the role get 403.
    """
    if level not in ADMITTED:
        raise ValueError(f"unknown access level {level!r}")

    def decorator(view: F) -> F:
        @wraps(view)
        def checked(*args, **kwargs):
            if not has_level(current_user, level):
                abort(403)
            return view(*args, **kwargs)

        guarded = auth_required("session")(checked)
        setattr(guarded, ACCESS_ATTRIBUTE, level)
        return guarded  # type: ignore[return-value]

    return decorator


viewer_required = requires("viewer")
staff_required = requires("staff")
admin_required = requires("admin")


def access_of(view: Callable) -> str | None:
    """The level a view declared, or None when it declared none (a test flags those)."""
    return getattr(view, ACCESS_ATTRIBUTE, None)
