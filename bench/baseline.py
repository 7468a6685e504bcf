"""The bare-Flask baseline the bench measures in the same run as the app (README "Performance").

Two measured endpoints (and a CPU yardstick, ``GET /calibrate``), no extensions, no templates,
no validation beyond what storing needs:

- ``POST /submit`` reads the survey's form fields with ``request.form`` and inserts the rows a
  new practice's submission gives in the app (a practice, its contact, the response with its
  answers as JSON, one interest per program) with SQLAlchemy Core, in one transaction, then
  answers 303 like the survey does.
- ``GET /counts`` runs one ``GROUP BY country, program`` count of interested practices over
  the app's own tables and returns it as text.

It writes into the app's tables of the same database (``DATABASE_URL``), so both sides pay for
the same indexes and constraints. On SQLite it uses the app's own connection settings (WAL,
busy timeout, ``BEGIN IMMEDIATE`` for writes): without them concurrent inserts fail.

Serve: ``gunicorn -w 2 bench.baseline:app`` with ``DATABASE_URL`` set.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

from flask import Flask, Response, has_request_context, redirect, request
from sqlalchemy import Connection, MetaData, create_engine, event, func, insert, select
from werkzeug.datastructures import MultiDict

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///instance/crm.sqlite")
PROGRAM_KEYS = {"QOPI": "interest_qopi", "QCP": "interest_qcp", "QTP": "interest_qtp"}
MULTI = ("qtp_formats", "licensing")
NOT_ANSWERS = ("csrf_token", "submission_token", "website")
YES_NO = {"yes": True, "no": False}
CALIBRATION_LOOPS = 100_000

engine = create_engine(DATABASE_URL, pool_pre_ping=True)

if engine.dialect.name == "sqlite":

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "busy_timeout=10000", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        writing = has_request_context() and request.method == "POST"
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


metadata = MetaData()
metadata.reflect(engine, only=["practices", "contacts", "survey_responses", "interests"])
practices = metadata.tables["practices"]
contacts = metadata.tables["contacts"]
responses = metadata.tables["survey_responses"]
interests = metadata.tables["interests"]

app = Flask(__name__)


def _int(value: str | None) -> int | None:
    digits = "".join(c for c in value or "" if c.isdigit())
    return int(digits) if digits else None


@app.post("/submit")
def submit():
    """Store one submission's rows (Core inserts, one transaction); 303 like the survey."""
    form = request.form
    answers = {
        key: form.getlist(key) if key in MULTI else form[key]
        for key in form
        if key not in NOT_ANSWERS and form[key] != ""
    }
    now = datetime.now(UTC)
    with engine.begin() as conn:
        practice_id = _insert_practice(conn, form, now)
        contact_id = _insert_contact(conn, form, practice_id, now)
        response_id = _insert_response(conn, form, answers, practice_id, contact_id, now)
        _insert_interests(conn, form, practice_id, response_id, now)
    return redirect(f"/thanks/{form['submission_token']}", code=303)


def _insert_practice(conn: Connection, form: MultiDict, now: datetime) -> int:
    """A new practice from the form's practice answers; its id."""
    name = form.get("practice_name", "").strip()
    return conn.execute(
        insert(practices)
        .values(
            name=name,
            name_key=name.casefold(),
            country_code=form["country"],
            city=form.get("city") or None,
            practice_type=form.get("practice_type"),
            outpatient_hem_onc=YES_NO.get(form.get("outpatient_hem_onc", "")),
            oncologists_count=_int(form.get("oncologists_count")),
            asco_members_count=_int(form.get("asco_members_count")),
            reads_english=YES_NO.get(form.get("reads_english", "")),
            answers_from=now,
            created_at=now,
            updated_at=now,
        )
        .returning(practices.c.id)
    ).scalar_one()


def _insert_contact(conn: Connection, form: MultiDict, practice_id: int, now: datetime) -> int:
    """The respondent as the practice's contact; its id."""
    return conn.execute(
        insert(contacts)
        .values(
            practice_id=practice_id,
            name=form.get("name", ""),
            email=form.get("email", ""),
            email_key=form.get("email", "").lower(),
            permission_to_contact=bool(form.get("permission_to_contact")),
            created_at=now,
            updated_at=now,
        )
        .returning(contacts.c.id)
    ).scalar_one()


def _insert_response(conn: Connection, form: MultiDict, answers: dict, practice_id: int,
                     contact_id: int, now: datetime) -> int:  # fmt: skip
    """The response with its answers as JSON, filed as it is stored; its id."""
    return conn.execute(
        insert(responses)
        .values(
            submission_token=form["submission_token"],
            submitted_at=now,
            language="en",
            questionnaire_version="2026.1",
            consent_at=now,
            permission_to_contact=bool(form.get("permission_to_contact")),
            answers=answers,
            source="web",
            country_code=form["country"],
            triage_status="new",
            practice_id=practice_id,
            contact_id=contact_id,
            created_at=now,
            filed_at=now,  # filed as it is stored: the app's worker must leave it alone
        )
        .returning(responses.c.id)
    ).scalar_one()


def _insert_interests(conn: Connection, form: MultiDict, practice_id: int, response_id: int,
                      now: datetime) -> None:  # fmt: skip
    """One interest per program the form answered."""
    conn.execute(
        insert(interests),
        [
            {
                "practice_id": practice_id,
                "program_code": program,
                "level": form[key],
                "timeframe": form.get("timeframe"),
                "details": {},
                "response_id": response_id,
                "updated_at": now,
            }
            for program, key in PROGRAM_KEYS.items()
            if form.get(key)
        ],
    )


@app.get("/counts")
def counts():
    """Interested practices per country and program: one GROUP BY over the app's tables."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(practices.c.country_code, interests.c.program_code, func.count())
            .join(practices, practices.c.id == interests.c.practice_id)
            .where(interests.c.level.in_(("very", "somewhat")))
            .group_by(practices.c.country_code, interests.c.program_code)
        ).all()
    body = json.dumps([[country, program, n] for country, program, n in rows])
    return Response(body, mimetype="application/json")


@app.get("/calibrate")
def calibrate():
    """A fixed amount of pure-Python work (about 20 ms on an idle core): measured beside each
    page, it tells how much CPU the machine gave in that minute (README "Performance")."""
    total = sum(i * i % 7 for i in range(CALIBRATION_LOOPS))
    return str(total)


@app.get("/")
def alive():
    """Whether the server answers (the runner waits for it)."""
    return "ok"
