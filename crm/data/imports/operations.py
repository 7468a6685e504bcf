"""The import's steps (docs/architecture.md#data): stage an uploaded file, save the staff's
column and value mapping, check every row for the preview, then commit all-or-nothing.

The parsed table and the mapping live in ``import_batches`` between steps, so any web process can
serve the next one. Each operation changes state, records an audit event, flushes and returns;
the view commits once. Rows enter the CRM only through
``crm.responses.intake.intake_response``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import PureWindowsPath
from typing import Any

from sqlalchemy import delete, select

from crm.audit import operations as audit
from crm.core.extensions import db
from crm.countries.models import Country
from crm.data.imports.columns import suggest_columns
from crm.data.imports.files import Table, read_table
from crm.data.imports.issues import ImportLimits, issues_as_json
from crm.data.imports.parsing import DATE_ORDERS, detect_date_order
from crm.data.imports.rows import RowCheck, check_row
from crm.data.imports.targets import CLOSED_KINDS, REQUIRED_TARGETS, TARGET_CHOICES, TARGETS
from crm.data.imports.values import BLANK_CODE, distinct_values, suggest_values
from crm.data.models import ImportBatch
from crm.responses.intake import intake_response
from crm.responses.matching import (
    city_key,
    email_key,
    find_same_practice,
    normalize_key,
    suggest_practice,
)

logger = logging.getLogger(__name__)


class ImportStateError(RuntimeError):
    """The batch is not at a step where this operation applies (e.g. already committed)."""


class ImportRefused(ValueError):
    """The commit was refused: ``invalid`` rows have errors and skipping them was not chosen,
    or no row at all can be imported (``invalid`` equals the number of rows)."""

    def __init__(self, invalid: int, total: int) -> None:
        super().__init__(f"{invalid} of {total} rows have errors")
        self.invalid = invalid
        self.total = total


def stage_import(
    filename: str,
    content: bytes,
    *,
    header_rows: int | None,
    language: str,
    limits: ImportLimits,
    created_by_id: int | None,
    keep_days: int = 7,
    now: datetime | None = None,
) -> ImportBatch:
    """Read the uploaded file and keep it as a new batch with suggested mappings.

    ``header_rows`` forces the number of heading rows (None: detect); ``language`` is the
    default response language (en/es/pt_BR). Raises
    ``crm.data.imports.issues.ImportFileError`` (nothing is stored). Uncommitted batches
    created more than ``keep_days`` days before ``now`` (UTC) are deleted on the way.
    """
    now = now or datetime.now(UTC)
    table = read_table(content, header_rows=header_rows, limits=limits)
    discard_stale_imports(now - timedelta(days=keep_days))
    batch = _new_batch(table, _safe_filename(filename), language, created_by_id)
    db.session.add(batch)
    db.session.flush()
    audit.record(
        "import_batch.create",
        "import_batch",
        batch.id,
        {
            "filename": [None, batch.filename],
            "rows": [None, len(table.rows)],
            "columns": [None, len(table.columns)],
        },
    )
    logger.info(
        "import %s staged: %d rows × %d columns",
        batch.id,
        len(table.rows),
        len(batch.mapping["columns"]),
    )
    return batch


def _safe_filename(filename: str) -> str:
    """The upload's own name without its folders; control characters (a NUL, which
    PostgreSQL refuses) never belong in a file name. At most 255 characters."""
    name = "".join(c for c in PureWindowsPath(filename).name if c.isprintable())
    return (name or "upload")[:255]


def _new_batch(
    table: Table, filename: str, language: str, created_by_id: int | None
) -> ImportBatch:
    """A batch holding the table as read, with the suggested column and value mappings."""
    columns = suggest_columns(table.columns, table.rows)
    return ImportBatch(
        created_by_id=created_by_id,
        filename=filename,
        status="uploaded",
        reading={**table.reading(), "rows": len(table.rows)},
        columns=table.columns,
        rows=[
            {"n": n, "cells": cells} for n, cells in zip(table.row_numbers, table.rows, strict=True)
        ],
        mapping={
            "columns": columns,
            "values": suggest_values(table.rows, columns),
            "language": language,
            "date_order": "auto",
        },
    )


def map_columns(
    batch: ImportBatch,
    columns: Mapping[str, int],
    *,
    language: str,
    date_order: str,
    now: datetime | None = None,
) -> ImportBatch:
    """Save which column holds which answer key (``TARGETS``), the default response language and
    the date order (``auto``, ``dmy``, ``mdy``). Value mappings of columns that stay mapped are
    kept; newly mapped closed columns get suggestions. With no closed question mapped, the rows
    are checked at once (status ``previewed``); otherwise the values step follows (``mapped``).

    Raises ValueError for an unknown key, a position outside the table, a column used twice
    or a missing required key (practice name, country); ImportStateError once committed.
    """
    _require_open(batch)
    _validate_columns(columns, len(batch.columns), date_order)
    before = dict(batch.mapping)
    old_columns = before.get("columns", {})
    values = _kept_values(batch, columns)
    batch.mapping = {
        "columns": dict(columns),
        "values": values,
        "language": language,
        "date_order": date_order,
    }
    batch.status = "mapped"
    audit.record(
        "import_batch.map",
        "import_batch",
        batch.id,
        audit.diff(
            {"columns": old_columns, "language": before.get("language")},
            {"columns": dict(columns), "language": language},
        ),
    )
    if not values:
        check_import(batch, now=now)
    db.session.flush()
    return batch


def _validate_columns(columns: Mapping[str, int], width: int, date_order: str) -> None:
    """Raise ValueError unless ``columns`` maps known answer keys to distinct positions of a
    table ``width`` columns wide, the required keys among them, and the date order is known."""
    if set(columns) - set(TARGETS):
        raise ValueError("unknown answer key")
    if any(not 0 <= p < width for p in columns.values()):
        raise ValueError("column position outside the table")
    if len(set(columns.values())) != len(columns):
        raise ValueError("a column is mapped twice")
    if missing := [key for key in REQUIRED_TARGETS if key not in columns]:
        raise ValueError(f"required answer keys not mapped: {', '.join(missing)}")
    if date_order not in ("auto", *DATE_ORDERS):
        raise ValueError("unknown date order")


def _kept_values(batch: ImportBatch, columns: Mapping[str, int]) -> dict[str, Any]:
    """The value mapping of each closed question ``columns`` maps: the saved one where the
    question stays on the same column, else the suggested one."""
    old_columns = batch.mapping.get("columns", {})
    old_values = batch.mapping.get("values", {})
    suggested = suggest_values([row["cells"] for row in batch.rows], columns)
    return {
        key: old_values[key]
        if old_columns.get(key) == position and key in old_values
        else suggested.get(key, {})
        for key, position in columns.items()
        if TARGETS[key] in CLOSED_KINDS
    }


def closed_columns(batch: ImportBatch) -> list[dict[str, Any]]:
    """For the values step: each mapped closed question with its distinct answers, as
    ``{"key", "position", "heading", "multi", "values": [(value key, raw, count, code)]}``;
    ``code`` is the saved or suggested mapping, None when unmapped."""
    rows = [row["cells"] for row in batch.rows]
    saved = batch.mapping.get("values", {})
    found = []
    for key, position in batch.mapping.get("columns", {}).items():
        if TARGETS[key] not in CLOSED_KINDS:
            continue
        multi = TARGETS[key] == "multi"
        values = [
            (normalized, raw, count, saved.get(key, {}).get(normalized))
            for normalized, raw, count in distinct_values(rows, position, multi=multi)
        ]
        found.append(
            {
                "key": key,
                "position": position,
                "heading": batch.columns[position],
                "multi": multi,
                "values": values,
            }
        )
    return found


def map_values(
    batch: ImportBatch,
    values: Mapping[str, Mapping[str, str | None]],
    *,
    now: datetime | None = None,
) -> ImportBatch:
    """Save, per closed question, which of our codes each answer of the file means (``None``:
    unmapped, a per-row error; ``BLANK_CODE``: no answer), then check every row.

    Raises ValueError for a code not allowed for its question; ImportStateError once committed.
    """
    _require_open(batch)
    mapped = batch.mapping.get("columns", {})
    cleaned: dict[str, dict[str, str]] = {}
    for key, answers in values.items():
        if key not in mapped or TARGETS[key] not in CLOSED_KINDS:
            raise ValueError(f"{key} is not a mapped closed question")
        allowed = {*TARGET_CHOICES[key], BLANK_CODE}
        if any(code is not None and code not in allowed for code in answers.values()):
            raise ValueError(f"unknown code for {key}")
        cleaned[key] = {v: code for v, code in answers.items() if code is not None}
    before = batch.mapping.get("values", {})
    batch.mapping = {**batch.mapping, "values": cleaned}
    audit.record(
        "import_batch.map_values",
        "import_batch",
        batch.id,
        audit.diff({"values": before}, {"values": cleaned}),
    )
    check_import(batch, now=now)
    db.session.flush()
    return batch


def effective_mapping(batch: ImportBatch) -> dict[str, Any]:
    """The batch's mapping with ``date_order: auto`` resolved from the timestamp column."""
    mapping = dict(batch.mapping)
    if mapping.get("date_order", "auto") == "auto":
        position = mapping.get("columns", {}).get("submitted_at")
        values = (row["cells"][position] for row in batch.rows) if position is not None else ()
        mapping["date_order"] = detect_date_order(values)
    return mapping


def check_rows(batch: ImportBatch, *, now: datetime | None = None) -> list[RowCheck]:
    """Every row of the batch checked under its mapping (no database writes)."""
    mapping = effective_mapping(batch)
    known = frozenset(db.session.scalars(select(Country.code)))
    now = now or datetime.now(UTC)
    return [
        check_row(
            row["cells"], mapping, index=i, row_number=row["n"], known_countries=known, now=now
        )
        for i, row in enumerate(batch.rows)
    ]


def check_import(batch: ImportBatch, *, now: datetime | None = None) -> dict[str, Any]:
    """Check every row and store the preview: per row its errors, warnings and whether it
    matches an existing practice (``find_same_practice``, docs/domain.md#eligible-practices),
    only resembles one (``suggest_practice``), repeats an earlier row of the file, or makes a
    new practice. Sets status ``previewed``; returns the preview's counts."""
    _require_open(batch)
    checks = check_rows(batch, now=now)
    matcher = _PracticeMatcher()
    rows = []
    for check in checks:
        entry: dict[str, Any] = {
            "n": check.row_number,
            "practice_name": check.answers.get("practice_name", ""),
            "country": check.answers.get("country", ""),
            "city": check.answers.get("city", ""),
            "errors": issues_as_json(check.errors),
            "warnings": issues_as_json(check.warnings),
            "match": None if check.errors else matcher.match(check),
        }
        rows.append(entry)
    kinds = [r["match"]["kind"] for r in rows if r["match"]]
    counts = {
        "rows": len(rows),
        "valid": sum(1 for r in rows if not r["errors"]),
        "invalid": sum(1 for r in rows if r["errors"]),
        "warnings": sum(1 for r in rows if r["warnings"]),
        **{kind: kinds.count(kind) for kind in ("existing", "suggested", "in_file", "new")},
    }
    batch.preview = {"counts": counts, "rows": rows}
    batch.status = "previewed"
    return counts


class _PracticeMatcher:
    """Matches preview rows against the CRM and against earlier rows of the same file."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str, str], int] = {}
        self.seen_emails: dict[str, int] = {}

    def match(self, check: RowCheck) -> dict[str, Any]:
        """The row's match: ``{"kind": "in_file", "row"}`` (an earlier row of the file with
        the same country, name key and city, or the same email), ``existing`` or
        ``suggested`` (with ``practice_id``, ``name``, and ``score`` 0–100 for a suggestion),
        or ``new``."""
        answers = check.answers
        country, name = answers["country"], answers["practice_name"]
        city, email = answers.get("city"), email_key(answers.get("email"))
        key = (country, normalize_key(name), city_key(city))
        earlier = self.seen.get(key) or (self.seen_emails.get(email) if email else None)
        self.seen.setdefault(key, check.row_number)
        if email:
            self.seen_emails.setdefault(email, check.row_number)
        if earlier is not None:
            return {"kind": "in_file", "row": earlier}
        practice = find_same_practice(country, name, city, email or None)
        if practice is not None:
            return {"kind": "existing", "practice_id": practice.id, "name": practice.name}
        suggestion = suggest_practice(country, name)
        if suggestion is not None:
            practice, score = suggestion
            return {
                "kind": "suggested",
                "practice_id": practice.id,
                "name": practice.name,
                "score": round(score),
            }
        return {"kind": "new"}


def commit_import(
    batch: ImportBatch, *, skip_invalid: bool, now: datetime | None = None
) -> dict[str, int]:
    """Store every valid row through ``intake_response`` (source ``import``, no consent record,
    submission token ``import-<batch>-<row>``, the row's timestamp or ``now``, UTC), all in the
    caller's transaction: the caller commits once, or rolls back and nothing is stored.

    Rows are checked again first. Raises ImportRefused when some rows have errors and
    ``skip_invalid`` is false, or when no row is valid; ImportStateError when the batch was
    not previewed or is already committed. The staged rows and per-row preview are emptied
    once committed. Returns the counts stored in ``result``.
    """
    _lock_previewed(batch)
    now = now or datetime.now(UTC)
    checks = check_rows(batch, now=now)
    invalid = sum(1 for check in checks if check.errors)
    if (invalid and not skip_invalid) or invalid == len(checks):
        raise ImportRefused(invalid, len(checks))
    counts = {"imported": 0, "already_imported": 0, "skipped": invalid, "linked": 0, "new": 0}
    for check in checks:
        if not check.errors:
            _store_row(batch, check, counts, now)
    batch.status, batch.committed_at, batch.result = "committed", now, counts
    # The rows hold personal data, now kept in the responses: the staged copies go.
    batch.rows, batch.preview = [], {"counts": batch.preview.get("counts", {})}
    audit.record(
        "import_batch.commit",
        "import_batch",
        batch.id,
        {"status": ["previewed", "committed"], **{k: [None, v] for k, v in counts.items()}},
    )
    db.session.flush()
    logger.info("import %s committed: %s", batch.id, counts)
    return counts


def _lock_previewed(batch: ImportBatch) -> None:
    """Reload the batch locked for update (two commits of one batch wait for each other);
    raise ImportStateError unless it is previewed."""
    db.session.refresh(batch, with_for_update=True)
    if batch.status == "committed":
        raise ImportStateError("already committed")
    if batch.status != "previewed":
        raise ImportStateError("not previewed")


def _store_row(batch: ImportBatch, check: RowCheck, counts: dict[str, int], now: datetime) -> None:
    """Take one valid row in as a response and count what happened to it: ``imported``
    (``linked`` to a practice or ``new``) or ``already_imported`` (its token exists)."""
    intake = intake_response(
        check.answers,
        language=check.language,
        submission_token=f"import-{batch.id}-{check.row_number}",
        consent_at=None,
        privacy_notice_version=None,
        source="import",
        submitted_at=check.submitted_at or now,
    )
    if not intake.created:
        counts["already_imported"] += 1
        return
    counts["imported"] += 1
    counts["linked" if intake.response.triage_status == "linked" else "new"] += 1


def discard_import(batch: ImportBatch) -> None:
    """Delete a staged batch that was not committed (its rows with it)."""
    _require_open(batch)
    audit.record(
        "import_batch.discard", "import_batch", batch.id, {"filename": [batch.filename, None]}
    )
    db.session.delete(batch)
    db.session.flush()


def discard_stale_imports(before: datetime) -> int:
    """Delete uncommitted batches created before ``before`` (abandoned uploads hold personal
    data); returns how many were deleted."""
    result = db.session.execute(
        delete(ImportBatch).where(
            ImportBatch.status != "committed", ImportBatch.created_at < before
        )
    )
    return result.rowcount or 0


def _require_open(batch: ImportBatch) -> None:
    if batch.status == "committed":
        raise ImportStateError("already committed")
