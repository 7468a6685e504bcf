"""The preview (docs/domain.md#imports): every row of a batch checked under its mapping, a chunk
at a time, each with its errors and notices and what it would become: the practice it matches
(and by which rule), a row seen before (by the file's own submission id), or a double
submission (the same answers from the same person under another id).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from crm.core.extensions import db
from crm.data.imports.columns import heading_key
from crm.data.imports.issues import Issue, issues_as_json
from crm.data.imports.operations import (
    batch_rows,
    effective_mapping,
    known_countries,
    require_open,
)
from crm.data.imports.rows import RowCheck, check_row
from crm.data.models import ImportBatch, ImportRow
from crm.responses.matching import (
    city_key,
    email_key,
    find_same_practice,
    normalize_key,
    suggest_practice,
)
from crm.responses.models import Contact, SurveyResponse

#: A submission id at least this long is taken as unique across files (Kobo's ``_uuid``,
#: Qualtrics' ``ResponseId``); a shorter one (LimeSurvey's ``id`` 1, 2, 3…) only within files
#: with the same headings.
GLOBAL_ID_LENGTH = 8
#: Answers that say nothing about a double submission (the same person sends the same
#: answers): left out when two rows' answers are compared.
_NOT_COMPARED = ("consent", "permission_to_contact", "comments")


def submission_token(batch: ImportBatch, check: RowCheck) -> str:
    """The token a row's response is stored under (one response per token,
    docs/decisions.md#double-submits): from the file's own submission id when one is mapped
    (the same submission imported again is then seen), else the batch and the row."""
    if not check.source_id:
        return f"import-{batch.id}-{check.row_number}"
    position = batch.mapping.get("columns", {}).get("source_id")
    heading = heading_key(batch.columns[position]) if position is not None else ""
    scope = "" if len(check.source_id) >= GLOBAL_ID_LENGTH else batch.signature or ""
    digest = hashlib.sha256(f"{scope}\x1f{heading}\x1f{check.source_id}".encode()).hexdigest()
    return f"import:{digest[:57]}"


def _fingerprint(answers: dict[str, Any]) -> str:
    """Answers compared for a double submission (the same person, the same answers)."""
    kept = {k: v for k, v in answers.items() if k not in _NOT_COMPARED}
    return json.dumps(kept, sort_keys=True, ensure_ascii=False, default=str)


class _Matcher:
    """Matches preview rows against the CRM and against earlier rows of the same file."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str, str], int] = {}
        self.seen_emails: dict[str, int] = {}
        self.tokens: dict[str, int] = {}
        self.answers: dict[tuple[str, str], int] = {}

    def match(self, check: RowCheck) -> dict[str, Any]:
        """The row's match: ``{"kind": "in_file", "row"}`` (an earlier row of the file with
        the same country, name key and city, or the same email), ``existing`` (with
        ``practice_id``, ``name``, the ``rule`` that matched: ``name``, ``name_city`` or
        ``email``, and ``contact``: ``email`` or ``name`` when an existing contact is
        updated), ``suggested`` (a close name, with ``score`` 0–100), or ``new``
        (docs/domain.md#eligible-practices)."""
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
            return {"kind": "existing", "practice_id": practice.id, "name": practice.name,
                    **_rules(practice, name, city, email, answers.get("name"))}  # fmt: skip
        suggestion = suggest_practice(country, name)
        if suggestion is not None:
            practice, score = suggestion
            return {"kind": "suggested", "practice_id": practice.id, "name": practice.name,
                    "score": round(score)}  # fmt: skip
        return {"kind": "new"}

    def double(self, check: RowCheck, match: dict[str, Any]) -> dict[str, Any] | None:
        """An earlier submission of the same answers by the same person: ``{"row"}`` in the
        file, ``{"response"}`` in the CRM; None."""
        person = email_key(check.answers.get("email")) or normalize_key(check.answers.get("name"))
        if not person:
            return None
        fingerprint = (person, _fingerprint(check.answers))
        earlier = self.answers.setdefault(fingerprint, check.row_number)
        if earlier != check.row_number:
            return {"row": earlier}
        if match.get("kind") == "existing":
            for response in db.session.scalars(
                select(SurveyResponse).where(SurveyResponse.practice_id == match["practice_id"])
            ):
                same_person = email_key(response.answers.get("email")) == person or (
                    normalize_key(response.answers.get("name")) == person
                )
                if same_person and _fingerprint(response.answers) == fingerprint[1]:
                    return {"response": response.id}
        return None


def _rules(practice: Any, name: str, city: str | None, email: str, person: str | None) -> dict:
    """Which rule matched a practice, and which an existing contact."""
    if practice.name_key != normalize_key(name):
        rule = "email"
    elif city_key(city) and practice.city_key:
        rule = "name_city"
    else:
        rule = "name"
    contacts = db.session.scalars(select(Contact).where(Contact.practice_id == practice.id)).all()
    contact = None
    if email and any(c.email_key == email for c in contacts):
        contact = "email"
    elif (
        not email
        and person
        and any(
            not c.email_key and c.name.casefold() == person.strip().casefold() for c in contacts
        )
    ):
        contact = "name"
    return {"rule": rule, "contact": contact}


def _existing_tokens(tokens: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(tokens))
    if not wanted:
        return {}
    rows = db.session.execute(
        select(SurveyResponse.submission_token, SurveyResponse.id).where(
            SurveyResponse.submission_token.in_(wanted)
        )
    )
    return {token: response_id for token, response_id in rows}


def check_import(
    batch: ImportBatch,
    *,
    now: datetime | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Check every row under the batch's mapping and store each row's preview
    (``import_rows.check``) and the counts (``batch.preview``); status ``previewed``.
    ``on_chunk(done, total)`` is called after each chunk (the job commits there and reports
    progress). Returns the counts."""
    require_open(batch)
    now = now or datetime.now(UTC)
    mapping, known = effective_mapping(batch), known_countries()
    matcher, total = _Matcher(), batch.reading.get("rows", 0)
    counts = dict.fromkeys(
        ("rows", "valid", "invalid", "warnings", "seen", "double", "existing", "suggested",
         "in_file", "new"), 0
    )  # fmt: skip
    done, notable = 0, []
    for rows in batch_rows(batch):
        checks = [check_row(row.cells or [], mapping, index=row.position, row_number=row.n,
                            known_countries=known, now=now) for row in rows]  # fmt: skip
        tokens = {c.row_number: submission_token(batch, c) for c in checks}
        stored = _existing_tokens(t for n, t in tokens.items() if not t.startswith("import-"))
        # The matching reads only the CRM, never the previews written here: they are flushed
        # together at the chunk's end rather than one by one before each read.
        with db.session.no_autoflush:
            for row, check in zip(rows, checks, strict=True):
                row.check = _row_preview(check, matcher, tokens[check.row_number], stored)
                _count(counts, row.check)
                if row.check["errors"] or row.check["warnings"]:
                    notable.append(row.position)
        done += len(rows)
        db.session.flush()
        if on_chunk is not None:
            on_chunk(done, total)
    batch.preview = {"counts": counts, "notable": notable}
    batch.status = "previewed"
    return counts


def _row_preview(
    check: RowCheck, matcher: _Matcher, token: str, stored: dict[str, int]
) -> dict[str, Any]:
    """What the preview shows of one row."""
    seen: dict[str, Any] | None = None
    if token in stored:
        seen = {"response": stored[token]}
        check.warnings.insert(0, Issue("seen_before", {"value": check.source_id}))
    elif not token.startswith("import-"):
        earlier = matcher.tokens.setdefault(token, check.row_number)
        if earlier != check.row_number:
            seen = {"row": earlier}
            check.warnings.insert(
                0, Issue("seen_in_file", {"value": check.source_id, "row": earlier})
            )
    match = double = None
    if not check.errors and seen is None:
        match = matcher.match(check)
        double = matcher.double(check, match)
        if double is not None:
            check.warnings.append(Issue("double_submission", {"row": double.get("row")}))
    return {
        "practice_name": check.answers.get("practice_name", ""),
        "country": check.answers.get("country", ""),
        "city": check.answers.get("city", ""),
        "errors": issues_as_json(check.errors),
        "warnings": issues_as_json(check.warnings),
        "match": match,
        "seen": seen,
        "double": double,
    }


def _count(counts: dict[str, int], preview: dict[str, Any]) -> None:
    counts["rows"] += 1
    if preview["errors"]:
        counts["invalid"] += 1
    elif preview["seen"]:
        counts["seen"] += 1
    else:
        counts["valid"] += 1
    counts["warnings"] += bool(preview["warnings"])
    counts["double"] += bool(preview["double"])
    if preview["match"]:
        counts[preview["match"]["kind"]] += 1


def preview_rows(
    batch: ImportBatch, *, only_notable: bool, page: int, per_page: int
) -> tuple[list[ImportRow], int]:
    """A page (1-based) of the preview's rows in file order, with errors or notices only when
    ``only_notable``, and how many such rows there are."""
    notable = batch.preview.get("notable", [])
    total = len(notable) if only_notable else batch.preview.get("counts", {}).get("rows", 0)
    start = (page - 1) * per_page
    statement = select(ImportRow).where(ImportRow.batch_id == batch.id)
    if only_notable:
        positions = notable[start : start + per_page]
        statement = statement.where(ImportRow.position.in_(positions))
    else:
        statement = statement.where(
            ImportRow.position >= start, ImportRow.position < start + per_page
        )
    return list(db.session.scalars(statement.order_by(ImportRow.position))), total


def start_check(batch: ImportBatch) -> None:
    """Mark the batch as being checked (status ``checking``); :func:`check_import` does the
    work. Raises ImportStateError once it is being committed or committed."""
    require_open(batch)
    batch.status = "checking"
    batch.progress = {"step": "check", "done": 0, "total": batch.reading.get("rows", 0)}
    db.session.flush()
