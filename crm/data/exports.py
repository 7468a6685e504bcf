"""Exports (docs/domain.md#exports): what each export holds — survey responses, practices,
contacts and the country pipeline — as :class:`crm.data.columns.Column` lists, and their rows
read a chunk at a time.

Rows are read with keyset pagination on the id and yielded as lists of stored values in column
order; a :class:`crm.data.columns.Layout` turns them into what is written (labels or codes), and
``crm.data.spreadsheets`` writes each chunk at once: memory stays bounded however many rows
there are.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crm import labels
from crm.core.extensions import db
from crm.core.i18n import country_name, sort_by_country
from crm.countries.models import PROGRAM_CODES as PROGRAMS
from crm.data.columns import Column
from crm.data.filters import ContactFilters, PracticeFilters, ResponseFilters
from crm.readiness.rules import PROGRAMS_WITH_LAUNCH
from crm.responses.answers import CHOICE_LABELS, QUESTIONS
from crm.responses.models import Contact, Interest, Practice, SurveyResponse
from crm.responses.questionnaire import (
    ANSWER_KEYS,
    CHOICES,
    INTEREST_KEYS,
    MULTI_CHOICES,
    NUMBER_BOUNDS,
    SECTIONS,
)

DEFAULT_CHUNK_SIZE = 2000


def answer_kind(key: str) -> str:
    """The column kind of an answer key (``crm.data.columns.KINDS``)."""
    if key == "country":
        return "country"
    if key == "preferred_language":
        return "language"
    if key in ("consent", "permission_to_contact"):
        return "bool"
    if key in MULTI_CHOICES:
        return "multi"
    if key in CHOICES:
        return "choice"
    return "number" if key in NUMBER_BOUNDS else "text"


def answer_column(key: str, title: Any = None, kind: str | None = None) -> Column:
    """The column of an answer key: titled as the screens title the question
    (``crm.responses.answers.QUESTIONS``), its choices' labels as the screens show them."""
    return Column(
        key, title or QUESTIONS.get(key, key), kind or answer_kind(key), CHOICE_LABELS.get(key)
    )


# --------------------------------------------------------------------------------------------
# What each export holds

RESPONSE_FIELDS: tuple[Column, ...] = (
    Column("response_id", _l("Response ID"), "id", meaning=_l("The response's number in the CRM.")),
    Column("submitted_at", _l("Submitted"), "moment", meaning=_l("When it was submitted.")),
    Column(
        "language",
        _l("Survey language"),
        "language",
        meaning=_l("The language the survey was answered in."),
    ),
    Column(
        "source",
        _l("Source"),
        "choice",
        labels.RESPONSE_SOURCE,
        meaning=_l("Where the response came from."),
    ),
    Column(
        "triage_status",
        _l("Triage status"),
        "choice",
        labels.TRIAGE,
        meaning=_l("What staff decided about the response."),
    ),
    Column(
        "practice_id",
        _l("Practice ID"),
        "id",
        meaning=_l("The number of the practice the response is filed under."),
    ),
    Column(
        "filed_at",
        _l("Filed"),
        "moment",
        meaning=_l("When it was filed under its practice; empty while it waits to be filed."),
    ),
    *(answer_column(key) for key in ANSWER_KEYS),
)
#: Answers a practice keeps in its own columns: answer key → Practice attribute.
PRACTICE_ANSWERS = {
    **{key: key for key in SECTIONS["practice"]},
    "practice_name": "name",
    "country": "country_code",
    "reads_english": "reads_english",
    "willing_to_sign_agreement": "willing_to_sign_agreement",
}
#: Practice attributes stored as booleans (the survey's yes/no answers).
_PRACTICE_BOOLEANS = ("outpatient_hem_onc", "reads_english", "willing_to_sign_agreement")
#: Answers a practice keeps per program (its interests), as export columns.
INTEREST_ANSWERS = (
    *INTEREST_KEYS.values(),
    "timeframe",
    "willing_to_pay_qcp_fee",
    "qtp_formats",
    "licensing",
)
PRACTICE_FIELDS: tuple[Column, ...] = (
    Column("practice_id", _l("Practice ID"), "id", meaning=_l("The practice's number in the CRM.")),
    *(
        answer_column(key, kind="bool" if key in _PRACTICE_BOOLEANS else None)
        for key in PRACTICE_ANSWERS
    ),
    *(
        answer_column(key, kind="bool" if key == "willing_to_pay_qcp_fee" else None)
        for key in INTEREST_ANSWERS
    ),
    Column("contacts", _l("Contacts"), "number", meaning=_l("How many contacts it has.")),
    Column(
        "answers_from",
        _l("Answers from"),
        "moment",
        meaning=_l("When the response whose answers the practice carries was submitted."),
    ),
    Column("created_at", _l("Created"), "moment", meaning=_l("When the practice was created.")),
)
CONTACT_FIELDS: tuple[Column, ...] = (
    Column("contact_id", _l("Contact ID"), "id", meaning=_l("The contact's number in the CRM.")),
    answer_column("name"),
    answer_column("role"),
    answer_column("email"),
    answer_column("phone"),
    answer_column("preferred_language"),
    answer_column("permission_to_contact"),
    Column(
        "permission_changed_at",
        _l("Permission changed"),
        "moment",
        meaning=_l("When the permission to contact was last given or withdrawn."),
    ),
    Column(
        "practice_id",
        _l("Practice ID"),
        "id",
        meaning=_l("The number of the contact's practice."),
    ),
    answer_column("practice_name"),
    answer_column("country"),
    Column("created_at", _l("Created"), "moment", meaning=_l("When the contact was created.")),
)
#: The pipeline export: per program its availability, and for the programs assessed for
#: readiness (docs/domain.md#readiness) the state, its summary and every criterion.
PIPELINE_PROGRAMS = PROGRAMS_WITH_LAUNCH


def _program_columns(program: str) -> list[Column]:
    columns = [
        Column(
            f"{program} availability",
            _l("%(program)s: availability", program=program),
            "choice",
            labels.AVAILABILITY,
            meaning=_l("Where the program stands in the country."),
        )
    ]
    if program in PIPELINE_PROGRAMS:
        columns += [
            Column(
                f"{program} readiness",
                _l("%(program)s: readiness", program=program),
                "choice",
                labels.READINESS_STATE,
                meaning=_l("The readiness state, as on the readiness board."),
            ),
            Column(
                f"{program} summary",
                _l("%(program)s: summary", program=program),
                meaning=_l("The readiness state in one sentence."),
            ),
            Column(
                f"{program} criteria",
                _l("%(program)s: criteria", program=program),
                meaning=_l("Each criterion of readiness, met or not, with its numbers and days."),
            ),
        ]
    return columns


PIPELINE_FIELDS: tuple[Column, ...] = (
    Column("country", _l("Country"), "country", meaning=_l("The country.")),
    Column(
        "country_name",
        _l("Country name"),
        meaning=_l("The country's name in the reader's language."),
        codes_only=True,
    ),
    *(column for program in PROGRAMS for column in _program_columns(program)),
)


def _codes_headings(fields: Iterable[Column]) -> tuple[str, ...]:
    return tuple(f"{c.key} (UTC)" if c.kind == "moment" else c.key for c in fields)


#: The headings of each export in codes (the machine form scripts read).
RESPONSE_COLUMNS = _codes_headings(RESPONSE_FIELDS)
PRACTICE_COLUMNS = _codes_headings(PRACTICE_FIELDS)
CONTACT_COLUMNS = _codes_headings(CONTACT_FIELDS)
PIPELINE_COLUMNS = _codes_headings(PIPELINE_FIELDS)
#: Export kind → its columns.
EXPORT_FIELDS: dict[str, tuple[Column, ...]] = {
    "responses": RESPONSE_FIELDS,
    "practices": PRACTICE_FIELDS,
    "contacts": CONTACT_FIELDS,
    "pipeline": PIPELINE_FIELDS,
}

# --------------------------------------------------------------------------------------------
# Counts


def count_responses(filters: ResponseFilters) -> int:
    """How many responses the filters select."""
    return db.session.scalar(
        select(func.count()).select_from(SurveyResponse).where(*filters.conditions())
    )


def count_practices(filters: PracticeFilters) -> int:
    """How many practices the filters select."""
    statement = select(func.count()).select_from(Practice).where(*filters.conditions())
    return db.session.scalar(statement)


def count_contacts(filters: ContactFilters) -> int:
    """How many contacts the filters select."""
    statement = select(func.count()).select_from(Contact).where(*filters.conditions())
    return db.session.scalar(statement)


# --------------------------------------------------------------------------------------------
# Chunks of rows


def _keyset_chunks(columns: Iterable[Any], conditions: list, chunk_size: int) -> Iterator[list]:
    """Rows of ``columns`` (the first one the table's ``id``) that meet ``conditions``, in id
    order, ``chunk_size`` at a time: each chunk starts after the last id of the one before.
    Plain rows, not ORM objects: nothing piles up in the session however many are read."""
    columns = list(columns)
    identity = columns[0]
    last_id = 0
    while True:
        chunk = db.session.execute(
            select(*columns)
            .where(*conditions, identity > last_id)
            .order_by(identity)
            .limit(chunk_size)
        ).all()
        if not chunk:
            return
        last_id = chunk[-1].id
        yield chunk


def response_rows(
    filters: ResponseFilters, *, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> Iterator[list[list[Any]]]:
    """The selected responses in id order, a chunk at a time: per response the stored values
    of RESPONSE_FIELDS (the raw answers flattened, one column per answer key; times UTC; the
    filing time None while the worker has not filed it)."""
    columns = (
        SurveyResponse.id,
        SurveyResponse.submitted_at,
        SurveyResponse.language,
        SurveyResponse.source,
        SurveyResponse.triage_status,
        SurveyResponse.practice_id,
        SurveyResponse.filed_at,
        SurveyResponse.answers,
    )
    for chunk in _keyset_chunks(columns, filters.conditions(), chunk_size):
        yield [[*r[:7], *map((r.answers or {}).get, ANSWER_KEYS)] for r in chunk]


def practice_rows(
    filters: PracticeFilters, *, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> Iterator[list[list[Any]]]:
    """The selected practices in id order, a chunk at a time: the values of PRACTICE_FIELDS,
    with their current interest per program (docs/domain.md#programs) and how many contacts
    they have."""
    columns = (
        Practice.id,
        *(getattr(Practice, name) for name in PRACTICE_ANSWERS.values()),
        Practice.answers_from,
        Practice.created_at,
    )
    for chunk in _keyset_chunks(columns, filters.conditions(), chunk_size):
        ids = [p.id for p in chunk]
        interests, contacts = _interests_of(ids), _contact_counts(ids)
        yield [
            [
                *p[:-2],
                *_interest_answers(interests.get(p.id, {})),
                contacts.get(p.id, 0),
                *p[-2:],
            ]
            for p in chunk
        ]


def contact_rows(
    filters: ContactFilters, *, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> Iterator[list[list[Any]]]:
    """The selected contacts in id order, a chunk at a time: the values of CONTACT_FIELDS,
    with their practice's name and country."""
    columns = (
        Contact.id,
        Contact.name,
        Contact.role,
        Contact.email,
        Contact.phone,
        Contact.preferred_language,
        Contact.permission_to_contact,
        Contact.permission_changed_at,
        Contact.practice_id,
        Contact.created_at,
    )
    for chunk in _keyset_chunks(columns, filters.conditions(), chunk_size):
        practices = _practice_names({c.practice_id for c in chunk if c.practice_id})
        yield [[*c[:9], *practices.get(c.practice_id, (None, None)), c.created_at] for c in chunk]


def _practice_names(ids: set[int]) -> dict[int, tuple[str, str]]:
    """Practice id → (name, country code), for the practices ``ids``."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(Practice.id, Practice.name, Practice.country_code).where(Practice.id.in_(ids))
    )
    return {row.id: (row.name, row.country_code) for row in rows}


def _interests_of(ids: list[int]) -> dict[int, dict[str, Any]]:
    """Practice id → program code → its interest row, for the practices ``ids``."""
    interests: dict[int, dict[str, Any]] = {}
    for interest in db.session.execute(
        select(
            Interest.practice_id,
            Interest.program_code,
            Interest.level,
            Interest.timeframe,
            Interest.willing_to_pay_fee,
            Interest.details,
        ).where(Interest.practice_id.in_(ids))
    ):
        interests.setdefault(interest.practice_id, {})[interest.program_code] = interest
    return interests


def _contact_counts(ids: list[int]) -> dict[int, int]:
    """Practice id → how many contacts it has, for the practices ``ids`` that have any."""
    return dict(
        db.session.execute(
            select(Contact.practice_id, func.count())
            .where(Contact.practice_id.in_(ids))
            .group_by(Contact.practice_id)
        ).all()
    )


def _interest_answers(interests: Mapping[str, Any]) -> list[Any]:
    """The INTEREST_ANSWERS values of one practice from its interests by program code."""
    qcp, qtp = interests.get("QCP"), interests.get("QTP")
    timeframes = [i.timeframe for i in interests.values() if i.timeframe]
    details = (qtp.details or {}) if qtp else {}
    return [
        *(interests[program].level if program in interests else None for program in INTEREST_KEYS),
        timeframes[0] if timeframes else None,
        qcp.willing_to_pay_fee if qcp else None,
        details.get("formats") or None,
        details.get("licensing") or None,
    ]


def pipeline_rows(
    readiness_rows: Iterable[Mapping[str, Any]],
    availability: Mapping[str, Mapping[str, str]],
    *,
    locale: str = "en",
    countries: Collection[str] | None = None,
    codes: bool = False,
) -> list[list[Any]]:
    """The country pipeline (docs/domain.md#exports): one row per country with its
    availability per program and, for QOPI and QCP, the readiness state, its summary and every
    criterion, in the order of PIPELINE_FIELDS; only the ``countries`` given (ISO codes; None:
    all).

    ``readiness_rows`` are ``crm.readiness.wording.as_dict`` results (``country``,
    ``program``, ``availability``, ``state``, ``summary``, ``criteria``: ``[{"key", "met",
    "detail"}]``) worded in ``locale``; ``availability`` maps a country code to {program code:
    availability status (docs/domain.md#availability)} (QTP included). Countries are those of
    either input, in the alphabetical order of their names in ``locale``. Criteria are
    ``met: …``/``not met: …`` with ``codes``, else "Met"/"Not met" in the current locale.
    """
    readiness: dict[str, dict[str, Mapping[str, Any]]] = {}
    for row in readiness_rows:
        readiness.setdefault(row["country"], {})[row["program"]] = row
    found = set(readiness) | set(availability)
    chosen = found if countries is None else found & set(countries)
    marks = ("met", "not met") if codes else (_("Met"), _("Not met"))
    return [
        [
            code,
            country_name(code, locale),
            *_pipeline_cells(readiness.get(code, {}), availability.get(code, {}), marks),
        ]
        for code in sort_by_country(sorted(chosen), lambda code: code, locale)
    ]


def _pipeline_cells(
    assessed_by_program: Mapping[str, Mapping[str, Any]],
    statuses: Mapping[str, str],
    marks: tuple[str, str],
) -> list[Any]:
    """One country's values after its name: per program its availability, and for the
    programs assessed for readiness its state, summary and criteria."""
    cells: list[Any] = []
    for program in PROGRAMS:
        assessed = assessed_by_program.get(program)
        status = statuses.get(program)
        if status is None and assessed is not None:
            status = assessed["availability"]
        cells.append(status or "not_available")
        if program not in PIPELINE_PROGRAMS:
            continue
        if assessed is None:
            cells += [None, None, None]
            continue
        criteria = "; ".join(
            f"{marks[0] if c['met'] else marks[1]}: {c['detail']}" for c in assessed["criteria"]
        )
        cells += [assessed["state"], assessed.get("summary"), criteria]
    return cells
