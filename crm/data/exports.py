"""Exports (SPEC §5): survey responses, practices and the country pipeline, as CSV (UTF-8 with a
BOM, so Excel reads the accents) or XLSX.

The only module that uses pandas. Rows are read a chunk at a time (keyset pagination on the id),
each chunk becomes a DataFrame and is written at once: memory stays bounded however many rows
there are. Every text cell a spreadsheet would run as a formula is neutralized, headings included
(PITFALLS.md); XLSX is written by xlsxwriter in ``constant_memory`` mode with strings never turned
into formulas or links. Times are UTC without a zone, named in the heading ("submitted_at (UTC)").
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo

import pandas as pd
import xlsxwriter
from sqlalchemy import func, select

from crm.core.clock import within_calendar
from crm.core.extensions import db
from crm.core.i18n import LOCALES, country_name, sort_by_country
from crm.responses.matching import normalize_key
from crm.responses.models import (
    INTERESTED_LEVELS,
    TRIAGE_STATUSES,
    Contact,
    Interest,
    Practice,
    SurveyResponse,
)
from crm.responses.questionnaire import INTEREST_KEYS

#: A cell starting with one of these is run as a formula by some spreadsheet (PITFALLS.md).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
CSV_BOM = "\ufeff"
#: Rows per XLSX sheet (Excel's limit); more rows continue on a new sheet.
XLSX_MAX_ROWS = 1_048_576
DEFAULT_CHUNK_SIZE = 2000

#: Answer keys in questionnaire order (``crm.questionnaire``): one column each in the export.
ANSWER_KEYS = (
    "name",
    "role",
    "email",
    "phone",
    "preferred_language",
    "practice_name",
    "city",
    "country",
    "practice_type",
    "outpatient_hem_onc",
    "oncologists_count",
    "new_patients_per_year",
    "asco_members_count",
    "ehr_use",
    "interest_qopi",
    "interest_qcp",
    "interest_qtp",
    "qtp_formats",
    "licensing",
    "reads_english",
    "willing_to_sign_agreement",
    "willing_to_pay_qcp_fee",
    "timeframe",
    "comments",
    "consent",
    "permission_to_contact",
)
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
PRACTICE_COLUMNS = (
    "practice_id",
    "practice_name",
    "country",
    "city",
    "practice_type",
    "outpatient_hem_onc",
    "oncologists_count",
    "new_patients_per_year",
    "asco_members_count",
    "ehr_use",
    "reads_english",
    "willing_to_sign_agreement",
    "interest_qopi",
    "interest_qcp",
    "interest_qtp",
    "timeframe",
    "willing_to_pay_qcp_fee",
    "qtp_formats",
    "licensing",
    "contacts",
    "answers_from (UTC)",
    "created_at (UTC)",
)
PIPELINE_PROGRAMS = ("QOPI", "QCP")


# --------------------------------------------------------------------------------------------
# Cells


def neutralize(value: Any) -> Any:
    """A text starting with a formula character gets a leading ``'`` (``"=1+1"`` → ``"'=1+1"``);
    any other value is returned unchanged. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    """A stored answer as one cell: lists joined by ``; ``, booleans as ``yes``/``no``,
    datetimes in UTC without a zone (pandas and Excel cannot write aware ones)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    return value


def prepare_frame(records: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """Records as a DataFrame of the given columns, every cell plain and neutralized.

    ``dtype=object`` keeps every cell as given: whole numbers stay whole beside missing values
    (no ``2.0``), midnight times keep their time, nothing is re-inferred.
    """
    return pd.DataFrame(
        [[neutralize(_plain(record.get(c))) for c in columns] for record in records],
        columns=list(columns),
        dtype=object,
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
    """Filters of the practice list, with its query arguments: ``q`` (name contains, SPEC §3
    normalization), ``country`` and ``program`` (very or somewhat interested in it). Unknown
    values are ignored."""

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


def response_frames(
    filters: ResponseFilters, *, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> Iterator[pd.DataFrame]:
    """The selected responses in id order, one DataFrame of RESPONSE_COLUMNS per chunk: the
    raw answers flattened (one column per answer key), triage, practice id, language, source,
    the submission and filing times in UTC (filing empty while the worker has not filed it).
    Plain rows, not ORM objects: nothing piles up in the session however many chunks are
    read."""
    last_id = 0
    while True:
        chunk = db.session.execute(
            select(
                SurveyResponse.id,
                SurveyResponse.submitted_at,
                SurveyResponse.language,
                SurveyResponse.source,
                SurveyResponse.triage_status,
                SurveyResponse.practice_id,
                SurveyResponse.filed_at,
                SurveyResponse.answers,
            )
            .where(*filters.conditions(), SurveyResponse.id > last_id)
            .order_by(SurveyResponse.id)
            .limit(chunk_size)
        ).all()
        if not chunk:
            return
        last_id = chunk[-1].id
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


_PRACTICE_FIELDS = (
    "id",
    "name",
    "country_code",
    "city",
    "practice_type",
    "outpatient_hem_onc",
    "oncologists_count",
    "new_patients_per_year",
    "asco_members_count",
    "ehr_use",
    "reads_english",
    "willing_to_sign_agreement",
    "answers_from",
    "created_at",
)


def practice_frames(
    filters: PracticeFilters, *, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> Iterator[pd.DataFrame]:
    """The selected practices in id order, one DataFrame of PRACTICE_COLUMNS per chunk, with
    their current interest per program (SPEC §2) and how many contacts they have."""
    last_id = 0
    while True:
        chunk = db.session.execute(
            select(*(getattr(Practice, name) for name in _PRACTICE_FIELDS))
            .where(*filters.conditions(), Practice.id > last_id)
            .order_by(Practice.id)
            .limit(chunk_size)
        ).all()
        if not chunk:
            return
        last_id = chunk[-1].id
        ids = [p.id for p in chunk]
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
        contacts = dict(
            db.session.execute(
                select(Contact.practice_id, func.count())
                .where(Contact.practice_id.in_(ids))
                .group_by(Contact.practice_id)
            ).all()
        )
        records = [_practice_record(p, interests.get(p.id, {}), contacts) for p in chunk]
        yield prepare_frame(records, PRACTICE_COLUMNS)


def _practice_record(
    practice: Any, interests: Mapping[str, Any], contacts: Mapping[int, int]
) -> dict[str, Any]:
    qcp, qtp = interests.get("QCP"), interests.get("QTP")
    timeframes = [i.timeframe for i in interests.values() if i.timeframe]
    details = (qtp.details or {}) if qtp else {}
    return {
        "practice_id": practice.id,
        "practice_name": practice.name,
        "country": practice.country_code,
        "city": practice.city,
        "practice_type": practice.practice_type,
        "outpatient_hem_onc": practice.outpatient_hem_onc,
        "oncologists_count": practice.oncologists_count,
        "new_patients_per_year": practice.new_patients_per_year,
        "asco_members_count": practice.asco_members_count,
        "ehr_use": practice.ehr_use,
        "reads_english": practice.reads_english,
        "willing_to_sign_agreement": practice.willing_to_sign_agreement,
        **{
            key: interests[program].level if program in interests else None
            for program, key in INTEREST_KEYS.items()
        },
        "timeframe": timeframes[0] if timeframes else None,
        "willing_to_pay_qcp_fee": qcp.willing_to_pay_fee if qcp else None,
        "qtp_formats": details.get("formats") or None,
        "licensing": details.get("licensing") or None,
        "contacts": contacts.get(practice.id, 0),
        "answers_from (UTC)": practice.answers_from,
        "created_at (UTC)": practice.created_at,
    }


def pipeline_frame(
    readiness_rows: Iterable[Mapping[str, Any]],
    availability: Mapping[str, Mapping[str, str]],
    *,
    locale: str = "en",
    countries: Collection[str] | None = None,
) -> pd.DataFrame:
    """The country pipeline (SPEC §5 export): one row per country with its availability per
    program and, for QOPI and QCP, the readiness state, its summary and every criterion;
    only the ``countries`` given (ISO codes; None: all).

    ``readiness_rows`` are ``crm.readiness.as_dict`` results (``country``, ``program``,
    ``availability``, ``state``, ``summary``, ``criteria``: ``[{"key", "met", "detail"}]``);
    ``availability`` maps a country code to {program code: SPEC §2 status} (QTP included).
    Countries are those of either input, in the alphabetical order of their names in
    ``locale`` (the reader's: a person reads the rows; the ``country`` column keeps the ISO
    code for machines). Cells are neutralized.
    """
    programs = ("QOPI", "QCP", "QTP")
    readiness: dict[str, dict[str, Mapping[str, Any]]] = {}
    for row in readiness_rows:
        readiness.setdefault(row["country"], {})[row["program"]] = row
    records = []
    codes = set(readiness) | set(availability)
    chosen = codes if countries is None else codes & set(countries)
    for code in sort_by_country(sorted(chosen), lambda code: code, locale):
        record: dict[str, Any] = {"country": code, "country_name": country_name(code, locale)}
        for program in programs:
            assessed = readiness.get(code, {}).get(program)
            status = availability.get(code, {}).get(program)
            if status is None and assessed is not None:
                status = assessed["availability"]
            record[f"{program} availability"] = status or "not_available"
            if program not in PIPELINE_PROGRAMS:
                continue
            record[f"{program} readiness"] = assessed["state"] if assessed else None
            record[f"{program} summary"] = assessed.get("summary") if assessed else None
            record[f"{program} criteria"] = (
                "; ".join(
                    f"{'met' if c['met'] else 'not met'}: {c['detail']}"
                    for c in assessed["criteria"]
                )
                if assessed
                else None
            )
        records.append(record)
    return prepare_frame(records, PIPELINE_COLUMNS)


PIPELINE_COLUMNS = (
    "country",
    "country_name",
    "QOPI availability",
    "QOPI readiness",
    "QOPI summary",
    "QOPI criteria",
    "QCP availability",
    "QCP readiness",
    "QCP summary",
    "QCP criteria",
    "QTP availability",
)


# --------------------------------------------------------------------------------------------
# Writers


def csv_lines(cells: Sequence[Any]) -> str:
    """One CSV record (CRLF, quoted where needed)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()


def csv_stream(columns: Sequence[str], frames: Iterable[pd.DataFrame]) -> Iterator[bytes]:
    """A CSV file as a stream of UTF-8 chunks: the BOM and headings first, then one chunk per
    frame (frames from ``prepare_frame``: already neutralized)."""
    yield (CSV_BOM + csv_lines([neutralize(c) for c in columns])).encode("utf-8")
    for frame in frames:
        if not frame.empty:
            yield frame.to_csv(header=False, index=False, lineterminator="\r\n").encode("utf-8")


def write_xlsx(
    columns: Sequence[str],
    frames: Iterable[pd.DataFrame],
    target: IO[bytes],
    *,
    sheet_name: str,
) -> int:
    """Write an XLSX workbook to ``target`` a row at a time; returns the number of data rows.

    xlsxwriter's ``constant_memory`` keeps one row in memory; ``strings_to_formulas`` and
    ``strings_to_urls`` off store every text as text (PITFALLS.md: the defaults write live
    formulas). Datetimes must be naive (UTC). Past Excel's row limit a new sheet continues.
    """
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd hh:mm:ss",
        },
    )
    headings = [neutralize(c) for c in columns]
    sheets = _Sheets(workbook, sheet_name, headings)
    written = 0
    for frame in frames:
        for values in frame.itertuples(index=False, name=None):
            sheet, row = sheets.next_row()
            for position, value in enumerate(values):
                if value is None or (isinstance(value, float) and math.isnan(value)):
                    continue
                sheet.write(row, position, value)
            written += 1
    workbook.close()
    return written


class _Sheets:
    """The worksheets of one export: a new one, headings first, whenever Excel's row limit is
    reached."""

    def __init__(self, workbook: Any, name: str, headings: list[Any]) -> None:
        self.workbook, self.name, self.headings = workbook, name, headings
        self.count = 0
        self._start()

    def _start(self) -> None:
        self.count += 1
        title = self.name if self.count == 1 else f"{self.name} ({self.count})"
        self.sheet = self.workbook.add_worksheet(title[:31])
        self.sheet.write_row(0, 0, self.headings)
        self.sheet.freeze_panes(1, 0)
        self.row = 0

    def next_row(self) -> tuple[Any, int]:
        """The sheet and row index to write the next data row at."""
        if self.row >= XLSX_MAX_ROWS - 1:
            self._start()
        self.row += 1
        return self.sheet, self.row
