"""Synthetic demo data (``flask --app app demo``): a living pipeline for a newcomer.

About 300 survey responses from practices in 31 countries, in the languages each country
answers in, entered through ``crm.responses.intake.intake_response`` like real ones (source
``web``, submission tokens ``demo-…``, submitted over the past 18 months), then triaged the way
staff would: older responses confirmed, re-submissions marked duplicate, close names merged or
left as suggestions in the inbox, spam marked (``crm.demo.responses``). Privacy reviews and
agreements sit at every stage, a few thresholds are overridden (``crm.demo.pipeline``), and
demo staff own activities and tasks (``crm.demo.timeline``).

Designed against the readiness rules (docs/domain.md#readiness) with the seeded defaults (QOPI
threshold 5, QCP threshold 3, QCP capacity 6, QCP launched in 5 countries):

- QOPI **ready**: Colombia (CO) and Türkiye (TR).
- QOPI **near ready** (one criterion short): Ecuador (eligible practices 3 of 5), United Arab
  Emirates (agreement out for signature), Egypt (privacy review in review), South Africa
  (agreement expired), Kenya (agreement in negotiation; threshold 3).
- QCP **ready** in a country with QOPI but not QCP: Mexico. QCP **near ready**: Argentina
  (eligible QCP practices 2 of 3), Chile (agreement in negotiation).
- Everything else blocked or launched.

Deterministic for a given seed (dates are relative to when it runs). Refused when the database
holds a real response (one whose token does not start with ``demo-``).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field

import click
from flask import current_app, g
from flask.cli import with_appcontext
from sqlalchemy import exists, func, select

from crm.audit import operations as audit
from crm.cli import NOT_EMBEDDED, on_embedded_database
from crm.core.clock import org_today
from crm.core.columns import utcnow
from crm.core.extensions import db
from crm.countries.models import Program
from crm.demo.pipeline import add_pipeline
from crm.demo.plans import DEMO_STAFF, PLANS
from crm.demo.responses import (
    DEMO_TOKEN_PREFIX,
    SubmissionGenerator,
    intake,
    triage_as_staff,
)
from crm.demo.timeline import add_timeline, add_users
from crm.readiness.operations import count_response_days, rebuild_eligible_counts
from crm.responses.models import Practice, SurveyResponse
from crm.responses.tallies import apply_pending

logger = logging.getLogger(__name__)

DEFAULT_SEED = 2026


class DemoRefused(RuntimeError):
    """The demo data cannot be loaded here; ``str(error)`` says why."""


@dataclass
class DemoReport:
    """What the demo loaded."""

    responses: int = 0
    practices: int = 0
    countries: int = 0
    users: int = 0
    activities: int = 0
    tasks: int = 0
    triage: dict[str, int] = field(default_factory=dict)


def demo_state() -> str:
    """``"empty"`` (no responses), ``"demo"`` (only demo responses) or ``"real"`` (at least
    one response whose submission token does not start with ``demo-``)."""
    real = db.session.scalar(
        select(exists().where(~SurveyResponse.submission_token.startswith(DEMO_TOKEN_PREFIX)))
    )
    if real:
        return "real"
    return "demo" if db.session.scalar(select(exists().where(SurveyResponse.id > 0))) else "empty"


def load_demo(seed: int = DEFAULT_SEED) -> DemoReport:
    """Load the demo data set into the current session; the caller commits.

    Raises ``DemoRefused`` when the database holds a real response, when the demo is already
    loaded, or when the reference data (``flask --app app seed``) is missing.
    """
    _refuse_unless_fresh()
    g.cli_actor = "demo"
    now, today = utcnow(), org_today()
    generator = SubmissionGenerator(random.Random(seed), now)
    submissions = [s for plan in PLANS for s in generator.country(plan)]
    submissions += [generator.spam(i) for i in range(12)]
    # Originals first, so later submissions find (or are suggested) the practices they match.
    order = {"original": 0, "spam": 0}
    for submission in sorted(submissions, key=lambda s: (order.get(s.kind, 1), s.submitted_at)):
        intake(submission, generator)
    report = DemoReport(responses=len(submissions), countries=len(PLANS))
    report.triage = triage_as_staff(submissions, now)
    owners = add_users()
    report.users = len(DEMO_STAFF)
    add_pipeline(today)
    report.activities, report.tasks = add_timeline(owners, today)
    report.practices = db.session.scalar(select(func.count()).select_from(Practice))
    # The demo's responses are dated over the past months: give the dashboard's 30-day figures
    # and the forecasts that past (docs/domain.md#forecast).
    apply_pending()
    rebuild_eligible_counts(db.session.connection())
    count_response_days(db.session.connection(), today)
    audit.record(
        "demo.load",
        "database",
        "demo",
        {"responses": [None, report.responses], "seed": [None, seed]},
    )
    db.session.flush()
    logger.info("demo data loaded: %s responses (seed %s)", report.responses, seed)
    return report


def _refuse_unless_fresh() -> None:
    """Raise DemoRefused unless the database holds no response and its reference data."""
    state = demo_state()
    if state == "real":
        raise DemoRefused(
            "this database holds real survey responses; the demo data is only for a fresh one"
        )
    if state == "demo":
        raise DemoRefused("the demo data is already loaded")
    if db.session.get(Program, "QOPI") is None:
        raise DemoRefused("reference data is missing: run `flask --app app seed` first")


@click.command("demo")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Only on the embedded default, and only when no response exists (make run); "
    "no error otherwise.",
)
@click.option("--seed", default=DEFAULT_SEED, show_default=True, help="Random seed.")
@with_appcontext
def demo_command(if_empty: bool, seed: int) -> None:
    """Load a synthetic demo data set (responses, practices, pipeline, tasks) into a fresh
    database; refused when it holds real responses. With ``--if-empty`` (``make run``): on a
    fresh embedded default only, never into a configured database."""
    state = demo_state()
    if if_empty and state != "empty":
        return
    if if_empty and not on_embedded_database():
        click.echo(f"Demo data not loaded: {NOT_EMBEDDED}. `flask --app app demo` loads it.")
        return
    if current_app.config.get("CRM_PRODUCTION"):
        raise click.ClickException("demo data is never loaded in production")
    crm_logger = logging.getLogger("crm")
    level = crm_logger.level
    # Hundreds of per-response log lines would bury the summary; warnings still show.
    crm_logger.setLevel(logging.WARNING)
    try:
        report = load_demo(seed)
    except DemoRefused as error:
        raise click.ClickException(str(error)) from error
    finally:
        crm_logger.setLevel(level)
    db.session.commit()
    click.echo(
        f"Demo data loaded: {report.responses} responses, {report.practices} practices in "
        f"{report.countries} countries, {report.tasks} tasks, {report.activities} activities."
    )
