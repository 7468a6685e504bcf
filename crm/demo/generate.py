"""Synthetic demo data (``flask --app app demo``): a living pipeline for a newcomer (issue 4).

About 300 survey responses from practices in 31 countries, in the languages each country
answers in, entered through ``crm.intake.intake_response`` like real ones (source ``web``,
submission tokens ``demo-…``, submitted over the past 18 months), then triaged the way staff
would: older responses confirmed, re-submissions marked duplicate, close names merged or left
as suggestions in the inbox, spam marked. Privacy reviews and agreements sit at every stage, a
few thresholds are overridden, and demo staff own activities and tasks.

Designed against the SPEC §3 rules with the seeded defaults (QOPI threshold 5, QCP threshold 3,
QCP capacity 6, QCP launched in 5 countries):

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
import secrets
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import click
from flask import current_app, g
from flask.cli import with_appcontext
from sqlalchemy import exists, func, select

from crm.accounts.models import User
from crm.activities import operations as activities
from crm.audit import operations as audit
from crm.cli import NOT_EMBEDDED, create_user, on_embedded_database
from crm.core.clock import org_today
from crm.core.columns import utcnow
from crm.core.extensions import db
from crm.countries.models import (
    Availability,
    AvailabilityChange,
    CountryAgreement,
    CountryThreshold,
    PrivacyReview,
    Program,
)
from crm.demo.plans import (
    AGREEMENTS,
    AVAILABILITY_CHANGES,
    COMMENTS,
    COUNTRY_ACTIVITIES,
    COUNTRY_TASKS,
    DEFAULT_VARIANT_SUFFIXES,
    DEMO_STAFF,
    PLANS,
    PORTUGUESE,
    PRACTICE_ACTIVITIES,
    PRACTICE_TASKS,
    PRIVACY_REVIEWS,
    ROLES,
    SPAM_NAMES,
    SPANISH,
    STYLES,
    THRESHOLDS,
    VARIANT_SUFFIXES,
    CountryPlan,
)
from crm.responses import operations as triage
from crm.responses.intake import intake_response
from crm.responses.matching import normalize_key
from crm.responses.models import Practice, SurveyResponse

logger = logging.getLogger(__name__)

DEMO_TOKEN_PREFIX = "demo-"  # noqa: S105 (a prefix, not a password)
DEMO_EMAIL_DOMAIN = "demo.example.org"
DEFAULT_SEED = 2026
#: Responses submitted more than this many days ago were triaged by (imaginary) staff.
TRIAGED_AFTER_DAYS = 45
HISTORY_DAYS = 540


class DemoRefused(RuntimeError):
    """The demo data cannot be loaded here; ``str(error)`` says why."""


@dataclass
class Submission:
    """A response to enter: its answers, language, time and what kind of demo case it is."""

    kind: str  # original | second | duplicate | variant | spam
    answers: dict
    language: str
    submitted_at: datetime
    plan_code: str
    response: SurveyResponse | None = None


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


# --- generation --------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())


class _Generator:
    """Builds the submissions of every plan from one seeded ``random.Random``."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.used_keys: set[tuple[str, str]] = set()
        self.used_emails: set[str] = set()
        self.token_number = 0

    def language(self, code: str) -> str:
        roll = self.rng.random()
        if code in SPANISH:
            return "es" if roll < 0.85 else "en"
        if code in PORTUGUESE:
            return "pt_BR" if roll < 0.9 else "en"
        return "en"

    def practice_name(self, plan: CountryPlan, city: str) -> str:
        pool = STYLES[plan.style]
        for _attempt in range(200):
            pattern = self.rng.choice(pool["patterns"])
            name = pattern.format(
                saint=self.rng.choice(pool["saint"]),
                place=self.rng.choice(pool["place"]),
                last=self.rng.choice(pool["last"]),
                city=city,
            )
            if (plan.code, normalize_key(name)) not in self.used_keys:
                self.used_keys.add((plan.code, normalize_key(name)))
                return name
        raise RuntimeError(f"demo names exhausted for {plan.code}")

    def person(self, plan: CountryPlan, practice_name: str) -> tuple[str, str]:
        pool = STYLES[plan.style]
        domain = f"{_ascii(practice_name)[:24]}.{plan.code.lower()}.example"
        for _attempt in range(200):
            first, last = self.rng.choice(pool["first"]), self.rng.choice(pool["last"])
            email = f"{_ascii(first)}.{_ascii(last)}@{domain}"
            if email not in self.used_emails:
                self.used_emails.add(email)
                return f"{first} {last}", email
        raise RuntimeError(f"demo people exhausted for {practice_name}")

    def moment(self, low_days: float, high_days: float) -> datetime:
        return self.now - timedelta(days=self.rng.uniform(low_days, high_days))

    def answers(self, plan: CountryPlan, profile: str, name: str, city: str, language: str):
        rng = self.rng
        person, email = self.person(plan, name)
        interested = ("very", "somewhat")
        answers = {
            "name": person,
            "role": rng.choice(ROLES[language]),
            "email": email,
            "preferred_language": language,
            "practice_name": name,
            "country": plan.code,
            "city": city,
            "practice_type": rng.choice(
                ("private_practice", "hospital_based", "academic_center", "cancer_center")
                if profile == "qcp"
                else ("private_practice", "hospital_based", "public_hospital", "other")
            ),
            "outpatient_hem_onc": "yes",
            "oncologists_count": rng.randint(2, 40),
            "new_patients_per_year": rng.randrange(200, 6000, 50),
            "asco_members_count": rng.randint(1, 6),
            "ehr_use": rng.choice(("full", "full", "partial", "none")),
            "interest_qopi": rng.choice(interested),
            "interest_qcp": rng.choice(interested),
            "interest_qtp": rng.choice(("very", "somewhat", "not_very", "not_at_all")),
            "reads_english": "yes",
            "willing_to_sign_agreement": rng.choice(("yes", "yes", "unsure")),
            "willing_to_pay_qcp_fee": "yes",
            "timeframe": rng.choice(
                ("within_6_months", "6_to_12_months", "over_12_months", "not_sure")
            ),
            "consent": True,
            "permission_to_contact": rng.random() < 0.85,
        }
        if profile == "qopi":
            # QOPI-eligible, but one QCP condition fails (SPEC §3 QCP criterion 3).
            failing = rng.choice(("interest", "hem_onc", "fee"))
            if failing == "interest":
                answers["interest_qcp"] = rng.choice(("not_very", "not_at_all"))
            elif failing == "hem_onc":
                answers["outpatient_hem_onc"] = "no"
            else:
                answers["willing_to_pay_qcp_fee"] = rng.choice(("no", "unsure"))
        elif profile == "other":
            failing = rng.choice(("no_member", "no_english", "not_interested"))
            if failing == "no_member":
                answers["asco_members_count"] = 0
            elif failing == "no_english":
                answers["reads_english"] = "no"
            else:
                answers["interest_qopi"] = rng.choice(("not_very", "not_at_all"))
                answers["interest_qcp"] = "not_at_all"
                answers["interest_qtp"] = "very"
        if answers["interest_qtp"] in interested:
            answers["qtp_formats"] = rng.sample(
                ["six_month", "one_day", "train_the_trainer"], rng.randint(1, 2)
            )
            if rng.random() < 0.3:
                answers["licensing"] = ["qtp_content"]
        if rng.random() < 0.25:
            answers["comments"] = rng.choice(COMMENTS[language])
        return answers

    def country(self, plan: CountryPlan) -> Iterator[Submission]:
        profiles = ["qcp"] * plan.qcp + ["qopi"] * plan.qopi + ["other"] * plan.other
        self.rng.shuffle(profiles)
        originals = []
        for profile in profiles:
            city = self.rng.choice(plan.cities)
            name = self.practice_name(plan, city)
            language = self.language(plan.code)
            original = Submission(
                "original",
                self.answers(plan, profile, name, city, language),
                language,
                self.moment(1, HISTORY_DAYS),
                plan.code,
            )
            originals.append(original)
            yield original
            roll = self.rng.random()
            if roll < 0.12:
                yield self.second(plan, original, profile)
            elif roll < 0.16:
                yield self.duplicate(original)
        for original in self.rng.sample(originals, plan.variants):
            yield self.variant(plan, original)

    def later(self, after: datetime) -> datetime:
        delay = timedelta(days=self.rng.uniform(2, 120))
        return min(after + delay, self.now - timedelta(hours=self.rng.uniform(1, 48)))

    def second(self, plan: CountryPlan, original: Submission, profile: str) -> Submission:
        """Another person at the same practice: the equal name links it (SPEC §3)."""
        answers = dict(original.answers)
        person, email = self.person(plan, answers["practice_name"])
        language = self.language(plan.code)
        answers.update(
            name=person,
            email=email,
            role=self.rng.choice(ROLES[language]),
            preferred_language=language,
            practice_name=answers["practice_name"].upper(),
            timeframe=self.rng.choice(("within_6_months", "6_to_12_months")),
        )
        answers.pop("comments", None)
        return Submission("second", answers, language, self.later(original.submitted_at), plan.code)

    def duplicate(self, original: Submission) -> Submission:
        """The same person sending the form again days later (same email: linked, then marked
        duplicate by staff)."""
        return Submission(
            "duplicate",
            dict(original.answers),
            original.language,
            self.later(original.submitted_at),
            original.plan_code,
        )

    def variant(self, plan: CountryPlan, original: Submission) -> Submission:
        """The same practice under a close name (a suggestion staff confirm)."""
        answers = dict(original.answers)
        suffixes = VARIANT_SUFFIXES.get(plan.style, DEFAULT_VARIANT_SUFFIXES)
        answers["practice_name"] = answers["practice_name"] + self.rng.choice(suffixes)
        person, email = self.person(plan, answers["practice_name"])
        answers.update(name=person, email=email)
        recent = self.rng.random() < 0.6
        when = (
            self.moment(1, TRIAGED_AFTER_DAYS - 5) if recent else self.later(original.submitted_at)
        )
        when = max(when, original.submitted_at + timedelta(hours=1))
        return Submission("variant", answers, original.language, when, plan.code)

    def spam(self, index: int) -> Submission:
        plan = self.rng.choice(PLANS)
        name = SPAM_NAMES[index % len(SPAM_NAMES)]
        answers = {
            "name": self.rng.choice(("John Doe", "Admin", "Mike", "test", "Best Offer")),
            "email": f"offer{index}@promo{index}.example",
            "practice_name": name,
            "country": plan.code,
            "city": self.rng.choice(("London", "asdf", "", "New York")),
            "interest_qopi": "very",
            "interest_qcp": "very",
            "interest_qtp": "very",
            "asco_members_count": 0,
            "reads_english": "yes",
            "comments": self.rng.choice(
                (
                    "Visit our website for the best prices!!!",
                    "Great offers http://promo.example",
                    "test",
                )
            ),
            "consent": True,
            "permission_to_contact": True,
        }
        # The first two arrived this week and still wait in the inbox.
        when = self.moment(1, 7) if index < 2 else self.moment(1, HISTORY_DAYS)
        return Submission("spam", answers, "en", when, plan.code)

    def token(self) -> str:
        self.token_number += 1
        return f"{DEMO_TOKEN_PREFIX}{self.token_number:05d}-{self.rng.getrandbits(32):08x}"


# --- loading -----------------------------------------------------------------------------------


def _intake(submission: Submission, generator: _Generator) -> None:
    result = intake_response(
        submission.answers,
        language=submission.language,
        submission_token=generator.token(),
        consent_at=submission.submitted_at,
        privacy_notice_version=current_app.config["PRIVACY_NOTICE_VERSION"],
        source="web",
        submitted_at=submission.submitted_at,
    )
    submission.response = result.response


def _triage(submissions: list[Submission], now: datetime) -> dict[str, int]:
    """Do what staff would have done with everything older than TRIAGED_AFTER_DAYS."""
    done = {"confirmed": 0, "merged": 0, "linked": 0, "duplicate": 0, "spam": 0}
    cutoff = now - timedelta(days=TRIAGED_AFTER_DAYS)
    variants_seen = 0
    for submission in sorted(submissions, key=lambda s: s.submitted_at):
        response = submission.response
        old = submission.submitted_at < cutoff
        if submission.kind == "duplicate":
            triage.mark_duplicate(response)
            done["duplicate"] += 1
        elif submission.kind == "spam" and submission.submitted_at < now - timedelta(days=10):
            triage.mark_spam(response)
            done["spam"] += 1
        elif submission.kind == "variant" and old and response.suggested_practice is not None:
            variants_seen += 1
            if variants_seen % 2:
                triage.merge_practices(response.practice, response.suggested_practice)
                done["merged"] += 1
            else:
                triage.link_response(response, response.suggested_practice)
                done["linked"] += 1
        elif submission.kind == "original" and old and response.triage_status == "new":
            triage.dismiss_suggestion(response)
            done["confirmed"] += 1
    return done


def _users() -> list[User]:
    staff = []
    for local, name, role in DEMO_STAFF:
        email = f"{local}@{DEMO_EMAIL_DOMAIN}"
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            # Random and never shown: demo people exist to own tasks; log in as the demo admin.
            user = create_user(email, role, secrets.token_urlsafe(18), name=name)
        if role != "viewer":
            staff.append(user)
    admin = db.session.scalar(
        select(User).where(User.email == current_app.config["CRM_DEMO_ADMIN_EMAIL"])
    )
    return [admin, *staff] if admin is not None else staff


def _programs(codes: tuple[str, ...]) -> list[Program]:
    return [db.session.get(Program, code) for code in codes]


def _pipeline(today: date) -> None:
    """Privacy reviews, agreements, threshold overrides and availability, at every stage."""
    for code, status, programs, law, requested, decided, conditions, notes in PRIVACY_REVIEWS:
        requested_on = today - timedelta(days=requested) if requested is not None else None
        decided_on = today - timedelta(days=decided) if decided is not None else None
        db.session.add(
            PrivacyReview(
                country_code=code,
                status=status,
                status_since=decided_on or requested_on,
                applicable_law=law,
                counsel="Outside counsel" if requested is not None else None,
                requested_on=requested_on,
                decided_on=decided_on,
                conditions=conditions,
                notes=notes,
                programs=_programs(programs),
            )
        )
    for code, status, programs, counterparty, since, expires_in, notes in AGREEMENTS:
        since_day = today - timedelta(days=since)
        signed = status in ("signed", "expired")
        db.session.add(
            CountryAgreement(
                country_code=code,
                counterparty=counterparty,
                status=status,
                status_since=today + timedelta(days=expires_in + 1)
                if status == "expired"
                else since_day,
                signed_on=since_day if signed else None,
                effective_on=since_day + timedelta(days=14) if signed else None,
                expires_on=today + timedelta(days=expires_in) if expires_in is not None else None,
                notes=notes,
                programs=_programs(programs),
            )
        )
    for code, program, threshold, reason in THRESHOLDS:
        db.session.add(
            CountryThreshold(
                country_code=code,
                program_code=program,
                min_eligible_practices=threshold,
                reason=reason,
            )
        )
    for code, program, status, days_ago in AVAILABILITY_CHANGES:
        availability = db.session.scalar(
            select(Availability).where(
                Availability.country_code == code, Availability.program_code == program
            )
        )
        if availability is None or availability.status == status:
            continue
        since = today - timedelta(days=days_ago)
        availability.history.append(
            AvailabilityChange(
                previous_status=availability.status,
                status=status,
                since=since,
                source="demo data",
                as_of=since,
            )
        )
        availability.status, availability.since = status, since
        availability.source, availability.as_of = "demo data", since


def _first_practice(code: str, eligible: bool = True) -> Practice | None:
    statement = select(Practice).where(Practice.country_code == code).order_by(Practice.id)
    if eligible:
        statement = statement.where(
            Practice.asco_members_count > 0, Practice.reads_english.is_(True)
        )
    return db.session.scalars(statement.limit(1)).first()


def _timeline(owners: list[User], today: date) -> tuple[int, int]:
    """Activities and tasks on the designed countries and a few practices."""

    def owner(i: int) -> User:
        return owners[i % len(owners)]

    for i, (code, kind, subject, body, days_ago) in enumerate(COUNTRY_ACTIVITIES):
        activities.add_activity(
            kind=kind,
            subject=subject,
            body=body,
            occurred_on=today - timedelta(days=days_ago),
            country_code=code,
            author=owner(i),
        )
    count = len(COUNTRY_ACTIVITIES)
    for i, (code, kind, subject, days_ago) in enumerate(PRACTICE_ACTIVITIES):
        practice = _first_practice(code)
        if practice is not None:
            activities.add_activity(
                kind=kind,
                subject=subject,
                body=None,
                occurred_on=today - timedelta(days=days_ago),
                practice=practice,
                author=owner(i + 1),
            )
            count += 1
    tasks = 0
    for i, (code, title, due_in, status) in enumerate(COUNTRY_TASKS):
        activities.add_task(
            title=title,
            owner=owner(i),
            due_on=today + timedelta(days=due_in) if due_in is not None else None,
            country_code=code,
            status=status,
        )
        tasks += 1
    for i, (code, title, due_in) in enumerate(PRACTICE_TASKS):
        practice = _first_practice(code, eligible=code != "PE")
        if practice is not None:
            activities.add_task(
                title=title,
                owner=owner(i + 2),
                due_on=today + timedelta(days=due_in),
                practice=practice,
            )
            tasks += 1
    return count, tasks


def load_demo(seed: int = DEFAULT_SEED) -> DemoReport:
    """Load the demo data set into the current session; the caller commits.

    Raises ``DemoRefused`` when the database holds a real response, when the demo is already
    loaded, or when the reference data (``flask --app app seed``) is missing.
    """
    state = demo_state()
    if state == "real":
        raise DemoRefused(
            "this database holds real survey responses; the demo data is only for a fresh one"
        )
    if state == "demo":
        raise DemoRefused("the demo data is already loaded")
    if db.session.get(Program, "QOPI") is None:
        raise DemoRefused("reference data is missing: run `flask --app app seed` first")
    g.cli_actor = "demo"
    rng = random.Random(seed)
    now, today = utcnow(), org_today()
    generator = _Generator(rng, now)
    submissions = [s for plan in PLANS for s in generator.country(plan)]
    submissions += [generator.spam(i) for i in range(12)]
    # Originals first, so later submissions find (or are suggested) the practices they match.
    order = {"original": 0, "spam": 0}
    for submission in sorted(submissions, key=lambda s: (order.get(s.kind, 1), s.submitted_at)):
        _intake(submission, generator)
    report = DemoReport(responses=len(submissions), countries=len(PLANS))
    report.triage = _triage(submissions, now)
    owners = _users()
    report.users = len(DEMO_STAFF)
    _pipeline(today)
    report.activities, report.tasks = _timeline(owners, today)
    report.practices = db.session.scalar(select(func.count()).select_from(Practice))
    audit.record(
        "demo.load",
        "database",
        "demo",
        {"responses": [None, report.responses], "seed": [None, seed]},
    )
    db.session.flush()
    logger.info("demo data loaded: %s responses (seed %s)", report.responses, seed)
    return report


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
