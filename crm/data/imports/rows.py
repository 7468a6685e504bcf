"""Checking one row of an imported file into the answers it would store, or the errors that stop
it, under the staff's mapping (docs/domain.md#imports): columns, one column per option of a
multiple choice, fixed values for every row, and the answers mapped in the values step.

``mapping``: ``{"columns": {key: position}, "options": {key: {code: position}}, "fixed":
{key: value}, "values": {key: {value key: code or number}}, "language", "date_order"}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from email_validator import EmailNotValidError, validate_email

from crm.data.imports.columns import option_chosen
from crm.data.imports.countries import country_for
from crm.data.imports.issues import Issue
from crm.data.imports.numbers import EXACT, NOT_KNOWN, UNREADABLE, read_number
from crm.data.imports.parsing import parse_timestamp
from crm.data.imports.targets import REQUIRED_TARGETS, TARGET_CHOICES, TARGETS
from crm.data.imports.values import (
    BLANK_CODE,
    NO_EMAIL_VALUES,
    known_labels,
    split_multi,
    value_key,
)
from crm.responses import questionnaire
from crm.responses.matching import normalize_key

#: What the values step stores for a number answer that means none or unknown.
NOT_KNOWN_CODE = "__unknown__"


@dataclass
class RowCheck:
    """One row checked: the answers it would store, or the errors that stop it; its warnings
    (notices that do not stop it); the response's language, submission and consent times (UTC)
    and the file's own submission id."""

    index: int
    row_number: int
    answers: dict[str, Any]
    language: str
    submitted_at: datetime | None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    consent_at: datetime | None = None
    source_id: str | None = None


@dataclass(frozen=True)
class _Context:
    """What checking an answer needs beside the answer: the value mapping, the date order,
    the countries the CRM knows and the time of the check."""

    values: Mapping[str, Mapping[str, Any]]
    date_order: str
    known_countries: frozenset[str] | set[str]
    now: datetime


def check_row(
    cells: Sequence[str],
    mapping: Mapping[str, Any],
    *,
    index: int = 0,
    row_number: int = 0,
    known_countries: frozenset[str] | set[str],
    now: datetime | None = None,
) -> RowCheck:
    """Answers of one row under ``mapping``, with per-row errors: a required answer missing
    (practice name, country), a number out of ``questionnaire.NUMBER_BOUNDS``, text over
    ``TEXT_LIMITS``, a bad email, an unknown country (not among ``known_countries``, ISO
    codes), an unmapped closed answer, an unreadable timestamp or one more than a day after
    ``now`` (UTC; default: the clock), no consent to the privacy notice. Number answers
    typed in words are read as the values step says (or as suggested) with a warning."""
    context = _Context(
        values=mapping.get("values", {}),
        date_order=mapping.get("date_order") or "dmy",
        known_countries=known_countries,
        now=now or datetime.now(UTC),
    )
    check = RowCheck(index, row_number, {}, mapping.get("language") or "en", None)
    columns = mapping.get("columns", {})
    for key, position in columns.items():
        raw = cells[position].strip() if 0 <= position < len(cells) else ""
        if raw:
            _check_answer(check, key, raw, context)
    for key, options in (mapping.get("options") or {}).items():
        _check_options(check, key, options, cells)
    for key, value in (mapping.get("fixed") or {}).items():
        if key not in columns and value not in (None, ""):
            _check_answer(check, key, str(value), context)
    _check_whole_row(check, time_mapped="submitted_at" in columns)
    if "language" in check.answers:
        check.language = check.answers.pop("language")
    return check


def _check_options(
    check: RowCheck, key: str, options: Mapping[str, int], cells: Sequence[str]
) -> None:
    """A multiple choice asked one column per option: the options whose cell says chosen."""
    chosen = {
        code
        for code, position in options.items()
        if 0 <= int(position) < len(cells) and option_chosen(cells[int(position)])
    }
    if chosen:
        order = TARGET_CHOICES[key]
        check.answers[key] = sorted(chosen | set(check.answers.get(key, [])), key=order.index)


def _check_whole_row(check: RowCheck, *, time_mapped: bool) -> None:
    """Errors and warnings about the row as a whole: a required answer missing, no consent
    (as on the survey), no contact, no submission time where a column was mapped for it."""
    answers = check.answers
    for key in REQUIRED_TARGETS:
        if not answers.get(key) and not any(i.params.get("field") == key for i in check.errors):
            check.errors.append(Issue("missing", {"field": key}))
    consent = answers.pop("consent", None)
    if consent is True:
        answers["consent"] = True
        check.consent_at = check.consent_at or check.submitted_at
    elif not any(i.params.get("field") == "consent" for i in check.errors):
        check.errors.append(Issue("no_consent"))
    if not answers.get("email") and not answers.get("name"):
        check.warnings.append(Issue("no_contact"))
    time_failed = any(i.params.get("field") == "submitted_at" for i in check.errors)
    if time_mapped and not (check.submitted_at or time_failed):
        check.warnings.append(Issue("no_timestamp"))


def _check_answer(check: RowCheck, key: str, raw: str, context: _Context) -> None:
    """Read one non-blank cell (or fixed value) as answer ``key``: store the value, or record
    the error or the notice."""
    kind = TARGETS.get(key, "")
    read = _READERS.get(kind)
    value = read(key, raw, context) if read else None
    if isinstance(value, tuple):  # a value with its notice
        value, notice = value
        check.warnings.append(notice)
    if isinstance(value, Issue):
        check.errors.append(value)
    elif value is None:
        return
    elif key == "submitted_at":
        check.submitted_at = value
    elif key == "consent_at":
        check.consent_at = value
    elif key == "source_id":
        check.source_id = value
    else:
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


def _read_id(key: str, raw: str, context: _Context) -> str:
    return raw[:200]


def _read_email(key: str, raw: str, context: _Context) -> str | Issue | None:
    if value_key(raw) in NO_EMAIL_VALUES:
        return None
    try:
        validate_email(raw, check_deliverability=False)
    except EmailNotValidError:
        return Issue("bad_email", {"field": key, "value": raw[:100]})
    return raw


def _read_country(key: str, raw: str, context: _Context) -> str | Issue:
    code = country_for(raw)
    if code is None or code not in context.known_countries:
        return Issue("unknown_country", {"field": key, "value": raw[:100]})
    return code


#: How a number was read → the notice its row gets.
_NUMBER_NOTICES = {"approximate": "approximate", "range": "range", "at_least": "at_least",
                   "at_most": "at_most"}  # fmt: skip


def _read_number(key: str, raw: str, context: _Context) -> Any:
    """A whole number, exact or as the values step says (else as read from the words), with
    a notice when it was not typed as one; a number out of bounds is an error."""
    chosen = context.values.get(key, {}).get(value_key(raw))
    reading = read_number(raw)
    notice: Issue | None = None
    suggested = NOT_KNOWN_CODE if reading.value is None else reading.value
    if chosen is not None and reading.how != EXACT and chosen != suggested:
        number = None if chosen == NOT_KNOWN_CODE else int(chosen)
        notice = Issue("chosen_number" if number is not None else "not_known",
                       {"field": key, "value": raw[:100], "number": number})  # fmt: skip
    else:
        number = reading.value
        if reading.how in (NOT_KNOWN, UNREADABLE):
            notice = Issue("not_known", {"field": key, "value": raw[:100]})
        elif reading.how != EXACT:
            code = _NUMBER_NOTICES[reading.how]
            notice = Issue(code, {"field": key, "value": raw[:100], "number": number})
    low, high = questionnaire.NUMBER_BOUNDS[key]
    if number is not None and not low <= number <= high:
        return Issue("out_of_range", {"field": key, "value": number, "low": low, "high": high})
    return (number, notice) if notice is not None else number


def _read_timestamp(key: str, raw: str, context: _Context) -> datetime | Issue:
    parsed = parse_timestamp(raw, context.date_order)
    if parsed is None:
        return Issue("bad_date", {"field": key, "value": raw[:100]})
    if parsed > context.now + timedelta(days=1):
        return Issue("future_date", {"field": key, "value": raw[:100]})
    return parsed


def _read_closed(key: str, raw: str, context: _Context, *, multi: bool) -> Any:
    """The mapped code (a sorted list for a multiple choice, a boolean for the permission to
    contact and consent), None when every item means no answer, or an Issue for an unmapped
    item (the consent's own refusal for an answer that is not "yes")."""
    values = context.values.get(key, {})
    codes = []
    for item in split_multi(raw, known_labels(key)) if multi else [raw]:
        code = values.get(value_key(item))
        if code is None and item in TARGET_CHOICES[key]:
            code = item  # a fixed value, or a code as our exports write it
        if code is None:
            return Issue("unmapped_value", {"field": key, "value": item[:100]})
        if code != BLANK_CODE:
            codes.append(code)
    if not codes:
        return None
    if multi:
        return sorted(set(codes), key=TARGET_CHOICES[key].index)
    if key == "consent":
        return (
            True
            if codes[0] == "yes"
            else Issue("consent_refused", {"field": key, "value": raw[:100]})
        )
    if key == "permission_to_contact":
        return codes[0] == "yes"
    return codes[0]


#: Kind of answer (``TARGETS``) → its reader: the value to store (or a ``(value, notice)``
#: pair), None for no answer, or an Issue.
_READERS: dict[str, Callable[[str, str, _Context], Any]] = {
    "text": _read_text,
    "id": _read_id,
    "email": _read_email,
    "country": _read_country,
    "number": _read_number,
    "datetime": _read_timestamp,
    "choice": partial(_read_closed, multi=False),
    "multi": partial(_read_closed, multi=True),
}
