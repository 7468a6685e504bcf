"""The erasure's sweep: every copy of a person's email, name or phone in any text or JSON
column of any table (the audit trail included), replaced by ``[erased]``.

The scan (:func:`plan_sweep`) only reads, so it runs before the erasure's first write, in a
transaction holding no write lock; the writes (:func:`sweep`) then happen by id, rows added in
between read again (``docs/decisions.md#erasure-scan``). A name or phone that another person
also bears (a namesake, a shared switchboard) stays in that person's own rows
(:func:`namesake_rows`). How a copy is recognized is in :mod:`crm.privacy.copies`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import JSON, Column, Integer, String, Table, Text, false, func, or_, select, update

from crm.audit.models import AuditEvent
from crm.core.extensions import db
from crm.outreach.models import OutboxMessage
from crm.privacy.copies import contains_any, holds, scrub
from crm.privacy.queries import SubjectRecords
from crm.responses.models import Contact, SurveyResponse

#: Staff accounts are not data subjects of the survey: a colleague's login must survive.
NOT_SWEPT = frozenset(
    {"staff_users", "roles", "api_tokens", "practice_name_keys", "interest_tally_entries"}
)


@dataclass(frozen=True)
class Identifiers:
    """What identifies the person: ``emails`` are theirs alone (the request is about them);
    ``shared`` (names, phones) may also belong to someone else: a namesake, or a colleague
    calling from the same switchboard."""

    emails: frozenset[str]
    shared: frozenset[str]

    @property
    def all(self) -> frozenset[str]:
        return self.emails | self.shared


def identifiers(records: SubjectRecords) -> Identifiers:
    """The person's emails, names and phones, as given in their contacts, responses and
    survey drafts."""
    emails, shared = {records.email}, set()
    for contact in records.contacts:
        emails.add(contact.email)
        shared.update((contact.name, contact.phone))
    for answers in [r.answers for r in records.responses] + [d.answers for d in records.drafts]:
        emails.add(answers.get("email"))
        shared.update((answers.get("name"), answers.get("phone")))

    def usable(values: set) -> frozenset[str]:
        # Very short strings (an initial) would erase unrelated text.
        return frozenset(v.strip() for v in values if isinstance(v, str) and len(v.strip()) >= 3)

    return Identifiers(emails=usable(emails), shared=usable(shared) - usable(emails))


def namesake_rows(records: SubjectRecords, found: Identifiers) -> dict[str, set[tuple]]:
    """Rows of other people who bear one of the person's shared identifiers (name or phone),
    by table name → primary-key tuples: their contacts, their responses, the audit events about
    those, and email addressed to them. The sweep leaves the shared values in these rows."""
    if not found.shared:
        return {}
    contacts = _namesake_contacts([c.id for c in records.contacts] or [0], found.shared)
    responses = _namesake_responses([r.id for r in records.responses] or [0], found.shared)
    messages = _namesake_messages(found)
    events = _events_about([("contact", contacts), ("survey_response", responses)])
    return {
        Contact.__tablename__: {(i,) for i in contacts},
        SurveyResponse.__tablename__: {(i,) for i in responses},
        OutboxMessage.__tablename__: {(i,) for i in messages},
        AuditEvent.__tablename__: {(i,) for i in events},
    }


def _namesake_contacts(own: list[int], shared: frozenset[str]) -> set[int]:
    """Ids of contacts other than ``own`` whose name or phone is one of ``shared``."""
    return {
        contact_id
        for contact_id, name, phone in db.session.execute(
            select(Contact.id, Contact.name, Contact.phone).where(
                Contact.id.not_in(own),
                or_(contains_any(Contact.name, shared), contains_any(Contact.phone, shared)),
            )
        )
        if holds(name or "", shared) or holds(phone or "", shared)
    }


def _namesake_responses(own: list[int], shared: frozenset[str]) -> set[int]:
    """Ids of responses other than ``own`` whose answered name or phone is one of ``shared``."""
    return {
        response_id
        for response_id, answers in db.session.execute(
            select(SurveyResponse.id, SurveyResponse.answers).where(
                SurveyResponse.id.not_in(own),
                contains_any(SurveyResponse.answers, shared),
            )
        )
        if any(holds(answers.get(k) or "", shared) for k in ("name", "phone"))
    }


def _namesake_messages(found: Identifiers) -> set[int]:
    """Ids of outbox rows addressed to someone else under one of the shared names."""
    own_emails = [e.lower() for e in found.emails]
    return {
        message_id
        for message_id, name in db.session.execute(
            select(OutboxMessage.id, OutboxMessage.recipient_name).where(
                func.lower(OutboxMessage.recipient).not_in(own_emails),
                contains_any(OutboxMessage.recipient_name, found.shared),
            )
        )
        if holds(name or "", found.shared)
    }


def _events_about(entities: list[tuple[str, set[int]]]) -> set[int]:
    """Ids of audit events about any of ``entities`` ((entity type, ids) pairs)."""
    about = or_(
        *(
            (AuditEvent.entity_type == kind) & AuditEvent.entity_id.in_(map(str, ids))
            for kind, ids in entities
            if ids
        ),
        false(),
    )
    return set(db.session.scalars(select(AuditEvent.id).where(about)))


@dataclass(frozen=True)
class SweepPlan:
    """Rows that may hold a copy of the person's identifiers, found before the erasure writes:
    ``matches`` as (table, column, primary-key tuple), and per table with an integer id the
    highest id seen then (``newest``), so rows added while the erasure runs are swept too."""

    found: Identifiers
    matches: list[tuple[Table, Column, tuple]]
    newest: dict[str, int]


def _sweepable(table: Table, found: Identifiers) -> tuple[list[Column], list[Column]]:
    """A table's columns that could hold one of ``found``'s values (text or JSON and, when the
    type has a length, no shorter than the shortest value), and its primary key."""
    if table.name in NOT_SWEPT:
        return [], []
    shortest = min(len(v) for v in found.all)
    columns = [
        c
        for c in table.columns
        if isinstance(c.type, String | Text | JSON)
        and (getattr(c.type, "length", None) or shortest) >= shortest
    ]
    return columns, list(table.primary_key.columns)


def plan_sweep(found: Identifiers) -> SweepPlan:
    """Read which rows of any table but staff accounts may hold the person's identifiers.

    Only reads, so it can run in a transaction of its own that holds no write lock
    (``crm.core.database.reading_transaction``): at a million responses the scan takes
    seconds, and survey submits go on meanwhile. One query per table reads each table once.
    See ``crm.privacy.operations.plan_erasure``."""
    matches: list[tuple[Table, Column, tuple]] = []
    newest: dict[str, int] = {}
    if not found.all:
        return SweepPlan(found, matches, newest)
    for table in db.metadata.sorted_tables:
        columns, key = _sweepable(table, found)
        if not columns or not key:
            continue
        if len(key) == 1 and isinstance(key[0].type, Integer):
            newest[table.name] = db.session.scalar(select(func.max(key[0]))) or 0
        matches.extend(_table_matches(table, columns, key, found))
    return SweepPlan(found, matches, newest)


def _table_matches(
    table: Table, columns: list[Column], key: list[Column], found: Identifiers
) -> list[tuple[Table, Column, tuple]]:
    """(table, column, primary-key tuple) of each of ``table``'s ``columns`` that may hold
    one of ``found``'s values, read in one query."""
    conditions = {c.name: contains_any(c, found.all) for c in columns}
    labelled = [condition.label(f"m_{name}") for name, condition in conditions.items()]
    statement = select(*key, *labelled).where(or_(*conditions.values()))
    matches = []
    for row in db.session.execute(statement):
        ids = tuple(row[: len(key)])
        flags = row[len(key) :]
        matches.extend((table, c, ids) for c, hit in zip(columns, flags, strict=True) if hit)
    return matches


def _added_since(plan: SweepPlan, found: Identifiers) -> list[tuple[Table, Column, tuple]]:
    """Rows added after ``plan`` was read that may hold the identifiers (read by id: cheap)."""
    added = []
    for table in db.metadata.sorted_tables:
        if table.name not in plan.newest:
            continue
        columns, key = _sweepable(table, found)
        rows = db.session.execute(
            select(*key).where(
                key[0] > plan.newest[table.name],
                or_(*(contains_any(c, found.all) for c in columns)),
            )
        ).all()
        added.extend((table, c, tuple(ids)) for ids in rows for c in columns)
    return added


def sweep(
    found: Identifiers, spared: dict[str, set[tuple]] | None = None, plan: SweepPlan | None = None
) -> int:
    """Replace every copy of the person's identifiers in any text or JSON column of any table
    but staff accounts; returns rows changed. Rows in ``spared`` (:func:`namesake_rows`) keep
    the shared identifiers and lose only the emails. ``plan`` (:func:`plan_sweep`, read before
    the caller's first write) names the rows to look at, and rows added since are read by id;
    without one the scan happens here. Each named row is read again, so the cost follows the
    matches."""
    if not found.all:
        return 0
    plan = plan or plan_sweep(found)
    spared = spared or {}
    changed = 0
    for table, column, ids in [*plan.matches, *_added_since(plan, found)]:
        key = list(table.primary_key.columns)
        where = [k == i for k, i in zip(key, ids, strict=True)]
        value = db.session.scalar(select(column).where(*where))
        if value is None:
            continue
        names = found.all if ids not in spared.get(table.name, ()) else found.emails
        scrubbed = scrub(value, names)
        if scrubbed != value:
            db.session.execute(update(table).where(*where).values({column.name: scrubbed}))
            changed += 1
    return changed
