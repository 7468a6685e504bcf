"""The generated country pipeline: privacy reviews, agreements, threshold overrides and
activities on a third of the countries, so the readiness board shows every state."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Connection, text

from bench.vocabulary import Reference, word
from bench.writers import DAYS, Writer

#: The day the generated pipeline is as of.
TODAY = date(2026, 11, 29)


def next_id(conn: Connection, name: str) -> int:
    """The first free id of table ``name`` (the seed and the CLI write some rows first)."""
    return conn.execute(text(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {name}")).scalar()  # noqa: S608


@dataclass
class PipelineRows:
    """The rows of the generated pipeline, table by table, and the first free id of each."""

    first_ids: dict[str, int]
    reviews: list[tuple] = field(default_factory=list)
    review_programs: list[tuple] = field(default_factory=list)
    agreements: list[tuple] = field(default_factory=list)
    agreement_programs: list[tuple] = field(default_factory=list)
    thresholds: list[tuple] = field(default_factory=list)
    activities: list[tuple] = field(default_factory=list)


def pipeline_rows(reference: Reference, writer: Writer, rng: random.Random) -> None:
    """Reviews and agreements on a third of the countries (largest first), threshold overrides
    on a few, and some activities, so the board shows ready, near-ready and blocked countries."""
    conn = writer.conn
    rows = PipelineRows(
        {name: next_id(conn, name) for name in (
            "privacy_reviews", "country_agreements", "country_thresholds", "activities")}
    )  # fmt: skip
    qopi = reference.launched.get("QOPI", set())
    for number, country in enumerate(reference.countries[:90]):
        programs = ["QCP"] if country in qopi else ["QOPI"]
        if country not in qopi and rng.random() < 0.4:
            programs.append("QCP")
        plan = rng.choices(("ready", "near", "blocked", "none"), (35, 25, 20, 20))[0]
        if plan == "none":
            continue
        _review_and_agreement(rows, number, country, programs, plan, writer.timestamp, rng)
        _threshold_and_activities(rows, number, country, reference, writer.timestamp, rng)
    _write(writer, rows)


def _review_and_agreement(rows: PipelineRows, number: int, country: str, programs: list[str],
                          plan: str, ts: Callable[[int], str],
                          rng: random.Random) -> None:  # fmt: skip
    """A privacy review and an agreement of ``country`` covering ``programs``, as far along as
    ``plan`` (``ready``, ``near``, ``blocked``) says."""
    review_id = rows.first_ids["privacy_reviews"] + number
    agreement_id = rows.first_ids["country_agreements"] + number
    review_status = {"ready": "approved", "near": "approved_with_conditions"}.get(
        plan, rng.choice(("requested", "in_review"))
    )
    agreement_status = {"ready": "signed", "near": "negotiating"}.get(plan, "draft")
    requested = TODAY - timedelta(days=rng.randrange(200, 600))
    decided = requested + timedelta(days=90) if plan != "blocked" else None
    rows.reviews.append(
        (review_id, country, review_status, (decided or requested).isoformat(),
         "local data-protection law", "Outside counsel",
         requested.isoformat(), decided.isoformat() if decided else None,
         ts(0), ts(0))
    )  # fmt: skip
    rows.review_programs += [(review_id, p) for p in programs]
    signed = requested + timedelta(days=120) if agreement_status == "signed" else None
    rows.agreements.append(
        (agreement_id, country, f"National Oncology Society {word(number)}",
         agreement_status,
         (signed or requested).isoformat(), signed.isoformat() if signed else None,
         signed.isoformat() if signed else None,
         (signed + timedelta(days=3 * 365)).isoformat() if signed else None,
         ts(0), ts(0))
    )  # fmt: skip
    rows.agreement_programs += [(agreement_id, p) for p in programs]


def _threshold_and_activities(rows: PipelineRows, number: int, country: str,
                              reference: Reference, ts: Callable[[int], str],
                              rng: random.Random) -> None:  # fmt: skip
    """A QOPI threshold override on every ninth country, and a few logged activities."""
    if number % 9 == 8:
        rows.thresholds.append(
            (rows.first_ids["country_thresholds"] + len(rows.thresholds), country, "QOPI",
             rng.randrange(6, 30), "Large country", ts(0))
        )  # fmt: skip
    for k in range(rng.randrange(2, 12)):
        rows.activities.append(
            (rows.first_ids["activities"] + len(rows.activities),
             rng.choice(("note", "call", "email", "meeting")),
             country, None, f"Pipeline follow-up {k + 1}", "Discussed the next steps.",
             DAYS[k * 20].strip(), reference.staff_id,
             ts(k * 20 * 86400))
        )  # fmt: skip


def _write(writer: Writer, rows: PipelineRows) -> None:
    """Write the pipeline's rows, table by table."""
    writer.write(
        "privacy_reviews",
        ("id", "country_code", "status", "status_since", "applicable_law", "counsel",
         "requested_on", "decided_on", "created_at", "updated_at"),
        rows.reviews,
    )  # fmt: skip
    writer.write(
        "privacy_review_programs", ("privacy_review_id", "program_code"), rows.review_programs
    )
    writer.write(
        "country_agreements",
        ("id", "country_code", "counterparty", "status", "status_since", "signed_on",
         "effective_on", "expires_on", "created_at", "updated_at"),
        rows.agreements,
    )  # fmt: skip
    writer.write(
        "country_agreement_programs", ("country_agreement_id", "program_code"),
        rows.agreement_programs,
    )  # fmt: skip
    writer.write(
        "country_thresholds",
        ("id", "country_code", "program_code", "min_eligible_practices", "reason", "updated_at"),
        rows.thresholds,
    )
    writer.write(
        "activities",
        ("id", "kind", "country_code", "practice_id", "subject", "body", "occurred_on",
         "author_id", "created_at"),
        rows.activities,
    )  # fmt: skip
