"""The import's first steps (docs/domain.md#imports): stage an uploaded file, save the staff's
mapping of columns (or fixed values, or one column per option) and of answers, discard.

The parsed rows live in ``import_rows`` and the mapping in ``import_batches`` between steps, so
any web process can serve the next one. Each operation changes state, records an audit event,
flushes and returns; the view commits once. Checking the rows (``checking``), committing them
(``committing``) and undoing a commit (``undoing``) follow.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import PureWindowsPath
from typing import Any

from sqlalchemy import delete, insert, select

from crm.audit import operations as audit
from crm.core.extensions import db
from crm.countries.models import Country
from crm.data.imports.columns import suggest_columns, suggest_options
from crm.data.imports.files import Table, read_table
from crm.data.imports.issues import ImportLimits, Issue
from crm.data.imports.language import guess_language
from crm.data.imports.numbers import EXACT, read_number
from crm.data.imports.parsing import DATE_ORDERS, detect_date_order, parse_whole_number
from crm.data.imports.rows import NOT_KNOWN_CODE, check_row
from crm.data.imports.targets import (
    CLOSED_KINDS,
    REQUIRED_TARGETS,
    TARGET_CHOICES,
    TARGETS,
)
from crm.data.imports.templates import signature, template_for, template_mapping
from crm.data.imports.values import BLANK_CODE, distinct_values, known_labels, suggest_values
from crm.data.models import ImportBatch, ImportRow
from crm.responses import questionnaire

logger = logging.getLogger(__name__)
#: Rows read from ``import_rows`` at a time.
CHUNK = 1000


class ImportStateError(RuntimeError):
    """The batch is not at a step where this operation applies (e.g. already committed)."""


class MappingError(ValueError):
    """A mapping that cannot be used; ``field`` names the target (or None), ``code`` says why:
    ``unknown_key``, ``bad_position``, ``twice``, ``required``, ``date_order``, ``fixed``."""

    def __init__(self, code: str, field: str | None = None) -> None:
        super().__init__(f"{code}: {field}")
        self.code, self.field = code, field


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
    """Read the uploaded file and keep it as a new batch with a proposed mapping: a saved
    template's when one matches its headings, else the suggestions, with the language guessed
    from its headings and answers (``language``, the reader's, when nothing tells).

    ``header_rows`` forces the number of heading rows (None: detect). Raises
    ``crm.data.imports.issues.ImportFileError`` (nothing is stored). Uncommitted batches
    created more than ``keep_days`` days before ``now`` (UTC) are deleted on the way.
    """
    now = now or datetime.now(UTC)
    table = read_table(content, header_rows=header_rows, limits=limits)
    discard_stale_imports(now - timedelta(days=keep_days))
    batch = _new_batch(table, _safe_filename(filename), language, created_by_id)
    db.session.add(batch)
    db.session.flush()
    _store_rows(batch, table)
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
        "import %s staged: %d rows × %d columns", batch.id, len(table.rows), len(table.columns)
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
    """A batch holding how the table was read and its proposed mapping."""
    guessed = guess_language(table.columns, table.rows)
    template = template_for(table.columns)
    if template is not None:
        mapping = {
            **{part: {} for part in ("columns", "options", "fixed", "values")},
            "language": guessed or language,
            "date_order": "auto",
            **template_mapping(template),
        }
        # Answers this file has that the template's file had not: suggested as usual.
        suggested = suggest_values(table.rows, mapping["columns"])
        mapping["values"] = {
            key: {**suggested.get(key, {}), **mapping["values"].get(key, {})}
            for key in {*suggested, *mapping["values"]}
        }
    else:
        options = suggest_options(table.columns)
        taken = {p for chosen in options.values() for p in chosen.values()}
        columns = suggest_columns(table.columns, table.rows, taken=taken)
        mapping = {
            "columns": columns,
            "options": {
                key: {code: p for code, p in chosen.items()} for key, chosen in options.items()
            },
            "fixed": {},
            "values": suggest_values(table.rows, columns),
            "language": guessed or language,
            "date_order": "auto",
        }
    return ImportBatch(
        created_by_id=created_by_id,
        filename=filename,
        status="uploaded",
        reading={
            **table.reading(),
            "rows": len(table.rows),
            "guessed_language": guessed,
            "template": template.name if template is not None else None,
        },  # fmt: skip
        columns=table.columns,
        rows=[],
        mapping=mapping,
        signature=signature(table.columns),
        template_id=template.id if template is not None else None,
    )


def _store_rows(batch: ImportBatch, table: Table) -> None:
    """The table's rows into ``import_rows``, a chunk per INSERT."""
    rows = [
        {"batch_id": batch.id, "position": i, "n": n, "cells": cells}
        for i, (n, cells) in enumerate(zip(table.row_numbers, table.rows, strict=True))
    ]
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(ImportRow), rows[start : start + CHUNK])


def batch_rows(batch: ImportBatch, *, chunk: int = CHUNK) -> Iterator[list[ImportRow]]:
    """The batch's rows in file order, ``chunk`` at a time (keyset on position)."""
    last = -1
    while True:
        rows = db.session.scalars(
            select(ImportRow)
            .where(ImportRow.batch_id == batch.id, ImportRow.position > last)
            .order_by(ImportRow.position)
            .limit(chunk)
        ).all()
        if not rows:
            return
        last = rows[-1].position
        yield list(rows)


def batch_cells(batch: ImportBatch) -> Iterator[list[str]]:
    """Each row's cells, in file order."""
    for rows in batch_rows(batch):
        for row in rows:
            yield row.cells or []


def map_columns(
    batch: ImportBatch,
    columns: Mapping[str, int],
    *,
    options: Mapping[str, Mapping[str, int]] | None = None,
    fixed: Mapping[str, Any] | None = None,
    language: str,
    date_order: str,
) -> bool:
    """Save which column holds which answer key (``TARGETS``), which answers take a fixed value
    for every row (``fixed``: key → code, ISO country, text or number), which columns hold
    one option each of a multiple choice (``options``: key → {code: position}), the default
    response language and the date order (``auto``, ``dmy``, ``mdy``). Value mappings of
    columns that stay mapped are kept; newly mapped columns get suggestions.

    Returns whether a values step follows (status ``mapped``): a closed question or a number
    typed in words is mapped to a column; otherwise the rows are to be checked at once.
    Raises MappingError; ImportStateError once committed.
    """
    require_open(batch)
    options = {k: {c: int(p) for c, p in v.items()} for k, v in (options or {}).items() if v}
    fixed = {k: v for k, v in (fixed or {}).items() if v not in (None, "")}
    _validate_mapping(columns, options, fixed, len(batch.columns), date_order)
    before = dict(batch.mapping)
    values = _kept_values(batch, columns)
    batch.mapping = {
        "columns": dict(columns),
        "options": options,
        "fixed": fixed,
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
            {k: before.get(k) for k in ("columns", "fixed", "language")},
            {"columns": dict(columns), "fixed": fixed, "language": language},
        ),
    )
    db.session.flush()
    return bool(value_questions(batch))


def _validate_mapping(
    columns: Mapping[str, int],
    options: Mapping[str, Mapping[str, int]],
    fixed: Mapping[str, Any],
    width: int,
    date_order: str,
) -> None:
    """Raise MappingError unless every key is known, every position lies in a table ``width``
    columns wide and is used once, every required key has a column or a fixed value, every
    fixed value is one the key takes, and the date order is known."""
    keys = set(columns) | set(options) | set(fixed)
    if unknown := keys - set(TARGETS):
        raise MappingError("unknown_key", sorted(unknown)[0])
    positions = [*columns.values(), *(p for chosen in options.values() for p in chosen.values())]
    if any(not 0 <= p < width for p in positions):
        raise MappingError("bad_position")
    if len(set(positions)) != len(positions):
        raise MappingError("twice")
    for key in REQUIRED_TARGETS:
        if key not in columns and key not in fixed:
            raise MappingError("required", key)
    for key, chosen in options.items():
        if TARGETS[key] != "multi" or set(chosen) - set(TARGET_CHOICES[key]):
            raise MappingError("unknown_key", key)
    for key, value in fixed.items():
        if fixed_value_problem(key, value) is not None:
            raise MappingError("fixed", key)
    if date_order not in ("auto", *DATE_ORDERS):
        raise MappingError("date_order")


def fixed_value_problem(key: str, value: Any) -> Any:
    """None when ``value`` can be every row's answer ``key``; else the Issue a row would get
    (an unknown country, a number out of range, a code not allowed…)."""
    text = str(value).strip()
    if key == "source_id":
        return Issue("not_fixed", {"field": key})
    if TARGETS.get(key) == "number" and parse_whole_number(text) is None:
        return Issue("not_a_number", {"field": key, "value": text[:100]})
    check = check_row(
        [text], {"columns": {key: 0}, "values": {}}, known_countries=known_countries()
    )
    return next((issue for issue in check.errors if issue.params.get("field") == key), None)


def known_countries() -> frozenset[str]:
    """The ISO codes of the countries the CRM knows."""
    return frozenset(db.session.scalars(select(Country.code)))


def _kept_values(batch: ImportBatch, columns: Mapping[str, int]) -> dict[str, Any]:
    """The value mapping of each question ``columns`` maps to a column: the saved one where
    the question stays on the same column, else the suggested one."""
    old_columns = batch.mapping.get("columns", {})
    old_values = batch.mapping.get("values", {})
    changed = {k: p for k, p in columns.items() if old_columns.get(k) != p or k not in old_values}
    suggested = suggest_values(list(batch_cells(batch)), changed) if changed else {}
    return {
        key: old_values[key] if key not in changed else suggested.get(key, {})
        for key in columns
        if TARGETS[key] in CLOSED_KINDS or (TARGETS[key] == "number" and key in old_values)
    }


def value_questions(batch: ImportBatch) -> list[dict[str, Any]]:
    """The values step: each closed question mapped to a column with its distinct answers,
    and each number mapped to a column whose answers are not all whole numbers, with the
    answers typed otherwise. ``{"key", "position", "heading", "kind" ("choice", "multi",
    "number"), "values": [(value key, raw, count, code or number, how read)]}``; the saved
    mapping, else the suggestion, is the preset (None: unmapped; for a number, not known)."""
    rows = list(batch_cells(batch))
    saved = batch.mapping.get("values", {})
    found = []
    for key, position in batch.mapping.get("columns", {}).items():
        kind = TARGETS[key]
        if kind in CLOSED_KINDS:
            multi = kind == "multi"
            known = known_labels(key) if multi else ()
            values = [
                (normalized, raw, count, saved.get(key, {}).get(normalized), None)
                for normalized, raw, count in distinct_values(
                    rows, position, multi=multi, known=known
                )
            ]
        elif kind == "number":
            values = _number_values(rows, position, saved.get(key, {}))
            if not values:
                continue
        else:
            continue
        found.append({"key": key, "position": position, "heading": batch.columns[position],
                      "kind": kind, "values": values})  # fmt: skip
    return found


def _number_values(rows: list[list[str]], position: int, saved: Mapping[str, Any]) -> list[tuple]:
    """The answers of a number column that are not whole numbers, each with the saved or
    suggested number (None: not known) and how it was read."""
    found = []
    for normalized, raw, count in distinct_values(rows, position, multi=False, limit=1000):
        reading = read_number(raw)
        if reading.how == EXACT:
            continue
        chosen = saved.get(
            normalized, reading.value if reading.value is not None else NOT_KNOWN_CODE
        )
        found.append(
            (normalized, raw, count, None if chosen == NOT_KNOWN_CODE else chosen, reading.how)
        )
    return found[:200]


def map_values(batch: ImportBatch, values: Mapping[str, Mapping[str, Any]]) -> ImportBatch:
    """Save, per question, what each answer of the file means: for a closed question one of
    our codes (``None``: unmapped, a per-row error; ``BLANK_CODE``: no answer); for a number,
    a whole number in its bounds or None (not known).

    Raises MappingError (``code``: the question's key in ``field``); ImportStateError once
    committed.
    """
    require_open(batch)
    mapped = batch.mapping.get("columns", {})
    cleaned: dict[str, dict[str, Any]] = {}
    for key, answers in values.items():
        if key not in mapped:
            raise MappingError("unknown_key", key)
        if TARGETS[key] == "number":
            cleaned[key] = _number_answers(key, answers)
            continue
        allowed = {*TARGET_CHOICES.get(key, ()), BLANK_CODE}
        if TARGETS[key] not in CLOSED_KINDS or any(
            code is not None and code not in allowed for code in answers.values()
        ):
            raise MappingError("unknown_key", key)
        cleaned[key] = {v: code for v, code in answers.items() if code is not None}
    before = batch.mapping.get("values", {})
    batch.mapping = {**batch.mapping, "values": {**before, **cleaned}}
    audit.record(
        "import_batch.map_values",
        "import_batch",
        batch.id,
        audit.diff({"values": before}, {"values": batch.mapping["values"]}),
    )
    db.session.flush()
    return batch


def _number_answers(key: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    low, high = questionnaire.NUMBER_BOUNDS[key]
    cleaned: dict[str, Any] = {}
    for value, number in answers.items():
        if number is None:
            cleaned[value] = NOT_KNOWN_CODE
        elif isinstance(number, int) and low <= number <= high:
            cleaned[value] = number
        else:
            raise MappingError("fixed", key)
    return cleaned


def effective_mapping(batch: ImportBatch) -> dict[str, Any]:
    """The batch's mapping with ``date_order: auto`` resolved from the timestamp column."""
    mapping = dict(batch.mapping)
    if mapping.get("date_order", "auto") == "auto":
        position = mapping.get("columns", {}).get("submitted_at")
        cells = (row[position] for row in batch_cells(batch)) if position is not None else ()
        mapping["date_order"] = detect_date_order(cells)
    return mapping


def discard_import(batch: ImportBatch) -> None:
    """Delete a staged batch that was not committed (its rows with it)."""
    require_open(batch)
    audit.record(
        "import_batch.discard", "import_batch", batch.id, {"filename": [batch.filename, None]}
    )
    db.session.execute(delete(ImportRow).where(ImportRow.batch_id == batch.id))
    db.session.delete(batch)
    db.session.flush()


def discard_stale_imports(before: datetime) -> int:
    """Delete uncommitted batches created before ``before`` (abandoned uploads hold personal
    data); returns how many were deleted."""
    stale = select(ImportBatch.id).where(
        ImportBatch.status.in_(("uploaded", "mapped", "previewed")),
        ImportBatch.created_at < before,
    )
    db.session.execute(delete(ImportRow).where(ImportRow.batch_id.in_(stale)))
    result = db.session.execute(delete(ImportBatch).where(ImportBatch.id.in_(stale)))
    return result.rowcount or 0


def require_open(batch: ImportBatch) -> None:
    """Raise ImportStateError once the batch is being committed, committed or undone."""
    if batch.status in ("committing", "committed", "undone"):
        raise ImportStateError("already committed")
