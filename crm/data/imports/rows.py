"""Checking one row of an imported file into the answers it would store, or the errors that stop
it, under the staff's mapping of columns and values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from email_validator import EmailNotValidError, validate_email

from crm.core.i18n import country_code_for
from crm.data.imports.issues import Issue
from crm.data.imports.parsing import parse_timestamp, parse_whole_number
from crm.data.imports.targets import REQUIRED_TARGETS, TARGET_CHOICES, TARGETS
from crm.data.imports.values import BLANK_CODE, NO_EMAIL_VALUES, split_multi, value_key
from crm.responses import questionnaire
from crm.responses.matching import normalize_key


@dataclass
class RowCheck:
    """One row checked: the answers it would store, or the errors that stop it."""

    index: int
    row_number: int
    answers: dict[str, Any]
    language: str
    submitted_at: datetime | None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


def check_row(
    cells: Sequence[str],
    mapping: Mapping[str, Any],
    *,
    index: int = 0,
    row_number: int = 0,
    known_countries: frozenset[str] | set[str],
    now: datetime | None = None,
) -> RowCheck:
    """Answers of one row under ``mapping`` (``columns``: key → position, ``values``: key →
    {value key: code or BLANK_CODE}, ``language``: default response language, ``date_order``),
    with per-row errors: a required answer missing (practice name, country), a number not
    whole or out of ``questionnaire.NUMBER_BOUNDS``, text over ``TEXT_LIMITS``, a bad email,
    an unknown country (not among ``known_countries``, ISO codes), an unmapped closed answer,
    an unreadable timestamp or one more than a day after ``now`` (UTC; default: the clock)."""
    context = _Context(
        values=mapping.get("values", {}),
        date_order=mapping.get("date_order") or "dmy",
        known_countries=known_countries,
        now=now or datetime.now(UTC),
    )
    check = RowCheck(index, row_number, {}, mapping.get("language") or "en", None)
    for key, position in mapping.get("columns", {}).items():
        raw = cells[position].strip() if 0 <= position < len(cells) else ""
        if raw:
            _check_answer(check, key, raw, context)
    _check_whole_row(check, time_mapped="submitted_at" in mapping.get("columns", {}))
    if "language" in check.answers:
        check.language = check.answers.pop("language")
    return check


def _check_whole_row(check: RowCheck, *, time_mapped: bool) -> None:
    """Errors and warnings about the row as a whole: a required answer missing, no contact,
    no submission time where a column was mapped for it."""
    answers = check.answers
    for key in REQUIRED_TARGETS:
        if not answers.get(key) and not any(i.params.get("field") == key for i in check.errors):
            check.errors.append(Issue("missing", {"field": key}))
    if not answers.get("email") and not answers.get("name"):
        check.warnings.append(Issue("no_contact"))
    time_failed = any(i.params.get("field") == "submitted_at" for i in check.errors)
    if time_mapped and not (check.submitted_at or time_failed):
        check.warnings.append(Issue("no_timestamp"))


@dataclass(frozen=True)
class _Context:
    """What checking an answer needs beside the answer: the value mapping, the date order,
    the countries the CRM knows and the time of the check."""

    values: Mapping[str, Mapping[str, str]]
    date_order: str
    known_countries: frozenset[str] | set[str]
    now: datetime


def _check_answer(check: RowCheck, key: str, raw: str, context: _Context) -> None:
    """Read one non-blank cell as answer ``key``: store the value, or record the error."""
    kind = TARGETS.get(key, "")
    read = _READERS.get(kind)
    value = read(key, raw, context) if read else None
    if isinstance(value, Issue):
        check.errors.append(value)
    elif value is not None and kind == "datetime":
        check.submitted_at = value
    elif value is not None:
        check.answers[key] = value


def _read_text(key: str, raw: str, context: _Context) -> str | Issue:
    limit = questionnaire.TEXT_LIMITS.get(key, 5000)
    if len(raw) > limit:
        return Issue("too_long", {"field": key, "limit": limit})
    if key == "practice_name" and not normalize_key(raw):
        # As on the survey: punctuation alone has no matching key and would merge with
        # every such practice of its country.
        return Issue("no_letter_or_digit", {"field": key})
    return raw


def _read_email(key: str, raw: str, context: _Context) -> str | Issue | None:
    if value_key(raw) in NO_EMAIL_VALUES:
        return None
    try:
        validate_email(raw, check_deliverability=False)
    except EmailNotValidError:
        return Issue("bad_email", {"field": key, "value": raw[:100]})
    return raw


def _read_country(key: str, raw: str, context: _Context) -> str | Issue:
    code = country_code_for(raw)
    if code is None or code not in context.known_countries:
        return Issue("unknown_country", {"field": key, "value": raw[:100]})
    return code


def _read_number(key: str, raw: str, context: _Context) -> int | Issue:
    number = parse_whole_number(raw)
    low, high = questionnaire.NUMBER_BOUNDS[key]
    if number is None:
        return Issue("not_a_number", {"field": key, "value": raw[:100]})
    if not low <= number <= high:
        return Issue("out_of_range", {"field": key, "value": number, "low": low, "high": high})
    return number


def _read_timestamp(key: str, raw: str, context: _Context) -> datetime | Issue:
    parsed = parse_timestamp(raw, context.date_order)
    if parsed is None:
        return Issue("bad_date", {"field": key, "value": raw[:100]})
    if parsed > context.now + timedelta(days=1):
        return Issue("future_date", {"field": key, "value": raw[:100]})
    return parsed


def _read_closed(key: str, raw: str, context: _Context, *, multi: bool) -> Any:
    """The mapped code (a sorted list for a multiple choice, a boolean for the permission to
    contact), None when every item means no answer, or an Issue for an unmapped item."""
    values = context.values.get(key, {})
    codes = []
    for item in split_multi(raw) if multi else [raw]:
        code = values.get(value_key(item))
        if code is None:
            return Issue("unmapped_value", {"field": key, "value": item[:100]})
        if code != BLANK_CODE:
            codes.append(code)
    if not codes:
        return None
    if multi:
        return sorted(set(codes), key=TARGET_CHOICES[key].index)
    if key == "permission_to_contact":
        return codes[0] == "yes"
    return codes[0]


#: Kind of answer (``TARGETS``) → its reader: the value to store, None for no answer, or an
#: Issue.
_READERS: dict[str, Callable[[str, str, _Context], Any]] = {
    "text": _read_text,
    "email": _read_email,
    "country": _read_country,
    "number": _read_number,
    "datetime": _read_timestamp,
    "choice": partial(_read_closed, multi=False),
    "multi": partial(_read_closed, multi=True),
}
