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

from sqlalchemy import create_engine, text
from sqlalchemy.pool import StaticPool

import crm.tables  # noqa: F401  (every model, so relationships between packages resolve)
from bench.pipeline import next_id, pipeline_rows
from bench.vocabulary import (
    CAMPAIGN_SECONDS,
    CHUNK_PRACTICES,
    COMMENTS,
    FIRST_NAMES,
    INTEREST_KEYS,
    INTEREST_WEIGHTS,
    LAST_NAMES,
    LEVELS,
    LICENSING,
    PRACTICE_TYPES,
    PREFIXES,
    QTP_FORMATS,
    REPEAT_DUPLICATE_SHARE,
    RESPONSES_PER_PRACTICE,
    ROLES,
    SPAM_SHARE,
    STAFF_EMAIL,
    TIMEFRAMES,
    YES_NO_UNSURE,
    Reference,
    language_of,
    read_reference,
    word,
)
from bench.writers import (
    AUDIT_COLUMNS,
    CONTACT_COLUMNS,
    INTEREST_COLUMNS,
    PRACTICE_COLUMNS,
    RESPONSE_COLUMNS,
    PostgresWriter,
    SQLiteWriter,
    Writer,
)
from crm.responses.matching import name_keys
from crm.responses.tallies import rebuild as rebuild_tallies

logger = logging.getLogger("bench.generate")

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
        """One practice with ``count`` responses: its responses (and triage), then its row, name
        keys, contact and current interests from its latest counted response."""
        ids = self.ids
        practice_id, contact_id = ids.practice, ids.contact
        ids.practice += 1
        ids.contact += 1
        country = self.country()
        person = self.person(country, practice_id)
        facts = self.rng.choice(self.facts)
        moments = sorted(self.moment() for _ in range(count))
        latest = self._responses(practice_id, contact_id, country, person, facts, moments, rows)
        self._practice_rows(practice_id, contact_id, country, person, facts, moments[0], latest,
                            rows)  # fmt: skip

    def _responses(self, practice_id: int, contact_id: int, country: str, person: dict,
                   facts: Pooled, moments: list[int],
                   rows: dict[str, list]) -> tuple[int, Pooled, int]:  # fmt: skip
        """The practice's responses at ``moments``: the first ``new`` (now and then with a
        suggested namesake), later ones ``linked`` or ``duplicate``. Returns the id, opinions
        and moment of the latest counted one."""
        rng, ids = self.rng, self.ids
        person_json = fragment(person)
        neighbours = self.recent.setdefault(country, [])
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
        return latest

    def _practice_rows(self, practice_id: int, contact_id: int, country: str, person: dict,
                       facts: Pooled, first_moment: int, latest: tuple[int, Pooled, int],
                       rows: dict[str, list]) -> None:  # fmt: skip
        """The practice's row, name keys and contact, and one interest per program, as the
        app files them from its latest counted response."""
        ts, ids = self.writer.timestamp, self.ids
        response_id, opinions, moment = latest
        first, last = ts(first_moment), ts(moment)
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
