"""Undoing a committed import (docs/domain.md#imports): for ``IMPORT_UNDO_DAYS`` after its commit,
an import can be taken back. What it created goes (responses, and the practices and contacts
nothing else uses), what it changed comes back (a practice's answers are derived again from
its remaining responses, a contact's fields are restored), except the records staff changed
since the commit (any audited write about them), which are left as they are and listed.

The tallies and readiness follow on their own (``crm.responses.tallies``), so after an undo they
are what they were before the import.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from crm.audit import operations as audit
from crm.audit.models import AuditEvent
from crm.core.extensions import db
from crm.data.imports.committing import CONTACT_FIELDS
from crm.data.imports.operations import ImportStateError, batch_rows
from crm.data.models import ImportBatch
from crm.responses.matching import refresh_practice
from crm.responses.models import Contact, Practice, SurveyResponse

logger = logging.getLogger(__name__)
#: Days after its commit an import can be undone (``IMPORT_UNDO_DAYS``).
DEFAULT_UNDO_DAYS = 30


def undo_until(batch: ImportBatch, days: int) -> datetime | None:
    """The last instant the batch can be undone (UTC), None when it was never committed."""
    return batch.committed_at + timedelta(days=days) if batch.committed_at else None


def can_undo(batch: ImportBatch, days: int, now: datetime | None = None) -> bool:
    """Whether the batch is committed and within its undo period."""
    until = undo_until(batch, days)
    return batch.status == "committed" and until is not None and (now or datetime.now(UTC)) <= until


def _changed_since(batch: ImportBatch, entity_type: str, ids: set[int]) -> set[int]:
    """The ids among ``ids`` of the records of ``entity_type`` that an audited write touched
    after the batch's commit (for practices, any event about the practice)."""
    if not ids:
        return set()
    since = AuditEvent.occurred_at > batch.committed_at
    keys = [str(i) for i in ids]
    condition = (AuditEvent.entity_type == entity_type) & AuditEvent.entity_id.in_(keys)
    if entity_type == "practice":
        condition = or_(condition, AuditEvent.practice_id.in_(sorted(ids)))
    changed = db.session.execute(
        select(AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.practice_id).where(
            since, condition, AuditEvent.entity_type != "import_batch"
        )
    )
    found: set[int] = set()
    for kind, entity_id, practice_id in changed:
        if entity_type == "practice" and practice_id in ids:
            found.add(practice_id)
        if kind == entity_type and entity_id.isdigit() and int(entity_id) in ids:
            found.add(int(entity_id))
    return found


def undo_import(
    batch: ImportBatch, *, days: int = DEFAULT_UNDO_DAYS, now: datetime | None = None
) -> dict[str, Any]:
    """Take back what the batch's commit stored; returns ``{"removed", "restored", "kept"}``
    (``kept``: ``[{"kind", "id", "name"}]``, the records staff changed since, left as they
    are). Raises ImportStateError when the batch is not committed or its undo period is over.
    Audited; the caller commits (one transaction)."""
    now = now or datetime.now(UTC)
    db.session.refresh(batch, with_for_update=True)
    if not can_undo(batch, days, now):
        raise ImportStateError("cannot be undone")
    stored = _stored(batch)
    changed = {
        "survey_response": _changed_since(
            batch, "survey_response", {s["response"] for s in stored}
        ),
        "practice": _changed_since(
            batch, "practice", {s["practice"] for s in stored if s.get("practice")}
        ),
        "contact": _changed_since(
            batch, "contact", {s["contact"] for s in stored if s.get("contact")}
        ),
    }
    result = _take_back(stored, changed)
    batch.status, batch.undone_at = "undone", now
    batch.result = {**batch.result, "undo": result}
    audit.record(
        "import_batch.undo",
        "import_batch",
        batch.id,
        {
            "status": ["committed", "undone"],
            "removed": [None, result["removed"]],
            "restored": [None, result["restored"]],
            "kept": [None, len(result["kept"])],
        },
    )
    db.session.flush()
    logger.info(
        "import %s undone: %s removed, %s kept", batch.id, result["removed"], len(result["kept"])
    )
    return result


def _stored(batch: ImportBatch) -> list[dict[str, Any]]:
    """What the commit stored, per row that it stored a response for."""
    return [
        row.stored for rows in batch_rows(batch) for row in rows
        if row.stored and "response" in row.stored
    ]  # fmt: skip


def _take_back(stored: list[dict[str, Any]], changed: dict[str, set[int]]) -> dict[str, Any]:
    """Remove and restore what ``stored`` says, leaving the ``changed`` records as they are."""
    result: dict[str, Any] = {"removed": 0, "restored": 0, "kept": []}
    responses = {s["response"] for s in stored}
    _remove_responses(responses - changed["survey_response"], result)
    _keep(result, "survey_response", changed["survey_response"])
    db.session.flush()
    _undo_contacts(stored, changed["contact"], result)
    _undo_practices(stored, changed["practice"], result)
    return result


def withdraw_failed_commit(batch: ImportBatch) -> None:
    """After a commit that failed part way: take back every row it stored (no one has seen
    them), and put the batch back to ``previewed`` with the error in its progress."""
    _take_back(_stored(batch), {"survey_response": set(), "practice": set(), "contact": set()})
    for rows in batch_rows(batch):
        for row in rows:
            row.stored = None
    batch.status, batch.result, batch.progress = "previewed", {}, {"error": "commit_failed"}
    db.session.flush()


def _remove_responses(ids: set[int], result: dict[str, Any]) -> None:
    for response in db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.id.in_(sorted(ids)))
    ):
        db.session.delete(response)
        result["removed"] += 1


def _keep(result: dict[str, Any], kind: str, ids: set[int]) -> None:
    """List records left as staff changed them, with their names."""
    models = {"survey_response": SurveyResponse, "practice": Practice, "contact": Contact}
    for record in db.session.scalars(select(models[kind]).where(models[kind].id.in_(sorted(ids)))):
        name = getattr(record, "name", None) or f"#{record.id}"
        result["kept"].append({"kind": kind, "id": record.id, "name": name})


def _undo_contacts(stored: list[dict[str, Any]], changed: set[int], result: dict[str, Any]) -> None:
    """Contacts the import created go unless a remaining response names them; those it
    changed get their fields back; those staff changed since stay."""
    _keep(result, "contact", changed)
    for entry in stored:
        contact = db.session.get(Contact, entry["contact"]) if entry.get("contact") else None
        if contact is None or contact.id in changed:
            continue
        if entry.get("contact_new"):
            used = db.session.scalar(
                select(func.count())
                .select_from(SurveyResponse)
                .where(SurveyResponse.contact_id == contact.id)
            )
            if not used:
                db.session.delete(contact)
                result["removed"] += 1
        elif entry.get("contact_before"):
            for name, value in entry["contact_before"].items():
                if name in CONTACT_FIELDS:
                    setattr(contact, name, _from_json(name, value))
            result["restored"] += 1
    db.session.flush()


def _from_json(name: str, value: Any) -> Any:
    return (
        datetime.fromisoformat(value) if name.endswith("_at") and isinstance(value, str) else value
    )


def _undo_practices(
    stored: list[dict[str, Any]], changed: set[int], result: dict[str, Any]
) -> None:
    """Practices the import created go unless staff changed them or other responses or
    contacts are theirs; the others get their answers from their remaining responses."""
    _keep(result, "practice", changed)
    new = {e["practice"] for e in stored if e.get("practice_new")}
    for practice_id in sorted({e["practice"] for e in stored if e.get("practice")}):
        practice = db.session.get(Practice, practice_id)
        if practice is None:
            continue
        in_use = db.session.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.practice_id == practice_id)
        ) or db.session.scalar(
            select(func.count()).select_from(Contact).where(Contact.practice_id == practice_id)
        )
        if practice_id in new and practice_id not in changed and not in_use:
            db.session.delete(practice)
            result["removed"] += 1
        else:
            refresh_practice(practice)
            result["restored"] += practice_id not in new
    db.session.flush()
