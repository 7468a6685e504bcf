"""The questionnaire's vocabulary (docs/domain.md#survey): answer keys and allowed values,
shared by the survey, the legacy import and the demo data. The closed questions' vocabularies
that the tables also enforce (practice types, interest levels, timeframes, languages) are read
from ``crm.responses.models``; their labels live in ``crm.labels`` and
``crm.responses.answers``. This module is data only.

A response's ``answers`` is a dict with these keys (absent = not answered):

===========================  =========================================================
key                          value
===========================  =========================================================
name, role, email, phone     str (phone optional)
preferred_language           one of LANGUAGES
practice_name, city          str
country                      ISO 3166-1 alpha-2
practice_type                one of models.PRACTICE_TYPES
outpatient_hem_onc           one of YES_NO
oncologists_count            int, 0..10000
new_patients_per_year        int, 0..10000000
asco_members_count           int, 0..10000 (active ASCO members at the practice)
ehr_use                      one of EHR_USE
interest_qopi/_qcp/_qtp      one of models.INTEREST_LEVELS
qtp_formats                  list, subset of QTP_FORMATS
licensing                    list, subset of LICENSING
reads_english                one of YES_NO (staff can read QOPI measures in English)
willing_to_sign_agreement    one of YES_NO_UNSURE
willing_to_pay_qcp_fee       one of YES_NO_UNSURE
timeframe                    one of models.TIMEFRAMES
comments                     str (free text)
consent                      True (required: the privacy notice was accepted)
permission_to_contact        bool
===========================  =========================================================
"""

from __future__ import annotations

from crm.responses.models import INTEREST_LEVELS, LANGUAGES, PRACTICE_TYPES, TIMEFRAMES

VERSION = "2026.1"
YES_NO = ("yes", "no")
YES_NO_UNSURE = ("yes", "no", "unsure")
EHR_USE = ("full", "partial", "none")
QTP_FORMATS = ("six_month", "one_day", "train_the_trainer")
LICENSING = ("qtp_content", "quality_symposium")
#: The survey's sections and their answer keys, in the order it asks them (docs/domain.md#survey).
SECTIONS: dict[str, tuple[str, ...]] = {
    "about_you": ("name", "role", "email", "phone", "preferred_language"),
    "practice": (
        "practice_name",
        "country",
        "city",
        "practice_type",
        "outpatient_hem_onc",
        "oncologists_count",
        "new_patients_per_year",
        "asco_members_count",
        "ehr_use",
    ),
    "programs": (
        "interest_qopi",
        "interest_qcp",
        "interest_qtp",
        "qtp_formats",
        "licensing",
        "reads_english",
        "willing_to_sign_agreement",
        "willing_to_pay_qcp_fee",
        "timeframe",
    ),
    "comments": ("comments",),
    "consent": ("consent", "permission_to_contact"),
}
#: Every answer key, in questionnaire order.
ANSWER_KEYS: tuple[str, ...] = tuple(key for keys in SECTIONS.values() for key in keys)
#: Program code → answer key of its interest level.
INTEREST_KEYS = {"QOPI": "interest_qopi", "QCP": "interest_qcp", "QTP": "interest_qtp"}

#: Answer key → allowed values, for every closed question (imports validate against it too).
CHOICES: dict[str, tuple[str, ...]] = {
    "preferred_language": LANGUAGES,
    "practice_type": PRACTICE_TYPES,
    "outpatient_hem_onc": YES_NO,
    "ehr_use": EHR_USE,
    "interest_qopi": INTEREST_LEVELS,
    "interest_qcp": INTEREST_LEVELS,
    "interest_qtp": INTEREST_LEVELS,
    "reads_english": YES_NO,
    "willing_to_sign_agreement": YES_NO_UNSURE,
    "willing_to_pay_qcp_fee": YES_NO_UNSURE,
    "timeframe": TIMEFRAMES,
}
MULTI_CHOICES: dict[str, tuple[str, ...]] = {"qtp_formats": QTP_FORMATS, "licensing": LICENSING}
#: Answer key → inclusive (low, high) bounds of numeric answers.
NUMBER_BOUNDS: dict[str, tuple[int, int]] = {
    "oncologists_count": (0, 10_000),
    "new_patients_per_year": (0, 10_000_000),
    "asco_members_count": (0, 10_000),
}
#: Longest accepted text per free-text key, in characters.
TEXT_LIMITS: dict[str, int] = {
    "name": 200,
    "role": 200,
    "email": 254,
    "phone": 40,
    "practice_name": 300,
    "city": 200,
    "comments": 5000,
}


def yes_no(value: object) -> bool | None:
    """``"yes"`` → True, ``"no"`` → False, anything else (``"unsure"``, None) → None."""
    return {"yes": True, "no": False}.get(value)  # type: ignore[arg-type]
