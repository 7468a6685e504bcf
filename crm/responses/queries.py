"""Query builders for the staff lists: the response inbox, practices, contacts, tasks and the
activity timeline. Lists are paginated in SQL (LIMIT/OFFSET), never loaded whole."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from crm.audit.models import AuditEvent
from crm.core.extensions import db
from crm.core.i18n import country_order
from crm.responses.matching import normalize_key
from crm.responses.models import INTERESTED_LEVELS, Contact, Interest, Practice, SurveyResponse
from crm.search import index

# --- responses ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxFilters:
    """What the inbox lists: ``status`` None for every status; ``received_from`` and
    ``received_before`` are UTC instants (the organization's days, converted by the form);
    ``assigned_to`` a user id, ``unassigned`` those with nobody; ``sort`` a key of
    :data:`SORTS`."""

    status: str | None = "new"
    country_code: str | None = None
    language: str | None = None
    with_suggestion: bool = False
    text: str | None = None
    received_from: datetime | None = None
    received_before: datetime | None = None
    assigned_to: int | None = None
    unassigned: bool = False
    likely_spam: bool = False
    sort: str = "-submitted"


#: Sort keys of the inbox ("-" first: descending) → the column sorted by; ties by id.
SORTS = ("-submitted", "submitted", "country", "-country", "status", "-status", "-score", "score")


def _sort_key(sort: str) -> ColumnElement:
    column = sort.lstrip("-")
    if column == "country":
        return country_order(SurveyResponse.country_code)
    if column == "status":
        return SurveyResponse.triage_status
    if column == "score":
        return func.coalesce(SurveyResponse.suggestion_score, -1.0)
    return SurveyResponse.submitted_at


def query_responses(filters: InboxFilters | None = None, **values) -> Select:
    """Filed responses matching the inbox's filters (:class:`InboxFilters`, or its fields as
    keywords), in its sort order, ties by id. Responses still waiting for the worker are left
    out (:func:`waiting_responses`)."""
    filters = filters or InboxFilters(**values)
    statement = select(SurveyResponse).options(
        selectinload(SurveyResponse.practice), selectinload(SurveyResponse.suggested_practice)
    )
    return _ordered(statement.where(*_conditions(filters)), filters.sort)


def _ordered(statement: Select, sort: str) -> Select:
    key = _sort_key(sort)
    descending = sort.startswith("-")
    order = (key.desc(), SurveyResponse.id.desc()) if descending else (key, SurveyResponse.id)
    return statement.order_by(*order)


def _conditions(f: InboxFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [SurveyResponse.filed_at.is_not(None)]
    simple = (
        (f.status, lambda: SurveyResponse.triage_status == f.status),
        (f.country_code, lambda: SurveyResponse.country_code == f.country_code),
        (f.language, lambda: SurveyResponse.language == f.language),
        (f.with_suggestion, lambda: SurveyResponse.suggested_practice_id.is_not(None)),
        (f.received_from, lambda: SurveyResponse.submitted_at >= f.received_from),
        (f.received_before, lambda: SurveyResponse.submitted_at < f.received_before),
        (f.assigned_to, lambda: SurveyResponse.assigned_to_id == f.assigned_to),
        (f.unassigned, lambda: SurveyResponse.assigned_to_id.is_(None)),
        (f.likely_spam, lambda: SurveyResponse.spam_signals.is_not(None)),
    )
    conditions += [condition() for wanted, condition in simple if wanted]
    found = index.terms(f.text)
    if found:
        conditions.append(index.matching("responses", found))
    return conditions


def next_in_list(filters: InboxFilters, current_id: int) -> int | None:
    """The response after ``current_id`` in the inbox list ``filters`` makes, by the place the
    current one had in its order (read before a triage action moves it out of the list);
    None at the end. Whether the current one still matches does not matter."""
    key = _sort_key(filters.sort)
    value = db.session.scalar(select(key).where(SurveyResponse.id == current_id))
    if value is None:
        return None
    if filters.sort.startswith("-"):
        after = or_(key < value, and_(key == value, SurveyResponse.id < current_id))
    else:
        after = or_(key > value, and_(key == value, SurveyResponse.id > current_id))
    statement = select(SurveyResponse.id).where(
        *_conditions(filters), after, SurveyResponse.id != current_id
    )
    return db.session.scalar(_ordered(statement, filters.sort).limit(1))


@dataclass(frozen=True)
class Waiting:
    """Responses stored but not filed yet: how many, and when the oldest arrived (UTC)."""

    count: int
    oldest: datetime | None


def waiting_responses() -> Waiting:
    """How many responses wait for the worker to file them, and the oldest one's submit time.
    Reads the partial index of unfiled responses: cheap however many responses are filed."""
    count, oldest = db.session.execute(
        select(func.count(), func.min(SurveyResponse.submitted_at)).where(
            SurveyResponse.filed_at.is_(None)
        )
    ).one()
    return Waiting(count=count, oldest=oldest)


def response_countries() -> list[str]:
    """ISO codes of countries with at least one response."""
    return list(
        db.session.scalars(
            select(SurveyResponse.country_code)
            .where(SurveyResponse.country_code.is_not(None))
            .distinct()
        )
    )


def practice_countries() -> list[str]:
    """ISO codes of countries with at least one practice."""
    return list(db.session.scalars(select(Practice.country_code).distinct()))


def practice_responses(practice_id: int) -> list[SurveyResponse]:
    """Every response filed under a practice, newest first."""
    return list(
        db.session.scalars(
            select(SurveyResponse)
            .where(SurveyResponse.practice_id == practice_id)
            .order_by(SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc())
        )
    )


def search_practices(
    country_code: str, text: str, exclude_id: int | None = None, limit: int = 20
) -> list[Practice]:
    """Practices of a country whose name contains ``text`` (compared as
    docs/domain.md#eligible-practices says: case, accents, punctuation and spacing ignored), by
    name; at most ``limit``."""
    key = normalize_key(text)
    if not key:
        return []
    statement = select(Practice).where(
        Practice.country_code == country_code, Practice.name_key.contains(key, autoescape=True)
    )
    if exclude_id is not None:
        statement = statement.where(Practice.id != exclude_id)
    return list(db.session.scalars(statement.order_by(Practice.name).limit(limit)))


# --- practices and contacts --------------------------------------------------------------------


def query_practices(
    *, text: str | None = None, country_code: str | None = None, program: str | None = None
) -> Select:
    """Practices matching the list filters, by country (its name in the reader's language)
    then name. ``program``: interested (very or somewhat) in that program."""
    statement = select(Practice).options(selectinload(Practice.interests))
    key = normalize_key(text)
    if key:
        statement = statement.where(Practice.name_key.contains(key, autoescape=True))
    if country_code:
        statement = statement.where(Practice.country_code == country_code)
    if program:
        statement = statement.where(
            Practice.interests.any(
                (Interest.program_code == program) & Interest.level.in_(INTERESTED_LEVELS)
            )
        )
    return statement.order_by(country_order(Practice.country_code), Practice.name, Practice.id)


def response_counts(practice_ids: list[int]) -> dict[int, int]:
    """Practice id → number of responses filed under it (every triage status)."""
    if not practice_ids:
        return {}
    rows = db.session.execute(
        select(SurveyResponse.practice_id, func.count())
        .where(SurveyResponse.practice_id.in_(practice_ids))
        .group_by(SurveyResponse.practice_id)
    )
    return {practice_id: n for practice_id, n in rows}


def query_contacts(
    *, text: str | None = None, country_code: str | None = None, permission: bool | None = None
) -> Select:
    """Contacts matching the list filters, by name. ``text`` matches name or email."""
    statement = select(Contact).options(selectinload(Contact.practice))
    if text and text.strip():
        pattern = text.strip().lower()
        statement = statement.where(
            or_(
                func.lower(Contact.name).contains(pattern, autoescape=True),
                Contact.email_key.contains(pattern, autoescape=True),
            )
        )
    if country_code:
        statement = statement.where(Contact.practice.has(Practice.country_code == country_code))
    if permission is not None:
        statement = statement.where(Contact.permission_to_contact.is_(permission))
    return statement.order_by(Contact.name, Contact.id)


def practice_audit(practice_id: int, limit: int = 100) -> list[AuditEvent]:
    """The practice's audit trail, newest first."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.practice_id == practice_id)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


# --- activities and tasks ----------------------------------------------------------------------


def practices_by_id(ids: set[int]) -> dict[int, Practice]:
    """Practice id → Practice for the given ids (missing ones left out)."""
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(select(Practice).where(Practice.id.in_(ids)))}
