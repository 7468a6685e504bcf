"""Reading the audit trail (``docs/domain.md#roles``): filtered, newest first, a page at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, select, tuple_

from crm.audit.models import AuditEvent
from crm.core.clock import org_timezone
from crm.core.extensions import db

PER_PAGE = 50
#: Highest page asked for that is looked up (a million pages of 50 events).
MAX_PAGE = 1_000_000

#: Titles of the audit actions written by this app's operations; others show as recorded.
ACTION_LABELS = {
    "availability.update": _l("Availability changed"),
    "privacy_review.create": _l("Privacy review added"),
    "privacy_review.update": _l("Privacy review changed"),
    "country_agreement.create": _l("Agreement added"),
    "country_agreement.update": _l("Agreement changed"),
    "threshold.set": _l("Threshold overridden"),
    "threshold.clear": _l("Threshold override removed"),
    "program.update": _l("Program settings changed"),
    "user.create": _l("Account created"),
    "user.update": _l("Account changed"),
    "user.deactivate": _l("Account deactivated"),
    "user.reactivate": _l("Account reactivated"),
    "user.unlock": _l("Account unlocked"),
    "user.lock": _l("Account locked after failed logins"),
    "user.reset_two_factor": _l("Two-factor reset"),
    "user.two_factor": _l("Two-factor changed"),
    "user.password_change": _l("Password changed"),
    "user.end_sessions": _l("Sessions ended"),
    "user.preferences": _l("Preferences changed"),
    "invitation.create": _l("Invitation sent"),
    "contact.unsubscribe": _l("Unsubscribed from outreach emails"),
    "country.owner": _l("Country owner changed"),
    "api_token.create": _l("API token created"),
    "api_token.revoke": _l("API token revoked"),
}


def action_label(action: str) -> str:
    """The translated title of an audit action, or the action itself when it has none."""
    title = ACTION_LABELS.get(action)
    return str(title) if title is not None else action


@dataclass(frozen=True)
class AuditFilters:
    """Audit log filters; None means any. ``person``: the acting account's id; ``kind``: the
    kind of record (``entity_type``); days are organization calendar days, inclusive."""

    person: int | None = None
    kind: str | None = None
    country: str | None = None
    occurred_from: date | None = None
    occurred_to: date | None = None
    action: str | None = None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=org_timezone())


def actions() -> list[str]:
    """Distinct actions in the log, sorted."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by("action")))


def entity_types() -> list[str]:
    """Distinct kinds of record in the log, sorted."""
    return list(
        db.session.scalars(select(AuditEvent.entity_type).distinct().order_by("entity_type"))
    )


def actor_ids() -> list[int]:
    """Ids of the accounts that appear as actors in the log."""
    return list(
        db.session.scalars(
            select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None)).distinct()
        )
    )


def country_codes() -> list[str]:
    """Countries the log's events are about."""
    return list(
        db.session.scalars(
            select(AuditEvent.country_code).where(AuditEvent.country_code.is_not(None)).distinct()
        )
    )


#: Records whose audit events quote a person's details (name, email, phone): staff only.
PERSONAL_ENTITY_TYPES = ("contact", "invitation")


def recent_events(
    *,
    country_code: str | None = None,
    practice_id: int | None = None,
    limit: int = 50,
    include_personal: bool = True,
) -> list[AuditEvent]:
    """The newest events about one country or one practice (for their pages' audit trail,
    shown with ``templates/audit/_events.html``); without ``include_personal``, none about the
    ``PERSONAL_ENTITY_TYPES`` (viewers see totals, not people: privacy notice)."""
    statement = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if not include_personal:
        statement = statement.where(AuditEvent.entity_type.not_in(PERSONAL_ENTITY_TYPES))
    if country_code is not None:
        statement = statement.where(AuditEvent.country_code == country_code)
    if practice_id is not None:
        statement = statement.where(AuditEvent.practice_id == practice_id)
    return list(db.session.scalars(statement.limit(limit)))


def filtered(filters: AuditFilters) -> Select:
    """Events matching ``filters``, newest first."""
    statement = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if filters.person:
        statement = statement.where(AuditEvent.actor_id == filters.person)
    if filters.kind:
        statement = statement.where(AuditEvent.entity_type == filters.kind)
    if filters.action:
        statement = statement.where(AuditEvent.action == filters.action)
    if filters.country:
        statement = statement.where(AuditEvent.country_code == filters.country)
    if filters.occurred_from:
        statement = statement.where(AuditEvent.occurred_at >= _start_of(filters.occurred_from))
    if filters.occurred_to:
        end = _start_of(filters.occurred_to + timedelta(days=1))
        statement = statement.where(AuditEvent.occurred_at < end)
    return statement


def audit_events(filters: AuditFilters, page: int = 1, per_page: int = PER_PAGE) -> Pagination:
    """One page (1-based; out-of-range pages are empty, never an error) of matching events."""
    # Past the last page the list is empty; capped first so a huge ?page= cannot overflow OFFSET.
    page = min(max(page or 1, 1), MAX_PAGE)
    return db.paginate(filtered(filters), page=page, per_page=per_page, error_out=False)


def events_in_chunks(filters: AuditFilters, chunk_size: int = 1000) -> Iterator[list[AuditEvent]]:
    """Every matching event, newest first, ``chunk_size`` at a time (keyset on time and id),
    for the log's CSV export; the session is emptied between chunks."""
    statement = filtered(filters)
    last: tuple | None = None
    while True:
        page = statement
        if last is not None:
            page = page.where(tuple_(AuditEvent.occurred_at, AuditEvent.id) < tuple_(*last))
        chunk = list(db.session.scalars(page.limit(chunk_size)))
        if not chunk:
            return
        last = (chunk[-1].occurred_at, chunk[-1].id)
        yield chunk
        db.session.expunge_all()
