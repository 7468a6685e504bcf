"""Exports (docs/architecture.md#data): what each export holds and the filters it is taken
with: survey responses, practices and the country pipeline.

Rows are read a chunk at a time (keyset pagination on the id), each chunk becomes a DataFrame of
plain, neutralized cells (``crm.data.spreadsheets.prepare_frame``) and is written at once by
``crm.data.spreadsheets``: memory stays bounded however many rows there are. Times are UTC
without a zone, named in the heading ("submitted_at (UTC)").
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import func, select

from crm.core.clock import within_calendar
from crm.core.extensions import db
from crm.core.i18n import LOCALES, country_name, sort_by_country
from crm.countries.models import PROGRAM_CODES as PROGRAMS
from crm.data.spreadsheets import prepare_frame
from crm.readiness.rules import PROGRAMS_WITH_LAUNCH
from crm.responses.matching import normalize_key
from crm.responses.models import (
    INTERESTED_LEVELS,
    TRIAGE_STATUSES,
    Contact,
    Interest,
    Practice,
    SurveyResponse,
)
from crm.responses.questionnaire import ANSWER_KEYS, INTEREST_KEYS, SECTIONS

DEFAULT_CHUNK_SIZE = 2000

RESPONSE_COLUMNS = (
    "response_id",
    "submitted_at (UTC)",
    "language",
    "source",
    "triage_status",
    "practice_id",
    "filed_at (UTC)",
    *ANSWER_KEYS,
)
#: Answers a practice keeps in its own columns: export column (answer key) → Practice attribute.
PRACTICE_ANSWERS = {
    **{key: key for key in SECTIONS["practice"]},
    "practice_name": "name",
    "country": "country_code",
    "reads_english": "reads_english",
    "willing_to_sign_agreement": "willing_to_sign_agreement",
}
#: Answers a practice keeps per program (its interests), as export columns.
INTEREST_ANSWERS = (
    *INTEREST_KEYS.values(),
    "timeframe",
    "willing_to_pay_qcp_fee",
    "qtp_formats",
    "licensing",
)
PRACTICE_COLUMNS = (
    "practice_id",
    *PRACTICE_ANSWERS,
    *INTEREST_ANSWERS,
    "contacts",
    "answers_from (UTC)",
    "created_at (UTC)",
)
#: The pipeline export: per program its availability, and for the programs assessed for
#: readiness (docs/domain.md#readiness) the state, its summary and every criterion.
PIPELINE_PROGRAMS = PROGRAMS_WITH_LAUNCH
PIPELINE_COLUMNS = (
    "country",
    "country_name",
    *(
        f"{program} {part}"
        for program in PROGRAMS
        for part in (
            ("availability", "readiness", "summary", "criteria")
            if program in PIPELINE_PROGRAMS
            else ("availability",)
        )
    ),
)

# --------------------------------------------------------------------------------------------
# Filters: the same query parameters as the lists on screen


def _one_of(value: str | None, allowed: Iterable[str]) -> str | None:
    return value if value in set(allowed) else None


def _day(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is None or within_calendar(day) else None


#: ``status`` value that selects every triage status (the response list's "All statuses").
ALL_STATUSES = "all"
#: Triage status the response list shows when none is asked for.
DEFAULT_STATUS = "new"


@dataclass(frozen=True)
class ResponseFilters:
    """Filters of the response list, with its query arguments and meanings: ``status`` (a
    triage status, ``all`` for every one, ``new`` when absent or unknown), ``country``,
    ``language``, ``suggested`` (only responses with a suggested practice), and for exports
    ``from`` and ``to``: the organization's calendar days, ``to`` included. Other unknown
    values are ignored. A triage status selects filed responses only, as the inbox does: one
    the worker has not filed yet has no triage; "all" includes it (``filed_at`` empty)."""

    status: str | None = DEFAULT_STATUS
    country: str | None = None
    language: str | None = None
    suggested: bool = False
    date_from: date | None = None
    date_to: date | None = None
    timezone: str = "UTC"

    @classmethod
    def from_args(cls, args: Mapping[str, str], *, timezone: str = "UTC") -> ResponseFilters:
        """Filters from request arguments such as ``request.args``."""
        status = args.get("status")
        return cls(
            status=None
            if status == ALL_STATUSES
            else _one_of(status, TRIAGE_STATUSES) or DEFAULT_STATUS,
            country=_country(args.get("country")),
            language=_one_of(args.get("language"), LOCALES),
            suggested=(args.get("suggested") or "").lower() in {"y", "yes", "1", "true", "on"},
            date_from=_day(args.get("from")),
            date_to=_day(args.get("to")),
            timezone=timezone,
        )

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments (for links), empty ones left out."""
        args = {
            "status": self.status or ALL_STATUSES,
            "country": self.country,
            "language": self.language,
            "suggested": "y" if self.suggested else None,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }
        return {k: v for k, v in args.items() if v}

    def conditions(self) -> list:
        """SQL conditions on SurveyResponse."""
        zone = ZoneInfo(self.timezone)
        found = []
        if self.status:
            found.append(SurveyResponse.triage_status == self.status)
            found.append(SurveyResponse.filed_at.is_not(None))
        if self.country:
            found.append(SurveyResponse.country_code == self.country)
        if self.language:
            found.append(SurveyResponse.language == self.language)
        if self.suggested:
            found.append(SurveyResponse.suggested_practice_id.is_not(None))
        if self.date_from:
            start = datetime.combine(self.date_from, time.min, tzinfo=zone).astimezone(UTC)
            found.append(SurveyResponse.submitted_at >= start)
        if self.date_to:
            end = datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=zone)
            found.append(SurveyResponse.submitted_at < end.astimezone(UTC))
        return found


def _country(value: str | None) -> str | None:
    code = (value or "").strip().upper()
    return code if len(code) == 2 and code.isalpha() else None


@dataclass(frozen=True)
class PracticeFilters:
    """Filters of the practice list, with its query arguments: ``q`` (the name contains it,
    both normalized as ``crm.responses.matching.normalize_key`` does), ``country`` and
    ``program`` (very or somewhat interested in it). Unknown values are ignored."""

    text: str | None = None
    country: str | None = None
    program: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> PracticeFilters:
        """Filters from request arguments such as ``request.args``."""
        return cls(
            text=(args.get("q") or "").strip()[:300] or None,
            country=_country(args.get("country")),
            program=_one_of((args.get("program") or "").upper(), INTEREST_KEYS),
        )

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments (for links), empty ones left out."""
        args = {"q": self.text, "country": self.country, "program": self.program}
        return {k: v for k, v in args.items() if v}

    def conditions(self) -> list:
        """SQL conditions on Practice."""
        found = []
        if key := normalize_key(self.text):
            found.append(Practice.name_key.contains(key, autoescape=True))
        if self.country:
            found.append(Practice.country_code == self.country)
        if self.program:
            found.append(
                Practice.id.in_(
                    select(Interest.practice_id).where(
                        Interest.program_code == self.program,
                        Interest.level.in_(INTERESTED_LEVELS),
                    )
                )
            )
        return found


def count_responses(filters: ResponseFilters) -> int:
    """How many responses the filters select."""
    return db.session.scalar(
        select(func.count()).select_from(SurveyResponse).where(*filters.conditions())
    )


def count_practices(filters: PracticeFilters) -> int:
    """How many practices the filters select."""
    statement = select(func.count()).select_from(Practice).where(*filters.conditions())
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


def response_frames(
    filters: ResponseFilters, *, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> Iterator[pd.DataFrame]:
    """The selected responses in id order, one DataFrame of RESPONSE_COLUMNS per chunk: the
    raw answers flattened (one column per answer key), triage, practice id, language, source,
    the submission and filing times in UTC (filing empty while the worker has not filed it)."""
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
        records = [
            {
                **{key: (r.answers or {}).get(key) for key in ANSWER_KEYS},
                "response_id": r.id,
                "submitted_at (UTC)": r.submitted_at,
                "language": r.language,
                "source": r.source,
                "triage_status": r.triage_status,
                "practice_id": r.practice_id,
                "filed_at (UTC)": r.filed_at,
            }
            for r in chunk
        ]
        yield prepare_frame(records, RESPONSE_COLUMNS)


def practice_frames(
    filters: PracticeFilters, *, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> Iterator[pd.DataFrame]:
    """The selected practices in id order, one DataFrame of PRACTICE_COLUMNS per chunk, with
    their current interest per program (docs/domain.md#programs) and how many contacts they
    have."""
    columns = (
        Practice.id,
        *(getattr(Practice, name) for name in PRACTICE_ANSWERS.values()),
        Practice.answers_from,
        Practice.created_at,
    )
    for chunk in _keyset_chunks(columns, filters.conditions(), chunk_size):
        ids = [p.id for p in chunk]
        interests, contacts = _interests_of(ids), _contact_counts(ids)
        records = [
            {
                "practice_id": p.id,
                **{key: getattr(p, name) for key, name in PRACTICE_ANSWERS.items()},
                **_interest_answers(interests.get(p.id, {})),
                "contacts": contacts.get(p.id, 0),
                "answers_from (UTC)": p.answers_from,
                "created_at (UTC)": p.created_at,
            }
            for p in chunk
        ]
        yield prepare_frame(records, PRACTICE_COLUMNS)


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


def _interest_answers(interests: Mapping[str, Any]) -> dict[str, Any]:
    """The INTEREST_ANSWERS columns of one practice from its interests by program code."""
    qcp, qtp = interests.get("QCP"), interests.get("QTP")
    timeframes = [i.timeframe for i in interests.values() if i.timeframe]
    details = (qtp.details or {}) if qtp else {}
    return {
        **{
            key: interests[program].level if program in interests else None
            for program, key in INTEREST_KEYS.items()
        },
        "timeframe": timeframes[0] if timeframes else None,
        "willing_to_pay_qcp_fee": qcp.willing_to_pay_fee if qcp else None,
        "qtp_formats": details.get("formats") or None,
        "licensing": details.get("licensing") or None,
    }


def pipeline_frame(
    readiness_rows: Iterable[Mapping[str, Any]],
    availability: Mapping[str, Mapping[str, str]],
    *,
    locale: str = "en",
    countries: Collection[str] | None = None,
) -> pd.DataFrame:
    """The country pipeline (docs/architecture.md#data): one row per country with its
    availability per program and, for QOPI and QCP, the readiness state, its summary and every
    criterion; only the ``countries`` given (ISO codes; None: all).

    ``readiness_rows`` are ``crm.readiness.wording.as_dict`` results (``country``,
    ``program``, ``availability``, ``state``, ``summary``, ``criteria``: ``[{"key", "met",
    "detail"}]``); ``availability`` maps a country code to {program code: availability status
    (docs/domain.md#availability)} (QTP included). Countries are those of either input, in the
    alphabetical order of their names in ``locale`` (the reader's: a person reads the rows; the
    ``country`` column keeps the ISO code for machines). Cells are neutralized.
    """
    readiness: dict[str, dict[str, Mapping[str, Any]]] = {}
    for row in readiness_rows:
        readiness.setdefault(row["country"], {})[row["program"]] = row
    codes = set(readiness) | set(availability)
    chosen = codes if countries is None else codes & set(countries)
    records = [
        {
            "country": code,
            "country_name": country_name(code, locale),
            **_pipeline_cells(readiness.get(code, {}), availability.get(code, {})),
        }
        for code in sort_by_country(sorted(chosen), lambda code: code, locale)
    ]
    return prepare_frame(records, PIPELINE_COLUMNS)


def _pipeline_cells(
    assessed_by_program: Mapping[str, Mapping[str, Any]], statuses: Mapping[str, str]
) -> dict[str, Any]:
    """One country's columns after its name: per program its availability, and for the
    programs assessed for readiness its state, summary and criteria."""
    cells: dict[str, Any] = {}
    for program in PROGRAMS:
        assessed = assessed_by_program.get(program)
        status = statuses.get(program)
        if status is None and assessed is not None:
            status = assessed["availability"]
        cells[f"{program} availability"] = status or "not_available"
        if program not in PIPELINE_PROGRAMS:
            continue
        cells[f"{program} readiness"] = assessed["state"] if assessed else None
        cells[f"{program} summary"] = assessed.get("summary") if assessed else None
        cells[f"{program} criteria"] = (
            "; ".join(
                f"{'met' if c['met'] else 'not met'}: {c['detail']}" for c in assessed["criteria"]
            )
            if assessed
            else None
        )
    return cells
