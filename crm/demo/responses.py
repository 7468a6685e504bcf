"""The demo's survey responses: invented practices and people for each country plan
(``crm.demo.plans``), entered through ``crm.responses.intake.intake_response`` like real ones,
then triaged the way staff would.

Every practice answers as one of three profiles: eligible for QOPI and QCP (``qcp``), for QOPI
only (``qopi``: one QCP condition fails) or for neither (``other``), as
docs/domain.md#eligible-practices defines them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app

from crm.core.clock import org_today
from crm.core.folding import folded
from crm.demo.plans import (
    COMMENTS,
    DEFAULT_VARIANT_SUFFIXES,
    PLANS,
    PORTUGUESE,
    ROLES,
    SPAM_NAMES,
    SPANISH,
    STYLES,
    VARIANT_SUFFIXES,
    CountryPlan,
)
from crm.privacy import notice
from crm.responses import operations as triage
from crm.responses.intake import intake_response
from crm.responses.matching import normalize_key
from crm.responses.models import INTEREST_LEVELS, INTERESTED_LEVELS, TIMEFRAMES, SurveyResponse
from crm.responses.questionnaire import QTP_FORMATS

DEMO_TOKEN_PREFIX = "demo-"  # noqa: S105 (a prefix, not a password)
#: Responses submitted more than this many days ago were triaged by (imaginary) staff.
TRIAGED_AFTER_DAYS = 45
HISTORY_DAYS = 540


@dataclass
class Submission:
    """A response to enter: its answers, language, time and what kind of demo case it is."""

    kind: str  # original | second | duplicate | variant | spam
    answers: dict
    language: str
    submitted_at: datetime
    plan_code: str
    response: SurveyResponse | None = None


def _ascii(text: str) -> str:
    """Letters and digits of ``text`` in lower-case ASCII (for invented email addresses)."""
    return "".join(c for c in folded(text) if c.isascii() and c.isalnum())


class SubmissionGenerator:
    """Builds the submissions of every plan from one seeded ``random.Random``; ``now`` (UTC)
    anchors every submission time."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.used_keys: set[tuple[str, str]] = set()
        self.used_emails: set[str] = set()
        self.token_number = 0

    def language(self, code: str) -> str:
        """The language a respondent of country ``code`` answers in."""
        roll = self.rng.random()
        if code in SPANISH:
            return "es" if roll < 0.85 else "en"
        if code in PORTUGUESE:
            return "pt_BR" if roll < 0.9 else "en"
        return "en"

    def practice_name(self, plan: CountryPlan, city: str) -> str:
        """A practice name in the plan's style, never used before in its country."""
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
        """``(full name, email)`` of a new person at the practice; the email is unused."""
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
        """A time between ``high_days`` and ``low_days`` days before now."""
        return self.now - timedelta(days=self.rng.uniform(low_days, high_days))

    def answers(
        self, plan: CountryPlan, profile: str, name: str, city: str, language: str
    ) -> dict[str, Any]:
        """The answers of a practice of ``profile`` (``qcp``, ``qopi``, ``other``)."""
        answers = self._eligible_answers(plan, profile, name, city, language)
        if profile == "qopi":
            self._fail_qcp(answers)
        elif profile == "other":
            self._fail_qopi(answers)
        rng = self.rng
        if answers["interest_qtp"] in INTERESTED_LEVELS:
            answers["qtp_formats"] = rng.sample(QTP_FORMATS, rng.randint(1, 2))
            if rng.random() < 0.3:
                answers["licensing"] = ["qtp_content"]
        if rng.random() < 0.25:
            answers["comments"] = rng.choice(COMMENTS[language])
        return answers

    def _eligible_answers(
        self, plan: CountryPlan, profile: str, name: str, city: str, language: str
    ) -> dict[str, Any]:
        """Answers that make the practice eligible for QOPI and QCP
        (docs/domain.md#eligible-practices); the ``qcp`` profile draws its practice type from
        other kinds of practice than the rest."""
        rng = self.rng
        person, email = self.person(plan, name)
        return {
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
            "interest_qopi": rng.choice(INTERESTED_LEVELS),
            "interest_qcp": rng.choice(INTERESTED_LEVELS),
            "interest_qtp": rng.choice(INTEREST_LEVELS),
            "reads_english": "yes",
            "willing_to_sign_agreement": rng.choice(("yes", "yes", "unsure")),
            "willing_to_pay_qcp_fee": "yes",
            "timeframe": rng.choice(TIMEFRAMES),
            "consent": True,
            "permission_to_contact": rng.random() < 0.85,
        }

    def _fail_qcp(self, answers: dict[str, Any]) -> None:
        """Still eligible for QOPI, but one QCP condition fails (interest, outpatient
        hematology-oncology or the fee: docs/domain.md#eligible-practices)."""
        failing = self.rng.choice(("interest", "hem_onc", "fee"))
        if failing == "interest":
            answers["interest_qcp"] = self.rng.choice(("not_very", "not_at_all"))
        elif failing == "hem_onc":
            answers["outpatient_hem_onc"] = "no"
        else:
            answers["willing_to_pay_qcp_fee"] = self.rng.choice(("no", "unsure"))

    def _fail_qopi(self, answers: dict[str, Any]) -> None:
        """Eligible for neither: no ASCO member, no English, or not interested (QTP only)."""
        failing = self.rng.choice(("no_member", "no_english", "not_interested"))
        if failing == "no_member":
            answers["asco_members_count"] = 0
        elif failing == "no_english":
            answers["reads_english"] = "no"
        else:
            answers["interest_qopi"] = self.rng.choice(("not_very", "not_at_all"))
            answers["interest_qcp"] = "not_at_all"
            answers["interest_qtp"] = "very"

    def country(self, plan: CountryPlan) -> Iterator[Submission]:
        """Every submission of one country: an original per planned practice, some followed
        by a second person or a duplicate, then the planned close-name variants."""
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
        """A time days to months after ``after``, and at least an hour before now."""
        delay = timedelta(days=self.rng.uniform(2, 120))
        return min(after + delay, self.now - timedelta(hours=self.rng.uniform(1, 48)))

    def second(self, plan: CountryPlan, original: Submission, profile: str) -> Submission:
        """Another person at the same practice: the equal name links it
        (docs/domain.md#eligible-practices)."""
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
        """The ``index``-th spam submission, in a random plan's country."""
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
        """The next submission token: ``demo-`` and a number, then random hex digits."""
        self.token_number += 1
        return f"{DEMO_TOKEN_PREFIX}{self.token_number:05d}-{self.rng.getrandbits(32):08x}"


def notice_of(submitted_at: datetime) -> str:
    """The privacy notice version in effect on the organization's day of ``submitted_at``."""
    day = org_today(submitted_at)
    return notice.version_in_effect(day, current_app.config).version


def intake(submission: Submission, generator: SubmissionGenerator) -> None:
    """Enter the submission as a web response with consent; keep the response it made."""
    result = intake_response(
        submission.answers,
        language=submission.language,
        submission_token=generator.token(),
        consent_at=submission.submitted_at,
        privacy_notice_version=notice_of(submission.submitted_at),
        source="web",
        submitted_at=submission.submitted_at,
    )
    submission.response = result.response


def triage_as_staff(submissions: list[Submission], now: datetime) -> dict[str, int]:
    """Do what staff would have done with everything older than TRIAGED_AFTER_DAYS: mark
    duplicates, and spam older than ten days; merge or link (in turn) each old variant with
    its suggested practice; confirm old originals still new. Returns how many of each."""
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
