"""Recording staff writes in the audit trail (``docs/domain.md#roles``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import g, has_request_context
from flask_login import current_user

from crm.accounts.models import User
from crm.audit.models import AuditEvent
from crm.core.extensions import db


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def current_actor() -> tuple[int | None, str]:
    """``(user id, label)`` of whoever is acting: the logged-in user, an API token's user
    (``g.api_user``, labelled ``api:<email>``), or outside a request the person a background
    step acts for (``g.acting_for``, set by :func:`acting_for`), else ``cli``."""
    if has_request_context():
        api_user: User | None = g.get("api_user")
        if api_user is not None:
            return api_user.id, f"api:{api_user.email}"
        if current_user and current_user.is_authenticated:
            return current_user.id, current_user.email
        return None, "anonymous"
    if not _has_app_g():
        return None, "cli"
    return g.get("acting_for") or (None, g.get("cli_actor", "cli"))


def acting_for(actor: tuple[int | None, str]) -> None:
    """Record ``actor`` (from :func:`current_actor` in the request that started it) as who the
    work of this app context outside any request does, such as a large import's background
    step: its audit events name that person, not ``cli``."""
    g.acting_for = actor


def _has_app_g() -> bool:
    try:
        g.get("x")
    except RuntimeError:
        return False
    return True


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value changed between two snapshots."""
    fields = before.keys() | after.keys()
    return {
        f: [_jsonable(before.get(f)), _jsonable(after.get(f))]
        for f in sorted(fields)
        if before.get(f) != after.get(f)
    }


def record(
    action: str,
    entity_type: str,
    entity_id: object,
    changes: dict[str, list[Any]] | None = None,
    *,
    country_code: str | None = None,
    practice_id: int | None = None,
) -> AuditEvent:
    """Add an audit event to the session (the caller commits with the write it describes).

    ``action`` is dotted (``"availability.update"``); ``changes`` maps field → [old, new].
    """
    actor_id, actor = current_actor()
    event = AuditEvent(
        actor_id=actor_id,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        country_code=country_code,
        practice_id=practice_id,
        changes={k: [_jsonable(v) for v in pair] for k, pair in (changes or {}).items()},
    )
    db.session.add(event)
    return event
