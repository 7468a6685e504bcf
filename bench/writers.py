"""Writers of the generated rows: one bulk insert per table and chunk (executemany on SQLite,
COPY on PostgreSQL), and the columns each generated table is written with."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import Connection

from bench.vocabulary import CAMPAIGN_START

#: "YYYY-MM-DD " of every day of the campaign and "HH:MM:SS" of every second of a day: a
#: timestamp is two list look-ups (strftime was a third of the generator's time).
DAYS = [(CAMPAIGN_START + timedelta(days=d)).strftime("%Y-%m-%d ") for d in range(400)]
CLOCK = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]


class Writer:
    """Bulk inserts through SQLAlchemy Core's executemany; timestamps as text in the format
    SQLAlchemy's SQLite ``DateTime`` stores and reads back."""

    suffix = ".000000"

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.rows = 0

    def timestamp(self, seconds: int) -> str:
        """The instant ``seconds`` after CAMPAIGN_START (UTC) as stored text."""
        day, second = divmod(seconds, 86400)
        return DAYS[day] + CLOCK[second] + self.suffix

    def write(self, name: str, columns: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        marks = ", ".join("?" for _ in columns)
        self.conn.exec_driver_sql(
            f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
            rows,
        )
        self.rows += len(rows)

    def prepare(self) -> None:
        """Session settings for a bulk load (rows are consistent by construction)."""

    def finish(self) -> None:
        """Indexes and sequences after the load."""

    def analyze(self) -> None:
        """Planner statistics (PostgreSQL; the app never runs ANALYZE on SQLite)."""


class SQLiteWriter(Writer):
    """No journal during the load (a failed load is thrown away), secondary indexes dropped
    and built again at the end (sorting once beats a million random B-tree inserts)."""

    #: Set on the connection before the load's transaction (a journal mode cannot change
    #: inside one): no journal, no fsync, 256 MiB of page cache.
    PRAGMAS = ("journal_mode=OFF", "synchronous=OFF", "cache_size=-262144")

    def prepare(self) -> None:
        tables = ", ".join(f"'{name}'" for name in GENERATED_TABLES)
        self.indexes = self.conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
            f"AND tbl_name IN ({tables})"
        ).all()
        for name, _sql in self.indexes:
            self.conn.exec_driver_sql(f'DROP INDEX "{name}"')

    def finish(self) -> None:
        for _name, sql in self.indexes:
            self.conn.exec_driver_sql(sql)


class PostgresWriter(Writer):
    """COPY FROM STDIN per table and chunk; foreign-key triggers off for the load (superuser)."""

    suffix = "+00"

    def prepare(self) -> None:
        self.conn.exec_driver_sql("SET session_replication_role = replica")

    def write(self, name: str, columns: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        cursor = self.conn.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        self.rows += len(rows)

    def finish(self) -> None:
        self.conn.exec_driver_sql("SET session_replication_role = DEFAULT")
        for name in GENERATED_TABLES:
            if name in NO_ID_TABLES:
                continue
            self.conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
            )

    def analyze(self) -> None:
        self.conn.exec_driver_sql("ANALYZE")


GENERATED_TABLES = (
    "practices",
    "practice_name_keys",
    "interest_tally_entries",
    "contacts",
    "survey_responses",
    "interests",
    "audit_events",
    "activities",
    "privacy_reviews",
    "country_agreements",
    "country_thresholds",
)
NO_ID_TABLES = frozenset({"practice_name_keys", "interest_tally_entries"})
PRACTICE_COLUMNS = (
    "id", "name", "name_key", "country_code", "city", "city_key", "practice_type",
    "outpatient_hem_onc", "oncologists_count", "new_patients_per_year", "asco_members_count",
    "ehr_use", "reads_english", "willing_to_sign_agreement", "answers_from", "created_at",
    "updated_at",
)  # fmt: skip
CONTACT_COLUMNS = (
    "id", "practice_id", "name", "role", "email", "email_key", "phone", "preferred_language",
    "permission_to_contact", "permission_changed_at", "created_at", "updated_at",
)  # fmt: skip
RESPONSE_COLUMNS = (
    "id", "submission_token", "submitted_at", "language", "questionnaire_version",
    "privacy_notice_version", "consent_at", "permission_to_contact", "answers", "source",
    "country_code", "triage_status", "practice_id", "contact_id", "suggested_practice_id",
    "suggestion_score", "triaged_at", "triaged_by_id", "created_at", "filed_at",
)  # fmt: skip
INTEREST_COLUMNS = (
    "id", "practice_id", "program_code", "level", "timeframe", "willing_to_pay_fee", "details",
    "response_id", "updated_at",
)  # fmt: skip
AUDIT_COLUMNS = (
    "id", "occurred_at", "actor_id", "actor", "action", "entity_type", "entity_id",
    "country_code", "practice_id", "changes",
)  # fmt: skip
