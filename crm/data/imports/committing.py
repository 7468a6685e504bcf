"""Committing a previewed import (docs/domain.md#imports): each valid row taken in through
``crm.responses.intake.intake_response``, a chunk per transaction, with what it created or
changed kept on the row so the import can be undone; rows seen before are skipped, double
submissions stored and suggested as duplicates.

A chunk is one transaction, so SQLite's single write lock is never held for the whole file
(docs/decisions.md#import-chunks). The whole stays all or nothing: a commit that fails is undone
(``crm.data.imports.undoing``), and one interrupted is taken up again where it stopped (each
row's response is stored once: a UNIQUE submission token).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from crm.audit import operations as audit
from crm.core.extensions import db
from crm.data.imports.checking import submission_token
from crm.data.imports.operations import (
    ImportStateError,
    batch_rows,
    effective_mapping,
    known_countries,
)
from crm.data.imports.rows import RowCheck, check_row
from crm.data.models import ImportBatch, ImportRow
from crm.responses.intake import intake_response
from crm.responses.matching import email_key, find_same_practice
from crm.responses.models import Contact

logger = logging.getLogger(__name__)
#: The questionnaire version recorded on imported responses.
LEGACY_VERSION = "legacy"
#: Contact fields an import may change on an existing contact (restored by an undo).
CONTACT_FIELDS = (
    "name",
    "email",
    "role",
    "phone",
    "preferred_language",
    "permission_to_contact",
    "permission_changed_at",
)


class ImportRefused(ValueError):
    """The commit was refused: ``invalid`` rows have errors and skipping them was not chosen,
    or no row at all can be imported."""

    def __init__(self, invalid: int, total: int) -> None:
        super().__init__(f"{invalid} of {total} rows have errors")
        self.invalid = invalid
        self.total = total


def start_commit(batch: ImportBatch, *, skip_invalid: bool) -> None:
    """Begin the commit of a previewed batch: refused (ImportRefused) when some rows have
    errors and ``skip_invalid`` is false, or when no row can be imported; ImportStateError
    when it is not previewed. Sets status ``committing``; :func:`commit_rows` does the work."""
    db.session.refresh(batch, with_for_update=True)
    if batch.status != "previewed":
        raise ImportStateError(batch.status)
    counts = batch.preview.get("counts", {})
    invalid, importable = counts.get("invalid", 0), counts.get("valid", 0)
    if (invalid and not skip_invalid) or not importable:
        raise ImportRefused(invalid, counts.get("rows", 0))
    batch.status = "committing"
    batch.progress = {"step": "commit", "done": 0, "total": counts.get("rows", 0)}


def commit_rows(
    batch: ImportBatch,
    *,
    now: datetime | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Store every valid row not stored yet (source ``import``, the legacy consent with its
    own time, the row's timestamp or ``now``, UTC); ``on_chunk(done, total)`` after each chunk
    (the job commits there). Then status ``committed``: counts in ``result``, the rows' cells
    (personal data, now in the responses) emptied. Returns the counts."""
    now = now or datetime.now(UTC)
    mapping, known = effective_mapping(batch), known_countries()
    total, done = batch.progress.get("total", 0), 0
    for rows in batch_rows(batch):
        for row in rows:
            if row.stored is None and row.check and not row.check["errors"]:
                check = check_row(row.cells or [], mapping, index=row.position,
                                  row_number=row.n, known_countries=known, now=now)  # fmt: skip
                if not check.errors:
                    # Reads flush nothing (a flush per read was a third of the time): intake
                    # flushes once a row, when the next row's matching needs what it stored.
                    with db.session.no_autoflush:
                        row.stored = _store_row(batch, row, check, now)
        done += len(rows)
        db.session.flush()
        if on_chunk is not None:
            on_chunk(done, total)
    return _finish(batch, now)


def _store_row(
    batch: ImportBatch, row: ImportRow, check: RowCheck, now: datetime
) -> dict[str, Any]:
    """Take one row in; what it created or changed (or the response it was seen as)."""
    answers = check.answers
    practice = find_same_practice(
        answers["country"], answers["practice_name"], answers.get("city"), answers.get("email")
    )
    contact = _contact_before(practice.id, answers) if practice is not None else None
    before = {f: _jsonable(getattr(contact, f)) for f in CONTACT_FIELDS} if contact else None
    intake = intake_response(
        answers,
        language=check.language,
        submission_token=submission_token(batch, check),
        consent_at=check.consent_at or check.submitted_at or now,
        privacy_notice_version=None,
        source="import",
        submitted_at=check.submitted_at or now,
        questionnaire_version=LEGACY_VERSION,
        practice=practice,
        matched=True,
    )
    response = intake.response
    if not intake.created:
        return {"seen": response.id}
    if row.check.get("double"):
        # The same answers from the same person: staff confirm it in the inbox.
        response.suggested_practice_id, response.suggestion_score = response.practice_id, 100.0
    return {
        "response": response.id,
        "practice": response.practice_id,
        "practice_new": practice is None,
        "contact": response.contact_id,
        "contact_new": contact is None or contact.id != response.contact_id,
        "contact_before": before
        if contact is not None and contact.id == response.contact_id
        else None,
    }


def _contact_before(practice_id: int, answers: dict[str, Any]) -> Contact | None:
    """The practice's contact the import will update (``crm.responses.matching.upsert_contact``
    finds it the same way): the one with the row's email, else an email-less one of its name."""
    email = email_key(answers.get("email"))
    name = (answers.get("name") or "").strip().casefold()
    for contact in db.session.scalars(
        select(Contact).where(Contact.practice_id == practice_id, Contact.email_key == email)
        .order_by(Contact.id)
    ):  # fmt: skip
        if email or contact.name.casefold() == name:
            return contact
    return None


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _finish(batch: ImportBatch, now: datetime) -> dict[str, int]:
    """Count what was stored, empty the staged cells, mark the batch committed, audit."""
    counts = dict.fromkeys(
        ("imported", "already_imported", "skipped", "linked", "new", "double"), 0
    )
    for rows in batch_rows(batch):
        for row in rows:
            stored, check = row.stored or {}, row.check or {}
            if "response" in stored:
                counts["imported"] += 1
                counts["new" if stored["practice_new"] else "linked"] += 1
                counts["double"] += bool(check.get("double"))
            elif "seen" in stored or check.get("seen"):
                counts["already_imported"] += 1
            else:
                counts["skipped"] += 1
            row.cells = None
    batch.status, batch.committed_at, batch.result = "committed", now, counts
    batch.progress = {}
    audit.record(
        "import_batch.commit",
        "import_batch",
        batch.id,
        {"status": ["previewed", "committed"], **{k: [None, v] for k, v in counts.items()}},
    )
    db.session.flush()
    logger.info("import %s committed: %s", batch.id, counts)
    return counts
