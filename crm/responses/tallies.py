"""Maintained tallies: eligible practices and interests per country, responses per month, country
and language, kept right on every write so that the readiness board, the country page and the
dashboard read a few hundred rows however many responses pile up (README "Performance").

How they stay right:

- Readiness is told (``crm.core.events.notify_country_changed``) about every country whose eligible
  count moved, by whatever write.
- Every ORM flush notes what it touched on the session: the practices whose interests, answers
  or responses changed, and the tally keys of responses inserted, re-triaged or deleted.
- Before the session commits, and before any read of the tallies, each noted practice's
  interests are compared with what they added so far (``interest_tally_entries``, one row per
  practice and program) and only the difference is applied; response keys are added up.
- Writes that bypass the ORM say so themselves: intake's ``INSERT ... ON CONFLICT`` calls
  :func:`count_inserted_response`, the retention purge calls :func:`forget_responses`.
- :func:`rebuild` recomputes every tally from the tables (data loads, the migration, tests).

Eligibility (docs/domain.md#eligible-practices) is defined once, in
``crm.responses.eligibility``; why the counts are kept rather than computed on each read is
docs/decisions.md#tallies.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import (
    Connection,
    Select,
    bindparam,
    delete,
    event,
    func,
    inspect,
    literal,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crm.core.events import notify_country_changed
from crm.core.extensions import db
from crm.countries.models import Country
from crm.responses.eligibility import eligible_column
from crm.responses.models import (
    Interest,
    InterestTally,
    InterestTallyEntry,
    Practice,
    ResponseTally,
    SurveyResponse,
)

logger = logging.getLogger(__name__)

#: ``Session.info`` keys: practice ids to re-tally, and response-tally differences.
PRACTICES_KEY = "crm_tallies_practices"
RESPONSES_KEY = "crm_tallies_responses"
#: ``Session.info`` key: responses changed in a flush, whose new key is counted after it.
RECOUNT_KEY = "crm_tallies_recount"
#: The program code under which every practice is tallied once (practices per country).
ALL_PRACTICES = "*"
#: Ids per statement when re-tallying many practices at once.
CHUNK = 500
RESPONSE_FIELDS = ("submitted_at", "country_code", "language", "triage_status")

ResponseKey = tuple[str, str, str]


# ------------------------------------------------------------------------------------------------
# Keys


def month_of(moment: datetime) -> str:
    """``YYYY-MM`` of an instant, in UTC (naive values are taken as UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment.year:04d}-{moment.month:02d}"


def response_key(
    submitted_at: datetime | None, country_code: str | None, language: str | None, status: str
) -> ResponseKey | None:
    """The ``response_tallies`` row a response adds to, or None when it does not count (spam)."""
    if status == "spam" or submitted_at is None:
        return None
    return month_of(submitted_at), country_code or "", language or ""


def _month_column(dialect_name: str):
    if dialect_name == "postgresql":
        return func.to_char(func.timezone("UTC", SurveyResponse.submitted_at), "YYYY-MM")
    return func.strftime("%Y-%m", SurveyResponse.submitted_at)


# ------------------------------------------------------------------------------------------------
# Noting what a flush touched


def _old_and_new(obj, field: str) -> tuple:
    history = inspect(obj).attrs[field].history
    new = getattr(obj, field)
    old = history.deleted[0] if history.deleted else new
    return old, new


def _note_before_flush(session: Session, _context, _instances) -> None:
    """Responses deleted or changed: the key they counted under (values before this flush)."""
    responses: Counter = session.info.setdefault(RESPONSES_KEY, Counter())
    practices: set = session.info.setdefault(PRACTICES_KEY, set())
    with session.no_autoflush:
        for obj in list(session.deleted) + list(session.dirty):
            if isinstance(obj, SurveyResponse):
                deleted = obj in session.deleted
                old = [_old_and_new(obj, f)[0] for f in RESPONSE_FIELDS]
                new = [getattr(obj, f) for f in RESPONSE_FIELDS]
                if deleted or old != new:
                    key = response_key(*old)
                    if key:
                        responses[key] -= 1
                    if not deleted:
                        session.info.setdefault(RECOUNT_KEY, []).append(obj)
                practices.update(p for p in _old_and_new(obj, "practice_id") if p)
                for previous in inspect(obj).attrs.practice.history.deleted or ():
                    if previous is not None and previous.id:
                        practices.add(previous.id)
            elif isinstance(obj, Interest):
                practices.update(p for p in _old_and_new(obj, "practice_id") if p)
            elif isinstance(obj, Practice) and obj.id:
                practices.add(obj.id)


def _note_after_flush(session: Session, _context) -> None:
    """New rows (ids known now) and the keys changed responses count under now."""
    responses: Counter = session.info.setdefault(RESPONSES_KEY, Counter())
    practices: set = session.info.setdefault(PRACTICES_KEY, set())
    for obj in session.new:
        if isinstance(obj, SurveyResponse):
            key = response_key(obj.submitted_at, obj.country_code, obj.language,
                               obj.triage_status)  # fmt: skip
            if key:
                responses[key] += 1
            if obj.practice_id:
                practices.add(obj.practice_id)
        elif isinstance(obj, Interest):
            practices.add(obj.practice_id)
        elif isinstance(obj, Practice):
            practices.add(obj.id)
    for obj in session.info.pop(RECOUNT_KEY, ()):
        key = response_key(*(getattr(obj, f) for f in RESPONSE_FIELDS))
        if key:
            responses[key] += 1
        if obj.practice_id:
            practices.add(obj.practice_id)
    for obj in session.dirty:
        if isinstance(obj, Interest):
            practices.add(obj.practice_id)
        elif isinstance(obj, Practice):
            practices.add(obj.id)


def count_inserted_response(submitted_at: datetime, country_code: str | None, language: str,
                            triage_status: str) -> None:  # fmt: skip
    """Note a response inserted outside the ORM (intake's ``INSERT ... ON CONFLICT``)."""
    key = response_key(submitted_at, country_code, language, triage_status)
    if key:
        db.session.info.setdefault(RESPONSES_KEY, Counter())[key] += 1


def forget_responses(*conditions) -> None:
    """Note that the responses matching ``conditions`` are about to be deleted outside the ORM
    (the retention purge); call it before the DELETE, in the same transaction."""
    month = _month_column(db.session.get_bind().dialect.name)
    rows = db.session.execute(
        select(month, SurveyResponse.country_code, SurveyResponse.language, func.count())
        .where(*conditions, SurveyResponse.triage_status != "spam")
        .group_by(month, SurveyResponse.country_code, SurveyResponse.language)
    )
    pending = db.session.info.setdefault(RESPONSES_KEY, Counter())
    for month_text, country, language, n in rows:
        pending[(month_text, country or "", language or "")] -= n


# ------------------------------------------------------------------------------------------------
# Applying


def apply_pending(session: Session | None = None) -> None:
    """Bring the tallies up to date with everything written in the session's transaction."""
    session = session or db.session
    session.flush()
    practices = session.info.pop(PRACTICES_KEY, None)
    responses = session.info.pop(RESPONSES_KEY, None)
    if not practices and not responses:
        return
    conn = session.connection()
    if practices:
        changed = retally_practices(conn, practices)
        # Readiness depends on eligible counts only: it is told exactly when one moved.
        notify_country_changed(*changed)
    if responses:
        _add(conn, ResponseTally, ("month", "country_code", "language"), "responses", responses)


@functools.cache
def _current_statement() -> Select:
    """What the practices ``:ids`` add now: each interest, and the practice itself under
    ALL_PRACTICES (built once)."""
    ids = bindparam("ids", expanding=True)
    return union_all(
        select(*_interest_columns())
        .join(Practice, Practice.id == Interest.practice_id)
        .where(Interest.practice_id.in_(ids)),
        select(*_practice_columns()).where(Practice.id.in_(ids)),
    )


def _interest_columns() -> tuple:
    return (
        Interest.practice_id,
        Interest.program_code,
        Practice.country_code,
        Interest.level,
        eligible_column(),
    )


def _practice_columns() -> tuple:
    return (
        Practice.id,
        literal(ALL_PRACTICES),
        Practice.country_code,
        literal(""),
        literal(False),
    )


@functools.cache
def _entries_statement() -> Select:
    """What the interests of the practices ``:ids`` added so far (built once)."""
    entries = InterestTallyEntry.__table__
    return select(
        entries.c.practice_id,
        entries.c.program_code,
        entries.c.country_code,
        entries.c.level,
        entries.c.eligible,
    ).where(entries.c.practice_id.in_(bindparam("ids", expanding=True)))


def retally_practices(conn: Connection, practice_ids: Iterable[int]) -> set[str]:
    """Compare the practices' interests with their entries and apply the difference; returns
    the countries whose eligible counts changed."""
    ids = sorted({i for i in practice_ids if i is not None})
    entries = InterestTallyEntry.__table__
    difference: Counter = Counter()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        now = {
            (pid, program): (country, level, bool(eligible))
            for pid, program, country, level, eligible in conn.execute(
                _current_statement(), {"ids": chunk}
            )
        }
        before = {
            (pid, program): (country, level, bool(eligible))
            for pid, program, country, level, eligible in conn.execute(
                _entries_statement(), {"ids": chunk}
            )
        }
        if now == before:
            continue
        changed_practices = set()
        for key in before.keys() | now.keys():
            if before.get(key) == now.get(key):
                continue
            changed_practices.add(key[0])
            if key in before:
                country, level, eligible = before[key]
                difference[(country, key[1], level, eligible)] -= 1
            if key in now:
                country, level, eligible = now[key]
                difference[(country, key[1], level, eligible)] += 1
        conn.execute(delete(entries).where(entries.c.practice_id.in_(sorted(changed_practices))))
        rows = [
            {"practice_id": pid, "program_code": program, "country_code": country,
             "level": level, "eligible": eligible}
            for (pid, program), (country, level, eligible) in sorted(now.items())
            if pid in changed_practices
        ]  # fmt: skip
        if rows:
            conn.execute(entries.insert(), rows)
    _add(conn, InterestTally, ("country_code", "program_code", "level", "eligible"), "practices",
         difference)  # fmt: skip
    return {key[0] for key, n in difference.items() if n and key[3]}


def _add(conn: Connection, model, key_columns: tuple[str, ...], count_column: str,
         differences: Counter) -> None:  # fmt: skip
    """Upsert ``count += difference`` for every key with a non-zero difference."""
    rows = [
        {**dict(zip(key_columns, key, strict=True)), count_column: n}
        for key, n in sorted(differences.items())
        if n
    ]
    if not rows:
        return
    statement = _upsert_statement(conn.dialect.name, model.__table__, key_columns, count_column)
    for start in range(0, len(rows), CHUNK):
        conn.execute(statement, rows[start : start + CHUNK])


@functools.cache
def _upsert_statement(dialect: str, table, key_columns: tuple[str, ...], count_column: str):
    """``INSERT … ON CONFLICT (keys) DO UPDATE SET count = count + excluded.count``, built once
    per table (a submit runs it on every commit; building it each time cost more than running
    it), executed with one parameter dict per row."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(key_columns),
        set_={count_column: table.c[count_column] + statement.excluded[count_column]},
    )


def rebuild(conn: Connection) -> None:
    """Recompute every tally and entry from the tables, in the caller's transaction."""
    entries = InterestTallyEntry.__table__
    for table in (entries, InterestTally.__table__, ResponseTally.__table__):
        conn.execute(delete(table))
    conn.execute(
        entries.insert().from_select(
            ["practice_id", "program_code", "country_code", "level", "eligible"],
            union_all(
                select(*_interest_columns()).join(Practice, Practice.id == Interest.practice_id),
                select(*_practice_columns()),
            ),
        )
    )
    conn.execute(
        InterestTally.__table__.insert().from_select(
            ["country_code", "program_code", "level", "eligible", "practices"],
            select(entries.c.country_code, entries.c.program_code, entries.c.level,
                   entries.c.eligible, func.count())
            .group_by(entries.c.country_code, entries.c.program_code, entries.c.level,
                      entries.c.eligible),
        )
    )  # fmt: skip
    month = _month_column(conn.dialect.name)
    country = func.coalesce(SurveyResponse.country_code, "")
    language = func.coalesce(SurveyResponse.language, "")
    conn.execute(
        ResponseTally.__table__.insert().from_select(
            ["month", "country_code", "language", "responses"],
            select(month, country, language, func.count())
            .where(SurveyResponse.triage_status != "spam")
            .group_by(month, country, language),
        )
    )
    logger.info("tallies rebuilt")


# ------------------------------------------------------------------------------------------------
# Reading


def eligible_counts(country_codes: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
    """Eligible practices per country and program, ``{country: {"QOPI": n, "QCP": m}}``
    (docs/domain.md#eligible-practices); countries and programs without any are absent."""
    apply_pending()
    statement = (
        select(InterestTally.country_code, InterestTally.program_code,
               func.sum(InterestTally.practices))
        .where(InterestTally.eligible.is_(True))
        .group_by(InterestTally.country_code, InterestTally.program_code)
    )  # fmt: skip
    if country_codes is not None:
        statement = statement.where(InterestTally.country_code.in_(sorted(set(country_codes))))
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for country, program, n in db.session.execute(statement):
        if n:
            counts[country][program] = int(n)
    return dict(counts)


def interest_counts(country_code: str) -> dict[str, dict[str, int]]:
    """Practices of a country by program and interest level, ``{program: {level: n}}``."""
    apply_pending()
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for program, level, n in db.session.execute(
        select(InterestTally.program_code, InterestTally.level, func.sum(InterestTally.practices))
        .where(
            InterestTally.country_code == country_code,
            InterestTally.program_code != ALL_PRACTICES,
        )
        .group_by(InterestTally.program_code, InterestTally.level)
    ):
        if n:
            counts[program][level] = int(n)
    return dict(counts)


def practice_count(country_code: str) -> int:
    """How many practices the country has."""
    apply_pending()
    total = db.session.scalar(
        select(func.sum(InterestTally.practices)).where(
            InterestTally.country_code == country_code,
            InterestTally.program_code == ALL_PRACTICES,
        )
    )
    return int(total or 0)


def eligible_among(practice_ids: Iterable[int]) -> dict[str, set[int]]:
    """Which of the given practices are eligible, by program: ``{"QOPI": {...}, ...}``."""
    apply_pending()
    found: dict[str, set[int]] = defaultdict(set)
    ids = sorted(set(practice_ids))
    for start in range(0, len(ids), CHUNK):
        for practice_id, program in db.session.execute(
            select(InterestTallyEntry.practice_id, InterestTallyEntry.program_code).where(
                InterestTallyEntry.practice_id.in_(ids[start : start + CHUNK]),
                InterestTallyEntry.eligible.is_(True),
            )
        ):
            found[program].add(practice_id)
    return dict(found)


def responses_by(dimension: str) -> dict[str, int]:
    """Responses that are not spam, summed by ``month``, ``language``, ``region`` or
    ``income_group`` (the country's; "" when unknown). Responses without a country are left out
    of the region and income sums, as a join on countries would."""
    apply_pending()
    if dimension in ("month", "language"):
        column = getattr(ResponseTally, dimension)
        statement = select(column, func.sum(ResponseTally.responses)).group_by(column)
    else:
        column = getattr(Country, dimension)
        statement = (
            select(column, func.sum(ResponseTally.responses))
            .join(Country, Country.code == ResponseTally.country_code)
            .group_by(column)
        )
    return {key or "": int(n) for key, n in db.session.execute(statement) if n}


# ------------------------------------------------------------------------------------------------


def _forget(session: Session, previous_transaction) -> None:
    if previous_transaction.nested:
        # A SAVEPOINT rolled back (a dedupe collision): keep what the rest of the transaction
        # noted; practices are re-tallied from the tables, so extra ids cost nothing.
        return
    for key in (PRACTICES_KEY, RESPONSES_KEY, RECOUNT_KEY):
        session.info.pop(key, None)


def _apply_at_commit(session: Session) -> None:
    # SQLAlchemy fires before_commit when a SAVEPOINT is released too; the outer commit
    # applies everything once (a batch of filings pays for its tallies once).
    if not session.in_nested_transaction():
        apply_pending(session)


def init_app(app: Flask) -> None:
    """Listen to the app's sessions (idempotent: tests build many apps in one process). The
    commit hook goes first, so readiness recording reads up-to-date counts."""
    session_class = db.session.session_factory.class_
    if event.contains(session_class, "after_flush", _note_after_flush):
        return
    event.listen(session_class, "before_flush", _note_before_flush)
    event.listen(session_class, "after_flush", _note_after_flush)
    event.listen(session_class, "before_commit", _apply_at_commit, insert=True)
    event.listen(session_class, "after_soft_rollback", _forget)
