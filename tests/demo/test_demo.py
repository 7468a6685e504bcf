"""``flask --app app demo``: a realistic data set whose readiness has ready and near-ready
countries (docs/domain.md#readiness), refused where real responses exist."""

from __future__ import annotations

import random
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from crm.accounts.models import User
from crm.activities.models import Task
from crm.core.clock import org_today
from crm.core.extensions import db as _db
from crm.countries.models import (
    Availability,
    Country,
    CountryAgreement,
    CountryThreshold,
    PrivacyReview,
    Program,
)
from crm.demo.plans import PLANS
from crm.demo.responses import DEMO_TOKEN_PREFIX, SubmissionGenerator
from crm.privacy import notice
from crm.readiness import rules as readiness
from crm.responses.models import SurveyResponse
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL

OVERRIDES = {"TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}

#: Practices eligible for QOPI per country (docs/domain.md#eligible-practices): interested, an
#: active ASCO member, reads QOPI measures in English; spam/duplicate-only practices have no
#: interests, so never count.
ELIGIBLE_SQL = """
SELECT p.country_code, COUNT(*) FROM practices p
JOIN interests i ON i.practice_id = p.id AND i.program_code = 'QOPI'
WHERE i.level IN ('very', 'somewhat') AND p.asco_members_count >= 1
  AND p.reads_english = :yes {qcp}
GROUP BY p.country_code
"""
#: QCP adds: interested in QCP, outpatient hem-onc, willing to pay the fee.
QCP_SQL = """
  AND p.outpatient_hem_onc = :yes AND EXISTS (
    SELECT 1 FROM interests q WHERE q.practice_id = p.id AND q.program_code = 'QCP'
      AND q.level IN ('very', 'somewhat') AND q.willing_to_pay_fee = :yes)
"""


def run_demo(app, *args: str):
    return app.test_cli_runner().invoke(args=["demo", *args])


def _on_postgres_server(statement: str) -> None:
    engine = create_engine(
        make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(text(statement))
    engine.dispose()


@pytest.fixture(scope="module")
def demo_url(database_template, tmp_path_factory) -> Iterator[str]:
    """A database holding the demo data, loaded once for the read-only tests of this module."""
    name = f"crm_demo_{uuid.uuid4().hex[:12]}"
    if ON_POSTGRES:
        template = make_url(database_template).database
        _on_postgres_server(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        url = make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    else:
        path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
        shutil.copyfile(database_template, path)
        url = f"sqlite:///{path}"
    application = create_app({**OVERRIDES, "SQLALCHEMY_DATABASE_URI": url})
    with application.app_context():
        result = run_demo(application)
        assert result.exit_code == 0, result.output
        _db.session.remove()
        _db.engine.dispose()
    yield url
    if ON_POSTGRES:
        _on_postgres_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def demo_db(demo_url):
    application = create_app({**OVERRIDES, "SQLALCHEMY_DATABASE_URI": demo_url})
    with application.app_context():
        yield _db
        _db.session.remove()
        _db.engine.dispose()


def eligible(db, program: str) -> dict[str, int]:
    sql = ELIGIBLE_SQL.format(qcp=QCP_SQL if program == "QCP" else "")
    return dict(db.session.execute(text(sql), {"yes": True}).all())


def country_facts(db) -> list[readiness.CountryFacts]:
    """Every country's readiness facts, gathered here with plain queries."""
    qopi, qcp = eligible(db, "QOPI"), eligible(db, "QCP")
    defaults = {p.code: p.default_threshold for p in db.session.scalars(select(Program))}
    overrides = {
        (t.country_code, t.program_code): t.min_eligible_practices
        for t in db.session.scalars(select(CountryThreshold))
    }
    availability: dict[str, dict[str, str]] = {}
    for row in db.session.scalars(select(Availability)):
        availability.setdefault(row.country_code, {})[row.program_code] = row.status
    reviews: dict[str, list] = {}
    for review in db.session.scalars(select(PrivacyReview)):
        reviews.setdefault(review.country_code, []).append(
            readiness.ReviewFact(review.status, review.program_codes, review.status_since)
        )
    agreements: dict[str, list] = {}
    for agreement in db.session.scalars(select(CountryAgreement)):
        agreements.setdefault(agreement.country_code, []).append(
            readiness.AgreementFact(
                agreement.status,
                agreement.program_codes,
                agreement.status_since,
                agreement.signed_on,
                agreement.expires_on,
            )
        )
    return [
        readiness.CountryFacts(
            country=code,
            availability=availability.get(code, {}),
            privacy_reviews=tuple(reviews.get(code, ())),
            agreements=tuple(agreements.get(code, ())),
            eligible={"QOPI": qopi.get(code, 0), "QCP": qcp.get(code, 0)},
            thresholds={p: overrides.get((code, p), defaults[p]) for p in ("QOPI", "QCP")},
        )
        for code in db.session.scalars(select(Country.code))
    ]


@pytest.fixture
def board(demo_db) -> dict[tuple[str, str], readiness.State]:
    capacity = demo_db.session.scalar(select(Program.capacity).where(Program.code == "QCP"))
    results = readiness.assess(country_facts(demo_db), today=org_today(), qcp_capacity=capacity)
    return {(r.country, r.program): r.state for r in results}


def test_demo_holds_a_few_hundred_responses_in_three_languages(demo_db):
    languages = dict(
        demo_db.session.execute(
            select(SurveyResponse.language, func.count()).group_by(SurveyResponse.language)
        ).all()
    )
    assert set(languages) == {"en", "es", "pt_BR"}
    assert 250 <= sum(languages.values()) <= 400


def test_demo_spans_about_thirty_countries(demo_db):
    countries = demo_db.session.scalar(
        select(func.count(func.distinct(SurveyResponse.country_code)))
    )
    assert countries >= 28


def test_demo_responses_look_like_web_submissions_with_demo_tokens(demo_db):
    rows = demo_db.session.execute(select(SurveyResponse.submission_token, SurveyResponse.source))
    assert all(token.startswith(DEMO_TOKEN_PREFIX) and src == "web" for token, src in rows)


def test_demo_responses_accepted_the_notice_in_effect_on_their_day(demo_db):
    """No demo response records a privacy notice published after the day it was answered."""
    rows = demo_db.session.execute(
        select(SurveyResponse.submitted_at, SurveyResponse.privacy_notice_version)
    ).all()
    assert rows
    for submitted_at, version in rows:
        moment = submitted_at if submitted_at.tzinfo else submitted_at.replace(tzinfo=UTC)
        assert notice.find_version(version).effective_on <= max(
            org_today(moment), notice.VERSIONS[0].effective_on
        ), (submitted_at, version)


def test_the_version_in_effect_is_the_newest_published_by_that_day(app):
    config = {"PRIVACY_NOTICE_VERSION": notice.VERSIONS[-1].version}
    first, *_, last = notice.VERSIONS
    assert notice.version_in_effect(last.effective_on, config) == last
    day_before = last.effective_on.fromordinal(last.effective_on.toordinal() - 1)
    assert notice.version_in_effect(day_before, config) == notice.VERSIONS[-2]
    assert notice.version_in_effect(first.effective_on.replace(year=2000), config) == first
    older = {"PRIVACY_NOTICE_VERSION": first.version}
    assert notice.version_in_effect(last.effective_on, older) == first


def test_demo_leaves_work_in_the_inbox(demo_db):
    statuses = dict(
        demo_db.session.execute(
            select(SurveyResponse.triage_status, func.count()).group_by(
                SurveyResponse.triage_status
            )
        ).all()
    )
    assert set(statuses) == {"new", "linked", "duplicate", "spam"}
    waiting = select(func.count()).where(
        SurveyResponse.triage_status == "new", SurveyResponse.suggested_practice_id.is_not(None)
    )
    assert demo_db.session.scalar(waiting) >= 1


def test_demo_has_overdue_and_upcoming_tasks(demo_db):
    today = org_today()
    due_days = demo_db.session.scalars(select(Task.due_on).where(Task.status == "open")).all()
    assert any(d and d < today for d in due_days)
    assert any(d and d >= today for d in due_days)


@pytest.mark.parametrize(
    ("country", "program", "state"),
    [
        ("CO", "QOPI", "ready"),
        ("TR", "QOPI", "ready"),
        ("EC", "QOPI", "near_ready"),
        ("AE", "QOPI", "near_ready"),
        ("EG", "QOPI", "near_ready"),
        ("ZA", "QOPI", "near_ready"),
        ("KE", "QOPI", "near_ready"),
        ("MX", "QCP", "ready"),
        ("AR", "QCP", "near_ready"),
        ("CL", "QCP", "near_ready"),
        ("UY", "QOPI", "blocked"),
        ("BR", "QCP", "launched"),
    ],
)
def test_demo_readiness_is_as_designed(board, country, program, state):
    assert board[(country, program)] == state


@pytest.mark.parametrize(("country", "program", "at_least"), [("CO", "QOPI", 5), ("TR", "QOPI", 5)])
def test_ready_countries_reach_the_threshold_by_direct_count(demo_db, country, program, at_least):
    assert eligible(demo_db, program)[country] >= at_least


def test_demo_is_refused_on_a_database_with_a_real_response(app, db, submit_response):
    submit_response(token="real-web-token")
    result = run_demo(app)
    assert result.exit_code != 0
    assert "real survey responses" in result.output
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1


@pytest.fixture
def embedded(app):
    """The test's database taken for the embedded default (SQLite under instance/, which
    tests never touch)."""
    app.config["CRM_EMBEDDED"] = True
    app.config["CRM_EMBEDDED_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"]
    return app


def responses(db) -> int:
    return db.session.scalar(select(func.count()).select_from(SurveyResponse))


def test_if_empty_is_silent_when_responses_exist(app, embedded, submit_response):
    submit_response(token="real-web-token")
    result = run_demo(app, "--if-empty")
    assert (result.exit_code, result.output) == (0, "")


@pytest.mark.parametrize("production", [False, True])
def test_if_empty_loads_nothing_into_a_configured_database(app, db, production):
    # The test's database is a configured one: a SQLite file elsewhere, or PostgreSQL.
    app.config["CRM_EMBEDDED"] = not production
    app.config["CRM_PRODUCTION"] = production
    result = run_demo(app, "--if-empty")
    assert result.exit_code == 0
    assert "Demo data not loaded: the database is not the embedded default" in result.output
    assert responses(db) == 0


def test_an_explicit_demo_loads_into_a_configured_database(app, db):
    result = run_demo(app, "--seed", "7")
    assert result.exit_code == 0, result.output
    assert "Demo data loaded" in result.output
    assert responses(db) > 0


def run_demo_admin(app, *args: str):
    return app.test_cli_runner().invoke(args=["demo-admin", *args])


def demo_admins(db, app) -> int:
    email = app.config["CRM_DEMO_ADMIN_EMAIL"]
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


def test_the_demo_admin_is_created_once_on_the_embedded_default(app, embedded, db):
    first = run_demo_admin(app, "--if-embedded")
    second = run_demo_admin(app, "--if-embedded")
    assert first.exit_code == 0
    assert "Demo admin created" in first.output
    assert "password" in first.output
    assert (second.exit_code, second.output) == (0, "")
    assert demo_admins(db, app) == 1


def test_no_demo_admin_in_a_configured_sqlite_database(app, db):
    app.config["CRM_EMBEDDED"] = True  # SQLite, not production, but not instance/crm.sqlite
    app.config["CRM_EMBEDDED_DATABASE_URI"] = "sqlite:////elsewhere/instance/crm.sqlite"
    quiet = run_demo_admin(app, "--if-embedded")
    refused = run_demo_admin(app)
    assert quiet.exit_code == 0
    assert "No demo admin created: the database is not the embedded default" in quiet.output
    assert "password" not in quiet.output
    assert refused.exit_code != 0
    assert "not the embedded default" in refused.output
    assert demo_admins(db, app) == 0


def test_if_empty_loads_once_then_does_nothing(app, embedded, db):
    first = run_demo(app, "--if-empty", "--seed", "7")
    count = db.session.scalar(select(func.count()).select_from(SurveyResponse))
    second = run_demo(app, "--if-empty", "--seed", "7")
    assert first.exit_code == 0
    assert "Demo data loaded" in first.output
    assert "password" not in first.output.lower()
    assert (second.exit_code, second.output) == (0, "")
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == count


def test_generation_is_deterministic_for_a_seed():
    now = datetime(2026, 11, 1, tzinfo=UTC)

    def names(seed: int) -> list[str]:
        generator = SubmissionGenerator(random.Random(seed), now)
        return [s.answers["practice_name"] for plan in PLANS for s in generator.country(plan)]

    assert names(11) == names(11)
    assert names(11) != names(12)
