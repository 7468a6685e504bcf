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

Deterministic for a given seed and organization day. Refused when the database holds a real
response (one whose token does not start with ``demo-``).
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

from crm import audit
from crm.cli import create_user
from crm.clock import org_today
from crm.demo_people import COMMENTS, ROLES, SPAM_NAMES, STYLES
from crm.extensions import db
from crm.intake import intake_response
from crm.models import (
    Availability,
    AvailabilityChange,
    CountryAgreement,
    CountryThreshold,
    Practice,
    PrivacyReview,
    Program,
    SurveyResponse,
    User,
)
from crm.models._types import utcnow
from crm.operations import activities, triage
from crm.practices import normalize_key

logger = logging.getLogger(__name__)

DEMO_TOKEN_PREFIX = "demo-"  # noqa: S105 (a prefix, not a password)
DEMO_EMAIL_DOMAIN = "demo.example.org"
DEFAULT_SEED = 2026
#: Responses submitted more than this many days ago were triaged by (imaginary) staff.
TRIAGED_AFTER_DAYS = 45
HISTORY_DAYS = 540


class DemoRefused(RuntimeError):
    """The demo data cannot be loaded here; ``str(error)`` says why."""


@dataclass(frozen=True)
class CountryPlan:
    """How many practices a country gets: eligible for QOPI and QCP (``qcp``), for QOPI only
    (``qopi``), not eligible (``other``), plus close-name re-submissions (``variants``)."""

    code: str
    style: str
    cities: tuple[str, ...]
    qcp: int = 0
    qopi: int = 0
    other: int = 0
    variants: int = 0


# fmt: off
PLANS = (
    # QOPI ready (review approved, agreement signed, ≥ 5 eligible).
    CountryPlan("CO", "es", ("Bogotá", "Medellín", "Cali", "Barranquilla", "Bucaramanga",
                             "Cartagena"), 3, 4, 5, 2),
    CountryPlan("TR", "tr", ("İstanbul", "Ankara", "İzmir", "Bursa", "Antalya", "Adana"),
                            1, 5, 4, 1),
    # QOPI near ready.
    CountryPlan("EC", "es", ("Quito", "Guayaquil", "Cuenca", "Loja"), 1, 2, 4),
    CountryPlan("AE", "ar", ("Dubai", "Abu Dhabi", "Sharjah", "Al Ain"), 2, 4, 3),
    CountryPlan("EG", "ar", ("Cairo", "Alexandria", "Giza", "Mansoura", "Assiut"), 1, 4, 4),
    CountryPlan("ZA", "af", ("Johannesburg", "Cape Town", "Durban", "Pretoria"), 2, 3, 3),
    CountryPlan("KE", "af", ("Nairobi", "Mombasa", "Kisumu", "Eldoret"), 0, 3, 3),
    # QOPI blocked.
    CountryPlan("UY", "es", ("Montevideo", "Salto", "Paysandú"), 1, 1, 3),
    CountryPlan("CR", "es", ("San José", "Alajuela", "Heredia"), 0, 1, 3),
    CountryPlan("GT", "es", ("Ciudad de Guatemala", "Quetzaltenango"), 0, 1, 2),
    CountryPlan("PY", "es", ("Asunción", "Ciudad del Este"), 0, 1, 2),
    CountryPlan("NG", "af", ("Lagos", "Abuja", "Ibadan", "Port Harcourt", "Enugu"), 1, 1, 4),
    CountryPlan("JO", "ar", ("Amman", "Irbid", "Zarqa"), 0, 2, 2),
    CountryPlan("VN", "vn", ("Hanoi", "Ho Chi Minh City", "Da Nang", "Hue"), 0, 1, 3),
    CountryPlan("CA", "en", ("Toronto", "Vancouver", "Montreal", "Calgary"), 1, 2, 2),
    # QOPI launched; QCP ready (MX), near ready (AR, CL) or blocked.
    CountryPlan("MX", "es", ("Ciudad de México", "Guadalajara", "Monterrey", "Puebla", "Mérida",
                             "Querétaro"), 4, 5, 6),
    CountryPlan("AR", "es", ("Buenos Aires", "Córdoba", "Rosario", "Mendoza", "La Plata"), 2, 4, 4),
    CountryPlan("CL", "es", ("Santiago", "Valparaíso", "Concepción", "Antofagasta", "Temuco"),
                            3, 2, 3),
    CountryPlan("PE", "es", ("Lima", "Arequipa", "Trujillo", "Cusco", "Piura"), 1, 3, 4, 1),
    CountryPlan("IN", "in", ("Mumbai", "Delhi", "Bengaluru", "Chennai", "Hyderabad", "Kolkata",
                             "Pune", "Kochi"), 3, 5, 6),
    CountryPlan("PK", "pk", ("Karachi", "Lahore", "Islamabad", "Peshawar"), 1, 3, 3),
    CountryPlan("PH", "ph", ("Manila", "Quezon City", "Cebu City", "Davao City"), 1, 3, 3, 1),
    CountryPlan("MY", "my", ("Kuala Lumpur", "Penang", "Johor Bahru"), 0, 2, 2),
    CountryPlan("PT", "pt", ("Lisboa", "Porto", "Coimbra", "Braga", "Faro"), 1, 2, 2),
    CountryPlan("IT", "it", ("Milano", "Roma", "Napoli", "Torino", "Bologna"), 1, 3, 3, 1),
    CountryPlan("DE", "de", ("Berlin", "München", "Hamburg", "Köln", "Frankfurt"), 0, 2, 3),
    # QOPI and QCP launched.
    CountryPlan("BR", "pt", ("São Paulo", "Rio de Janeiro", "Belo Horizonte", "Porto Alegre",
                             "Curitiba", "Salvador", "Recife", "Fortaleza", "Brasília", "Campinas"),
                            8, 6, 8, 3),
    CountryPlan("ES", "es", ("Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao", "Málaga"),
                            4, 3, 4, 1),
    CountryPlan("SA", "ar", ("Riyadh", "Jeddah", "Dammam", "Medina"), 3, 2, 2),
    CountryPlan("GR", "el", ("Athens", "Thessaloniki", "Patras", "Heraklion"), 3, 2, 2),
    CountryPlan("RO", "ro", ("Bucharest", "Cluj-Napoca", "Iași", "Timișoara"), 2, 2, 2),
)
# fmt: on

#: Survey languages by country (weights): Spanish- and Portuguese-speaking countries mostly
#: answer in their language, some respondents in English; everyone else in English.
SPANISH = ("CO", "EC", "UY", "CR", "GT", "PY", "MX", "AR", "CL", "PE", "ES")
PORTUGUESE = ("BR", "PT")

#: Name suffixes that make a close but not equal practice name (a suggestion, SPEC §3).
VARIANT_SUFFIXES = {
    "es": (" S.A.S.", " Ltda.", " IPS", " - Sede Principal"),
    "pt": (" Ltda.", " S/A", " - Unidade Centro"),
    "tr": (" A.Ş.",),
}
DEFAULT_VARIANT_SUFFIXES = (" Ltd", " (Main Campus)", " Group")

#: (country, status, programs, applicable law, requested / decided days ago, conditions, notes)
PRIVACY_REVIEWS = (
    ("CO", "approved", ("QOPI", "QCP"), "Ley 1581 de 2012 (Habeas Data)", 300, 120, None, None),
    (
        "TR",
        "approved_with_conditions",
        ("QOPI",),
        "KVKK (Law No. 6698)",
        260,
        90,
        "Patient-level data pseudonymized before transfer; yearly transfer review.",
        None,
    ),
    (
        "EC",
        "approved",
        ("QOPI",),
        "Ley Orgánica de Protección de Datos Personales",
        200,
        60,
        None,
        None,
    ),
    ("AE", "approved", ("QOPI",), "Federal Decree-Law No. 45 of 2021 (PDPL)", 240, 50, None, None),
    (
        "EG",
        "in_review",
        ("QOPI",),
        "Law No. 151 of 2020 (Personal Data Protection)",
        70,
        None,
        None,
        "Counsel expects a decision within about a month.",
    ),
    ("ZA", "approved", ("QOPI",), "POPIA", 1300, 1180, None, None),
    ("KE", "approved", ("QOPI",), "Data Protection Act, 2019", 180, 45, None, None),
    ("UY", "requested", ("QOPI",), "Ley 18.331", 30, None, None, None),
    (
        "CR",
        "not_started",
        ("QOPI",),
        "Ley 8968",
        None,
        None,
        None,
        "Waiting for a second interested practice before engaging counsel.",
    ),
    (
        "NG",
        "rejected",
        ("QOPI",),
        "Nigeria Data Protection Act 2023",
        400,
        300,
        None,
        "Rejected pending a local data-processing partner; a new review will be requested.",
    ),
    ("MX", "approved", ("QOPI", "QCP"), "LFPDPPP", 400, 250, None, None),
    ("AR", "approved", ("QCP",), "Ley 25.326", 300, 100, None, None),
    ("CL", "approved", ("QCP",), "Ley 19.628", 220, 70, None, None),
    (
        "IN",
        "in_review",
        ("QCP",),
        "Digital Personal Data Protection Act, 2023",
        90,
        None,
        None,
        None,
    ),
    ("PT", "not_started", ("QCP",), "GDPR", None, None, None, None),
)

#: (country, status, programs, counterparty, status since / signed days ago,
#:  expires in days (negative: past), notes)
AGREEMENTS = (
    ("CO", "signed", ("QOPI",), "National oncology society of Colombia", 60, 1095, None),
    ("TR", "signed", ("QOPI",), "Turkish medical oncology society", 45, 730, None),
    ("EC", "signed", ("QOPI",), "Ecuadorian oncology society", 100, 1095, None),
    (
        "AE",
        "out_for_signature",
        ("QOPI",),
        "Emirates oncology society",
        14,
        None,
        "Sent for signature; the counterparty's legal team has it.",
    ),
    ("EG", "signed", ("QOPI",), "Egyptian society of medical oncology", 30, 1095, None),
    (
        "ZA",
        "signed",
        ("QOPI",),
        "South African oncology consortium",
        1120,
        -25,
        "Expired; renewal draft requested.",
    ),
    (
        "KE",
        "negotiating",
        ("QOPI",),
        "Kenyan oncology society",
        60,
        None,
        "Data clauses under discussion.",
    ),
    ("UY", "draft", ("QOPI",), "Uruguayan oncology society", 20, None, None),
    ("GT", "draft", ("QOPI",), "Guatemalan oncology association", 40, None, None),
    (
        "JO",
        "terminated",
        ("QOPI",),
        "Regional hospital network (Jordan)",
        200,
        None,
        "Terminated by mutual agreement; new counterparty to be found.",
    ),
    ("MX", "signed", ("QOPI", "QCP"), "Mexican oncology society", 120, 1095, None),
    ("AR", "signed", ("QCP",), "Argentine oncology association", 80, 1095, None),
    ("CL", "negotiating", ("QCP",), "Chilean oncology society", 35, None, None),
    ("PH", "expired", ("QCP",), "Philippine oncology society", 1500, -365, None),
    ("IN", "draft", ("QCP",), "Indian cooperative oncology network", 25, None, None),
)

#: (country, program, threshold, reason): admins' per-country overrides.
THRESHOLDS = (
    ("KE", "QOPI", 3, "Low/middle-income country project: the IQSG agreed a smaller first cohort."),
    ("UY", "QOPI", 4, "Small market; four practices cover most oncology patients."),
    ("IN", "QCP", 4, "Large country: the IQSG asked for a bigger first QCP cohort."),
)

#: (country, program, status, days ago): availability moved on by staff.
AVAILABILITY_CHANGES = (
    ("CO", "QOPI", "in_pipeline", 150),
    ("TR", "QOPI", "in_pipeline", 120),
    ("EC", "QOPI", "in_pipeline", 90),
    ("AE", "QOPI", "in_pipeline", 200),
    ("EG", "QOPI", "under_consideration", 75),
    ("ZA", "QOPI", "in_pipeline", 400),
    ("KE", "QOPI", "under_consideration", 180),
    ("UY", "QOPI", "under_consideration", 40),
    ("MX", "QCP", "in_pipeline", 260),
    ("AR", "QCP", "under_consideration", 160),
    ("CL", "QCP", "under_consideration", 90),
)

DEMO_STAFF = (
    ("mariana.costa", "Mariana Costa", "staff"),
    ("daniel.okafor", "Daniel Okafor", "staff"),
    ("lucia.fernandez", "Lucía Fernández", "staff"),
    ("iqsg.reviewer", "Priya Raman (IQSG)", "viewer"),
)


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


def _triage(submissions: list[Submission], now: datetime, rng: random.Random) -> dict[str, int]:
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

    country_activities = (
        (
            "CO",
            "meeting",
            "Launch readiness call with the national society",
            "Agreed the QOPI launch sequence; the society will host a data-entry workshop.",
            12,
        ),
        ("CO", "note", "Privacy review approved", "Counsel's memo filed with the review.", 120),
        (
            "TR",
            "call",
            "Conditions of the privacy approval",
            "Pseudonymization before transfer is feasible with the standard abstraction form.",
            85,
        ),
        ("TR", "email", "Agreement countersigned", "Scanned copy saved to the shared drive.", 44),
        (
            "EC",
            "email",
            "Asked practices to share the survey with colleagues",
            "Two more practices are expected to answer before the next IQSG meeting.",
            20,
        ),
        ("AE", "email", "Agreement sent for signature", None, 14),
        ("EG", "call", "Privacy review status", "Counsel expects a decision within a month.", 9),
        ("ZA", "note", "Agreement lapsed", "Renewal draft requested from legal.", 20),
        (
            "KE",
            "meeting",
            "Agreement negotiation, round 2",
            "Open point: where abstracted data is stored.",
            30,
        ),
        (
            "MX",
            "meeting",
            "QCP pilot scoping",
            "Four practices meet the QCP conditions; site-survey capacity to be confirmed.",
            25,
        ),
        ("AR", "email", "QCP interest follow-up", "Asked two practices about the QCP fee.", 18),
        ("CL", "call", "QCP agreement negotiation", "Counterparty reviewing fee schedule.", 33),
        (
            "NG",
            "note",
            "Privacy review rejected",
            "A local data-processing partner is needed before a new review.",
            290,
        ),
    )
    for i, (code, kind, subject, body, days_ago) in enumerate(country_activities):
        activities.add_activity(
            kind=kind,
            subject=subject,
            body=body,
            occurred_on=today - timedelta(days=days_ago),
            country_code=code,
            author=owner(i),
        )
    practice_activities = (
        ("CO", "call", "Confirmed two active ASCO members", 15),
        ("TR", "email", "Sent QOPI measure summaries in English", 40),
        ("MX", "meeting", "Site visit: QCP standards overview", 22),
        ("AR", "call", "Asked whether the practice would pay the QCP fee", 17),
        ("BR", "note", "QCP application started", 60),
    )
    count = len(country_activities)
    for i, (code, kind, subject, days_ago) in enumerate(practice_activities):
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
    country_tasks = (
        ("CO", "Prepare the IQSG launch memo for Colombia", 5, "open"),
        ("TR", "Confirm the data-entry contact at each Turkish practice", -3, "in_progress"),
        ("AE", "Chase the signature of the UAE agreement", -10, "open"),
        ("EG", "Ask counsel for the Egyptian review timeline", 7, "open"),
        ("ZA", "Send the renewal draft to the South African partner", -1, "open"),
        ("KE", "Agree the data clauses of the Kenyan agreement", 14, "open"),
        ("EC", "Reply to Ecuadorian practices about ASCO membership", 0, "open"),
        ("MX", "Plan QCP site surveys with the Mexican practices", 21, "open"),
        ("AR", "Find a third QCP-eligible practice in Argentina", 30, "in_progress"),
        ("CL", "Send the fee schedule to the Chilean counterparty", -6, "open"),
        ("UY", "Follow up on the privacy review request", 10, "open"),
        ("BR", "Send the welcome pack to the new QCP applicants", -20, "done"),
        ("NG", "Identify a local data-processing partner", None, "open"),
    )
    tasks = 0
    for i, (code, title, due_in, status) in enumerate(country_tasks):
        activities.add_task(
            title=title,
            owner=owner(i),
            due_on=today + timedelta(days=due_in) if due_in is not None else None,
            country_code=code,
            status=status,
        )
        tasks += 1
    for i, (code, title, due_in) in enumerate(
        (
            ("CO", "Call back about the QOPI participation agreement", 2),
            ("MX", "Confirm the QCP fee with the practice director", -2),
            ("PE", "Check whether the practice has an active ASCO member", 9),
        )
    ):
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
    report.triage = _triage(submissions, now, rng)
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
@click.option("--if-empty", is_flag=True, help="Do nothing (no error) when any response exists.")
@click.option("--seed", default=DEFAULT_SEED, show_default=True, help="Random seed.")
@with_appcontext
def demo_command(if_empty: bool, seed: int) -> None:
    """Load a synthetic demo data set (responses, practices, pipeline, tasks) into a fresh
    database; refused when it holds real responses."""
    state = demo_state()
    if if_empty and state != "empty":
        return
    if current_app.config.get("CRM_PRODUCTION"):
        if if_empty:
            return
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
