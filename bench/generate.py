"""Synthetic CRM data for the bench: N survey responses with their practices, contacts, current
interests, triage, privacy reviews, agreements, thresholds, activities and audit events, written
straight into SQLite or PostgreSQL with Core bulk inserts (executemany; COPY on PostgreSQL).

The rows are the ones the app itself would hold after N submissions and some staff triage, so
the app's own queries treat them as real:

- 250 countries from the seeded ``countries`` table, with a Zipf-like skew (a handful of large
  countries, a long tail): the country of rank r gets a share proportional to 1/r.
- About one practice per 4 responses (repeat responses of the same practice over a year of
  campaigns, imports and test campaigns); a few practices answer many times.
- Triage: a practice's first response is ``new``, later ones ``linked``, some ``duplicate``;
  6% are ``spam`` (filed under no practice). Each practice carries the answers of its latest
  counted response, with one Interest per program traced to it
  (``crm.responses.matching.apply_answers``).
- Privacy reviews and agreements on about a third of the countries, a few threshold overrides,
  so the readiness board shows every state.

Usage: ``python -m bench.generate --database-url URL --responses 100000`` on a database that was
just migrated and seeded (``flask --app app db upgrade && flask --app app seed``); the bench
runner (``python -m bench``) does that first.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import random
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.pool import StaticPool

from crm.responses.matching import name_keys
from crm.responses.tallies import rebuild as rebuild_tallies

logger = logging.getLogger("bench.generate")

#: Responses per practice, on average (first response, repeats, duplicates).
RESPONSES_PER_PRACTICE = 4
SPAM_SHARE = 0.06
#: Share of a practice's repeat responses that staff marked as duplicates.
REPEAT_DUPLICATE_SHARE = 0.12
#: Practices per chunk written at once (about 20k responses).
CHUNK_PRACTICES = 5000
#: The campaign year the responses were submitted in (UTC).
CAMPAIGN_START = datetime(2025, 12, 1, tzinfo=UTC)
CAMPAIGN_SECONDS = 360 * 24 * 3600
STAFF_EMAIL = "bench-staff@example.org"

#: Large respondent countries first (rank 1 = largest share); the rest follow in a fixed
#: pseudo-random order.
LARGE_COUNTRIES = (
    "BR", "IN", "MX", "AR", "ES", "CO", "PH", "PK", "EG", "CL", "PE", "SA", "MY", "TR", "NG",
    "IT", "DE", "FR", "GR", "RO", "PT", "PL", "ZA", "ID", "VN", "TH", "KE", "EC", "VE", "CN",
)  # fmt: skip
SPANISH = frozenset("AR BO CL CO CR CU DO EC ES GQ GT HN MX NI PA PE PR PY SV UY VE".split())
PORTUGUESE = frozenset("BR PT AO MZ CV GW ST TL".split())

SYLLABLES = (
    "ka", "lo", "mi", "ra", "te", "vo", "su", "ne", "di", "ba", "ro", "la", "ni", "po", "se",
    "ta", "ma", "ri", "co", "fe", "gu", "ha", "je", "ki", "lu", "mo", "na", "pi", "qui", "sa",
    "to", "za",
)  # fmt: skip
PREFIXES = {
    "en": ("Oncology Clinic", "Cancer Centre", "Hospital", "Medical Centre", "Oncology Associates"),
    "es": ("Clínica", "Hospital", "Instituto de Oncología", "Centro Oncológico", "Sanatorio"),
    "pt_BR": (
        "Clínica",
        "Hospital",
        "Instituto de Oncologia",
        "Centro de Oncologia",
        "Oncoclínica",
    ),
}
FIRST_NAMES = {
    "en": ("Amina", "Rahul", "Grace", "Omar", "Priya", "David", "Fatima", "John", "Mei", "Ali"),
    "es": ("Ana", "Carlos", "Lucía", "Javier", "María", "Diego", "Sofía", "Andrés", "Elena"),
    "pt_BR": ("Ana", "João", "Mariana", "Pedro", "Beatriz", "Lucas", "Camila", "Rafael"),
}
LAST_NAMES = {
    "en": ("Khan", "Sharma", "Okafor", "Hassan", "Reyes", "Tan", "Nguyen", "Smith", "Ali"),
    "es": ("García", "Martínez", "López", "Rodríguez", "Fernández", "Pérez", "Gómez"),
    "pt_BR": ("Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida"),
}
ROLES = ("Medical oncologist", "Hematologist", "Practice manager", "Nurse", "Medical director")
COMMENTS = (
    "We would like to take part.",
    "Please send more information about the fees.",
    "Our team is small but motivated.",
    "Interested in the training program for our nurses.",
)

PRACTICE_TYPES = (
    ("private_practice", "hospital_based", "academic_center", "cancer_center", "public_hospital",
     "other"),
    (35, 25, 12, 10, 13, 5),
)  # fmt: skip
LEVELS = ("very", "somewhat", "not_very", "not_at_all")
INTEREST_WEIGHTS = {"QOPI": (30, 30, 25, 15), "QCP": (20, 25, 30, 25), "QTP": (35, 30, 20, 15)}
INTEREST_KEYS = {"QOPI": "interest_qopi", "QCP": "interest_qcp", "QTP": "interest_qtp"}
TIMEFRAMES = ("within_6_months", "6_to_12_months", "over_12_months", "not_sure")
YES_NO_UNSURE = ("yes", "no", "unsure")
QTP_FORMATS = ("six_month", "one_day", "train_the_trainer")
LICENSING = ("qtp_content", "quality_symposium")


def word(index: int, minimum: int = 3) -> str:
    """A pronounceable word unique to ``index`` (its base-32 digits as syllables)."""
    parts = []
    while index or len(parts) < minimum:
        index, digit = divmod(index, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
    return "".join(parts).capitalize()


def language_of(country: str) -> str:
    """The survey language a respondent in ``country`` most likely uses."""
    if country in PORTUGUESE:
        return "pt_BR"
    return "es" if country in SPANISH else "en"


@dataclass
class Reference:
    """What the seeded database already holds: countries, launched programs, the staff user."""

    countries: list[str]
    weights: list[float]
    launched: dict[str, set[str]]
    staff_id: int | None


def read_reference(conn: Connection, seed: int) -> Reference:
    """Countries ranked by skew (LARGE_COUNTRIES first), QOPI/QCP launches, the staff user."""
    codes = [c for (c,) in conn.execute(text("SELECT code FROM countries ORDER BY code"))]
    if not codes:
        raise SystemExit("no countries: run `flask --app app db upgrade && flask --app app seed`")
    rest = [c for c in codes if c not in LARGE_COUNTRIES]
    random.Random(seed).shuffle(rest)
    ranked = [c for c in LARGE_COUNTRIES if c in codes] + rest
    launched: dict[str, set[str]] = {}
    for country, program in conn.execute(
        text("SELECT country_code, program_code FROM availabilities WHERE status IN "
             "('available', 'pilot')")
    ):  # fmt: skip
        launched.setdefault(program, set()).add(country)
    staff_id = conn.execute(
        text("SELECT id FROM staff_users WHERE email = :email"), {"email": STAFF_EMAIL}
    ).scalar()
    return Reference(
        countries=ranked,
        weights=[1.0 / rank for rank in range(1, len(ranked) + 1)],
        launched=launched,
        staff_id=staff_id,
    )


# ------------------------------------------------------------------------------------------------
# Writers: one bulk insert per table and chunk

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
YES_NO = {"yes": True, "no": False}


@functools.lru_cache(maxsize=4096)
def normalize_key(text_value: str | None) -> str:
    """The app's matching key (``crm.responses.matching.normalize_key``), repeated so the generator
    needs no app import."""
    if not text_value:
        return ""
    decomposed = unicodedata.normalize("NFKD", text_value)
    return "".join(c for c in decomposed.casefold() if not unicodedata.combining(c) and c.isalnum())


def fragment(answers: dict) -> str:
    """``answers`` as the inside of a JSON object (no braces), unanswered keys left out, so
    a response's JSON is a concatenation of the fragments of its parts."""
    kept = {k: v for k, v in answers.items() if v not in (None, "", [])}
    return json.dumps(kept, ensure_ascii=False)[1:-1]


# ------------------------------------------------------------------------------------------------
# Rows


@dataclass
class Counters:
    """Next id per table, and what was generated."""

    practice: int = 1
    contact: int = 1
    response: int = 1
    interest: int = 1
    audit: int = 1
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Pooled:
    """A set of answers drawn once and reused: its values and its JSON fragment."""

    answers: dict
    json: str


class Generator:
    """Builds consistent rows chunk by chunk from one seeded random generator.

    A practice's facts (type, size, ASCO members, English) and a response's opinions
    (interests, intentions, comments) come from pools of POOL distinct draws, each with its
    JSON fragment made once; the person, practice name and email are unique per practice.
    """

    POOL = 4096

    def __init__(self, reference: Reference, writer: Writer, seed: int) -> None:
        self.ref = reference
        self.writer = writer
        self.rng = random.Random(seed)
        self.ids = Counters()
        self.cum_country = _cumulative(reference.weights)
        #: Recent practice ids per country: staff-confirmable suggestions point at one of them.
        self.recent: dict[str, list[int]] = {}
        self.cities = {c: [word(7000 + i * 40 + k, 2) for k in range(12)]
                       for i, c in enumerate(reference.countries)}  # fmt: skip
        self.facts = [self._pooled(self.draw_facts()) for _ in range(self.POOL)]
        self.opinions = [self._pooled(self.draw_opinions()) for _ in range(self.POOL)]
        self.by_status = self.ids.by_status

    @staticmethod
    def _pooled(answers: dict) -> Pooled:
        return Pooled(answers, fragment(answers))

    # -- distributions ----------------------------------------------------------------------

    def country(self) -> str:
        return self.rng.choices(self.ref.countries, cum_weights=self.cum_country)[0]

    def moment(self) -> int:
        return self.rng.randrange(CAMPAIGN_SECONDS)

    def draw_facts(self) -> dict:
        """What a practice says about itself."""
        rng = self.rng
        oncologists = 1 + int(rng.expovariate(1 / 5))
        return {
            "practice_type": rng.choices(*PRACTICE_TYPES)[0],
            "outpatient_hem_onc": "yes" if rng.random() < 0.7 else "no",
            "oncologists_count": oncologists,
            "new_patients_per_year": oncologists * rng.randrange(100, 400),
            "asco_members_count": 0 if rng.random() < 0.45 else 1 + int(rng.expovariate(1 / 2)),
            "ehr_use": rng.choices(("full", "partial", "none"), (45, 35, 20))[0],
            "reads_english": "yes" if rng.random() < 0.65 else "no",
        }

    def draw_opinions(self) -> dict:
        """The answers that change between a practice's responses: interests, intentions."""
        rng = self.rng
        answers = {
            key: rng.choices(LEVELS, INTEREST_WEIGHTS[program])[0]
            for program, key in INTEREST_KEYS.items()
        }
        answers["qtp_formats"] = [f for f in QTP_FORMATS if rng.random() < 0.4]
        answers["licensing"] = [lic for lic in LICENSING if rng.random() < 0.2]
        answers["willing_to_sign_agreement"] = rng.choices(YES_NO_UNSURE, (55, 15, 30))[0]
        answers["willing_to_pay_qcp_fee"] = rng.choices(YES_NO_UNSURE, (35, 30, 35))[0]
        answers["timeframe"] = rng.choice(TIMEFRAMES)
        answers["comments"] = rng.choice(COMMENTS) if rng.random() < 0.3 else None
        answers["consent"] = True
        answers["permission_to_contact"] = True
        return answers

    def person(self, country: str, index: int) -> dict:
        """The respondent and practice names of practice ``index`` (unique name and email)."""
        rng = self.rng
        language = language_of(country)
        first = rng.choice(FIRST_NAMES[language])
        last = rng.choice(LAST_NAMES[language])
        return {
            "name": f"{first} {last}",
            "role": rng.choice(ROLES) if rng.random() < 0.9 else None,
            "email": f"{normalize_key(first)}.{normalize_key(last)}.{index}@"
            f"{word(index).lower()}.example",
            "phone": f"+{rng.randrange(20, 999)} {rng.randrange(10**6, 10**7)}"
            if rng.random() < 0.6
            else None,
            "preferred_language": language,
            "practice_name": f"{rng.choice(PREFIXES[language])} {word(index)}",
            "city": rng.choice(self.cities[country]) if rng.random() < 0.9 else None,
            "country": country,
        }

    # -- one chunk of practices -------------------------------------------------------------

    def chunk(self, responses_per_practice: Sequence[int], spam: int) -> None:
        """Write the practices, contacts, responses, interests and audit events of one chunk."""
        w = self.writer
        rows = {
            name: []
            for name in ("practices", "keys", "contacts", "responses", "interests", "audit")
        }
        for count in responses_per_practice:
            self._practice(count, rows)
        for _ in range(spam):
            self._spam_response(rows)
        w.write("practices", PRACTICE_COLUMNS, rows["practices"])
        w.write("practice_name_keys", ("practice_id", "key", "country_code"), rows["keys"])
        w.write("contacts", CONTACT_COLUMNS, rows["contacts"])
        w.write("survey_responses", RESPONSE_COLUMNS, rows["responses"])
        w.write("interests", INTEREST_COLUMNS, rows["interests"])
        w.write("audit_events", AUDIT_COLUMNS, rows["audit"])

    def _practice(self, count: int, rows: dict[str, list]) -> None:
        rng, ts, ids = self.rng, self.writer.timestamp, self.ids
        practice_id, contact_id = ids.practice, ids.contact
        ids.practice += 1
        ids.contact += 1
        country = self.country()
        person = self.person(country, practice_id)
        person_json = fragment(person)
        facts = rng.choice(self.facts)
        neighbours = self.recent.setdefault(country, [])
        moments = sorted(self.moment() for _ in range(count))
        latest: tuple[int, Pooled, int] | None = None
        for position, moment in enumerate(moments):
            opinions = rng.choice(self.opinions)
            answers_json = "{" + person_json + ", " + facts.json + ", " + opinions.json + "}"
            suggested = None
            if position == 0:
                status = "new"
                if neighbours and rng.random() < 0.03:
                    suggested = rng.choice(neighbours)
            else:
                status = "duplicate" if rng.random() < REPEAT_DUPLICATE_SHARE else "linked"
            response_id = ids.response
            ids.response += 1
            rows["responses"].append(
                self._response_row(
                    response_id, country, answers_json, moment, status, practice_id, contact_id,
                    suggested,
                )
            )  # fmt: skip
            if status == "duplicate":
                rows["audit"].append(
                    self._triage_audit(response_id, moment, country, practice_id, status)
                )
            else:
                latest = (response_id, opinions, moment)
        neighbours.append(practice_id)
        del neighbours[:-50]
        response_id, opinions, moment = latest
        first, last = ts(moments[0]), ts(moment)
        fact, opinion = facts.answers, opinions.answers
        rows["practices"].append(
            (practice_id, person["practice_name"], normalize_key(person["practice_name"]),
             country, person["city"], normalize_key(person["city"]) or None,
             fact["practice_type"], YES_NO.get(fact["outpatient_hem_onc"]),
             fact["oncologists_count"], fact["new_patients_per_year"],
             fact["asco_members_count"], fact["ehr_use"], YES_NO.get(fact["reads_english"]),
             YES_NO.get(opinion["willing_to_sign_agreement"]), last, first, last)
        )  # fmt: skip
        rows["keys"].extend(
            (practice_id, key, country) for key in sorted(name_keys(person["practice_name"]))
        )
        rows["contacts"].append(
            (contact_id, practice_id, person["name"], person["role"], person["email"],
             person["email"].lower(), person["phone"], person["preferred_language"], True,
             first, first, last)
        )  # fmt: skip
        qtp_details = json.dumps(
            {"formats": opinion["qtp_formats"], "licensing": opinion["licensing"]}
        )
        for program, key in INTEREST_KEYS.items():
            rows["interests"].append(
                (ids.interest, practice_id, program, opinion[key], opinion["timeframe"],
                 YES_NO.get(opinion["willing_to_pay_qcp_fee"]) if program == "QCP" else None,
                 qtp_details if program == "QTP" else "{}", response_id, last)
            )  # fmt: skip
            ids.interest += 1

    def _response_row(self, response_id, country, answers_json, moment, status, practice_id,
                      contact_id, suggested) -> tuple:  # fmt: skip
        ts = self.writer.timestamp
        web = self.rng.random() < 0.85
        self.by_status[status] = self.by_status.get(status, 0) + 1
        triaged = status in ("duplicate", "spam")
        submitted = ts(moment)
        return (
            response_id, f"gen-{response_id:09d}-{self.rng.getrandbits(40):010x}", submitted,
            language_of(country), "2026.1", "2026-11" if web else None,
            submitted if web else None, True, answers_json, "web" if web else "import",
            country, status, practice_id, contact_id, suggested,
            round(85 + self.rng.random() * 15, 1) if suggested else None,
            ts(moment + 2 * 86400) if triaged else None,
            self.ref.staff_id if triaged else None, submitted, submitted,
        )  # fmt: skip

    def _spam_response(self, rows: dict[str, list]) -> None:
        response_id = self.ids.response
        self.ids.response += 1
        country = self.country()
        moment = self.moment()
        spammer = {
            "name": "Best Offer",
            "email": f"offer{response_id}@spam.example",
            "practice_name": f"CHEAP PILLS {word(response_id)}",
            "country": country,
        }
        answers_json = "{" + fragment(spammer) + ", " + self.rng.choice(self.opinions).json + "}"
        rows["audit"].append(self._triage_audit(response_id, moment, country, None, "spam"))
        rows["responses"].append(
            self._response_row(response_id, country, answers_json, moment, "spam", None, None, None)
        )

    def _triage_audit(self, response_id, moment, country, practice_id, status) -> tuple:
        audit_id = self.ids.audit
        self.ids.audit += 1
        return (
            audit_id, self.writer.timestamp(moment + 2 * 86400), self.ref.staff_id, STAFF_EMAIL,
            "response.triage", "survey_response", str(response_id), country, practice_id,
            json.dumps({"triage_status": ["new", status]}),
        )  # fmt: skip


COUNTER_TABLES = {
    "practice": "practices",
    "contact": "contacts",
    "response": "survey_responses",
    "interest": "interests",
    "audit": "audit_events",
}


def next_id(conn: Connection, name: str) -> int:
    """The first free id of table ``name`` (the seed and the CLI write some rows first)."""
    return conn.execute(text(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {name}")).scalar()  # noqa: S608


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def practice_sizes(responses: int, rng: random.Random) -> tuple[list[int], int]:
    """Responses per practice (each at least one, a few with many) and the spam count, summing
    to ``responses``."""
    spam = round(responses * SPAM_SHARE)
    counted = responses - spam
    practices = max(1, counted // RESPONSES_PER_PRACTICE)
    sizes = [1] * practices
    for _ in range(counted - practices):
        sizes[int(practices * rng.random() ** 2)] += 1
    rng.shuffle(sizes)
    return sizes, spam


def chunks(sizes: list[int], spam: int) -> Iterator[tuple[list[int], int]]:
    """The practices in chunks of CHUNK_PRACTICES, spam spread over them."""
    count = max(1, -(-len(sizes) // CHUNK_PRACTICES))
    for index in range(count):
        part = sizes[index * CHUNK_PRACTICES : (index + 1) * CHUNK_PRACTICES]
        yield part, spam // count + (1 if index < spam % count else 0)


# ------------------------------------------------------------------------------------------------
# Country pipeline: privacy reviews, agreements, thresholds, activities


def pipeline_rows(reference: Reference, writer: Writer, rng: random.Random) -> None:
    """Reviews and agreements on a third of the countries (largest first), threshold overrides
    on a few, and some activities, so the board shows ready, near-ready and blocked countries."""
    ts, today = writer.timestamp, date(2026, 11, 29)
    conn = writer.conn
    review_id, agreement_id = next_id(conn, "privacy_reviews"), next_id(conn, "country_agreements")
    threshold_id, activity_id = next_id(conn, "country_thresholds"), next_id(conn, "activities")
    qopi = reference.launched.get("QOPI", set())
    reviews, review_programs, agreements, agreement_programs = [], [], [], []
    thresholds, activities = [], []
    candidates = reference.countries[:90]
    for number, country in enumerate(candidates):
        programs = ["QCP"] if country in qopi else ["QOPI"]
        if country not in qopi and rng.random() < 0.4:
            programs.append("QCP")
        plan = rng.choices(("ready", "near", "blocked", "none"), (35, 25, 20, 20))[0]
        if plan == "none":
            continue
        review_status = {"ready": "approved", "near": "approved_with_conditions"}.get(
            plan, rng.choice(("requested", "in_review"))
        )
        agreement_status = {"ready": "signed", "near": "negotiating"}.get(plan, "draft")
        requested = today - timedelta(days=rng.randrange(200, 600))
        decided = requested + timedelta(days=90) if plan != "blocked" else None
        reviews.append(
            (review_id + number, country, review_status, (decided or requested).isoformat(),
             "local data-protection law", "Outside counsel",
             requested.isoformat(), decided.isoformat() if decided else None,
             ts(0), ts(0))
        )  # fmt: skip
        review_programs += [(review_id + number, p) for p in programs]
        signed = requested + timedelta(days=120) if agreement_status == "signed" else None
        agreements.append(
            (agreement_id + number, country, f"National Oncology Society {word(number)}",
             agreement_status,
             (signed or requested).isoformat(), signed.isoformat() if signed else None,
             signed.isoformat() if signed else None,
             (signed + timedelta(days=3 * 365)).isoformat() if signed else None,
             ts(0), ts(0))
        )  # fmt: skip
        agreement_programs += [(agreement_id + number, p) for p in programs]
        if number % 9 == 8:
            thresholds.append(
                (threshold_id + len(thresholds), country, "QOPI", rng.randrange(6, 30),
                 "Large country", ts(0))
            )  # fmt: skip
        for k in range(rng.randrange(2, 12)):
            activities.append(
                (activity_id + len(activities), rng.choice(("note", "call", "email", "meeting")),
                 country, None, f"Pipeline follow-up {k + 1}", "Discussed the next steps.",
                 DAYS[k * 20].strip(), reference.staff_id,
                 ts(k * 20 * 86400))
            )  # fmt: skip
    writer.write(
        "privacy_reviews",
        ("id", "country_code", "status", "status_since", "applicable_law", "counsel",
         "requested_on", "decided_on", "created_at", "updated_at"),
        reviews,
    )  # fmt: skip
    writer.write("privacy_review_programs", ("privacy_review_id", "program_code"), review_programs)
    writer.write(
        "country_agreements",
        ("id", "country_code", "counterparty", "status", "status_since", "signed_on",
         "effective_on", "expires_on", "created_at", "updated_at"),
        agreements,
    )  # fmt: skip
    writer.write(
        "country_agreement_programs", ("country_agreement_id", "program_code"), agreement_programs
    )
    writer.write(
        "country_thresholds",
        ("id", "country_code", "program_code", "min_eligible_practices", "reason", "updated_at"),
        thresholds,
    )
    writer.write(
        "activities",
        ("id", "kind", "country_code", "practice_id", "subject", "body", "occurred_on",
         "author_id", "created_at"),
        activities,
    )  # fmt: skip


# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Generated:
    """What one run wrote: row counts and seconds."""

    responses: int
    practices: int
    rows: int
    seconds: float
    by_status: dict[str, int]


def _pragmas(engine, pragmas: Sequence[str]) -> None:
    """Run SQLite pragmas on the engine's connection outside any transaction (the DBAPI
    connection directly: the app's engine hooks begin every SQLAlchemy transaction)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for pragma in pragmas:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()
    finally:
        raw.close()


def generate(database_url: str, responses: int, seed: int = 7) -> Generated:
    """Write ``responses`` survey responses and everything around them into the migrated,
    seeded, otherwise empty database at ``database_url``; returns counts and the time taken."""
    started = time.perf_counter()
    sqlite = database_url.startswith("sqlite")
    # One connection throughout, so the pragmas set outside the transaction apply to it.
    engine = create_engine(database_url, **({"poolclass": StaticPool} if sqlite else {}))
    if sqlite:
        _pragmas(engine, SQLiteWriter.PRAGMAS)
    rng = random.Random(seed)
    with engine.begin() as conn:
        existing = conn.execute(text("SELECT COUNT(*) FROM survey_responses")).scalar()
        if existing:
            raise SystemExit(f"the database already holds {existing} responses")
        writer = (PostgresWriter if engine.dialect.name == "postgresql" else SQLiteWriter)(conn)
        writer.prepare()
        reference = read_reference(conn, seed)
        generator = Generator(reference, writer, seed)
        generator.ids = Counters(
            **{key: next_id(conn, name) for key, name in COUNTER_TABLES.items()}
        )
        generator.by_status = generator.ids.by_status
        sizes, spam = practice_sizes(responses, rng)
        for part, part_spam in chunks(sizes, spam):
            generator.chunk(part, part_spam)
        pipeline_rows(reference, writer, rng)
        writer.finish()
        rebuild_tallies(conn)  # after the indexes are back: it counts through them
        writer.analyze()
    if sqlite:
        _pragmas(engine, ("journal_mode=WAL",))
    engine.dispose()
    return Generated(
        responses=generator.ids.response - 1,
        practices=generator.ids.practice - 1,
        rows=writer.rows,
        seconds=time.perf_counter() - started,
        by_status=dict(generator.ids.by_status),
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--responses", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    result = generate(args.database_url, args.responses, args.seed)
    print(
        f"{result.responses} responses, {result.practices} practices, {result.rows} rows "
        f"in {result.seconds:.1f} s ({result.by_status})"
    )


if __name__ == "__main__":
    main()
