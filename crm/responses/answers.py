"""A response's raw answers as staff read them: question titles and translated choice labels.

Free text is returned as given (templates escape it); a value outside the known choices is
shown as submitted, so nothing a respondent sent is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from crm import labels
from crm.core.i18n import LANGUAGE_NAMES, country_name
from crm.responses import similarity
from crm.responses.questionnaire import NUMBER_BOUNDS

#: Answer key → question title, in questionnaire order (docs/domain.md#survey).
QUESTIONS = {
    "name": _l("Name"),
    "role": _l("Role"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "preferred_language": _l("Preferred language"),
    "practice_name": _l("Practice name"),
    "country": _l("Country"),
    "city": _l("City"),
    "practice_type": _l("Practice type"),
    "outpatient_hem_onc": _l("Outpatient hematology-oncology practice"),
    "oncologists_count": _l("Oncologists"),
    "new_patients_per_year": _l("New patients per year"),
    "asco_members_count": _l("Active ASCO members"),
    "ehr_use": _l("Electronic health record use"),
    "interest_qopi": _l("Interest in QOPI"),
    "interest_qcp": _l("Interest in QCP"),
    "interest_qtp": _l("Interest in QTP"),
    "qtp_formats": _l("QTP formats"),
    "licensing": _l("Licensing interest"),
    "reads_english": _l("Staff can read QOPI measures in English"),
    "willing_to_sign_agreement": _l("Willing to sign a participation agreement"),
    "willing_to_pay_qcp_fee": _l("Willing to pay the QCP fee"),
    "timeframe": _l("Timeframe"),
    "comments": _l("Comments"),
    "consent": _l("Consent to the privacy notice"),
    "permission_to_contact": _l("Permission to contact"),
}

YES_NO_UNSURE = {"yes": _l("Yes"), "no": _l("No"), "unsure": _l("Not sure")}
EHR_USE = {"full": _l("Fully electronic"), "partial": _l("Partly electronic"), "none": _l("None")}
QTP_FORMATS = {
    "six_month": _l("Six-month program"),
    "one_day": _l("One-day program"),
    "train_the_trainer": _l("Train the trainer"),
}
LICENSING = {
    "qtp_content": _l("Licensing QTP content"),
    "quality_symposium": _l("Licensing the Quality of Care Symposium"),
}
#: Languages by their own names (never translated).
LANGUAGE = LANGUAGE_NAMES

#: Answer key → value → label, for every closed question.
CHOICE_LABELS = {
    "preferred_language": LANGUAGE,
    "practice_type": labels.PRACTICE_TYPE,
    "outpatient_hem_onc": YES_NO_UNSURE,
    "ehr_use": EHR_USE,
    "interest_qopi": labels.INTEREST_LEVEL,
    "interest_qcp": labels.INTEREST_LEVEL,
    "interest_qtp": labels.INTEREST_LEVEL,
    "reads_english": YES_NO_UNSURE,
    "willing_to_sign_agreement": YES_NO_UNSURE,
    "willing_to_pay_qcp_fee": YES_NO_UNSURE,
    "timeframe": labels.TIMEFRAME,
    "qtp_formats": QTP_FORMATS,
    "licensing": LICENSING,
}


@dataclass(frozen=True)
class AnswerRow:
    """One answer as shown: ``key``, translated ``question`` and ``value`` (plain text)."""

    key: str
    question: str
    value: str


def display_value(key: str, value: object) -> str:
    """``value`` of answer ``key`` as text: a choice's translated label, lists joined, booleans
    as Yes/No, numbers in the reader's format (1,200 in English, 1.200 in Spanish and
    Portuguese; a numeric answer stored as digits too), anything unknown as submitted."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return str(YES_NO_UNSURE["yes" if value else "no"])
    choices = CHOICE_LABELS.get(key, {})
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value)
    if key == "country":
        return f"{country_name(str(value))} ({value})"
    if isinstance(value, int | float):
        return format_decimal(value)
    if key in NUMBER_BOUNDS and isinstance(value, str) and value.isascii() and value.isdigit():
        return format_decimal(int(value))
    return str(choices.get(value, value)) if isinstance(value, str) else str(value)


def answer_rows(answers: dict) -> list[AnswerRow]:
    """Every answer of a response in questionnaire order, then any unknown keys (by name)."""
    known = [k for k in QUESTIONS if k in answers]
    unknown = sorted(k for k in answers if k not in QUESTIONS)
    return [
        AnswerRow(key, str(QUESTIONS.get(key, key)), display_value(key, answers[key]))
        for key in known + unknown
    ]


@dataclass(frozen=True)
class Compared:
    """One line of a response beside a practice: what the response says, what the practice
    holds, and whether they differ (compared as the suggestions compare them)."""

    label: object
    in_response: str
    in_practice: str
    differs: bool


def compare_with_practice(answers: dict, facts) -> list[Compared]:
    """A response's practice name, city, email domain and phone beside a practice's
    (``crm.responses.similarity.PracticeFacts`` of it), each marked when they differ: names
    once short forms are read as words, cities and phones as the suggestion's reasons do."""
    mine = similarity.facts(answers.get("practice_name") or "", answers.get("city"),
                            [answers.get("email")], [answers.get("phone")])  # fmt: skip
    alike = similarity.compare(mine, facts)
    against = {r.code for r in alike.reasons}
    return [
        Compared(_l("Practice name"), mine.name, facts.name,
                 alike.name_score < similarity.NAME_FLOOR),
        Compared(_l("City"), answers.get("city") or "", facts.city or "",
                 "different_city" in against),
        Compared(_l("Email domain"), ", ".join(sorted(mine.email_domains)),
                 ", ".join(sorted(facts.email_domains)), "different_email_domain" in against),
        Compared(_l("Phone"), answers.get("phone") or "", ", ".join(sorted(facts.phones)),
                 "different_phone" in against),
    ]  # fmt: skip
