"""How people are named on the screens: a user's display name, and who did what in the audit
trail (``docs/domain.md#people``). The name is what people call each other; the email appears
only where telling two accounts apart needs it (the account lists)."""

from __future__ import annotations

from collections.abc import Iterable

from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import select

from crm.accounts.models import User
from crm.core.extensions import db

#: ``g`` key: user id → display name, read once per request.
_CACHE = "crm_people_names"
#: Prefix of the audit actor of an API token's writes (``crm.audit.operations.current_actor``).
API_ACTOR = "api:"


def display_name(user: User | None) -> str:
    """The user's name, or their email when they have none; "" for None."""
    if user is None:
        return ""
    return (user.name or "").strip() or user.email


def names_by_id(ids: Iterable[int | None]) -> dict[int, str]:
    """User id → display name for the given ids (unknown ids left out), cached on ``g`` for
    the request so a long audit trail reads each account once."""
    cache: dict[int, str] = g.setdefault(_CACHE, {}) if has_request_context() else {}
    wanted = {i for i in ids if i is not None} - cache.keys()
    if wanted:
        for user_id, name, email in db.session.execute(
            select(User.id, User.name, User.email).where(User.id.in_(sorted(wanted)))
        ):
            cache[user_id] = (name or "").strip() or email
    return {i: cache[i] for i in ids if i is not None and i in cache}


def actor_label(actor_id: int | None, actor: str) -> str:
    """Who did something, as the audit trail shows it: the account's display name (marked as
    through the API for a token's writes), else the recorded ``actor`` ("cli", "system", or
    the email of an account deleted since)."""
    name = names_by_id([actor_id]).get(actor_id) if actor_id is not None else None
    if name is None:
        return actor
    return _("%(name)s (API)", name=name) if actor.startswith(API_ACTOR) else name
