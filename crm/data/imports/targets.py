"""The answer keys a column of an imported file can be mapped to (docs/domain.md#imports): the
questionnaire's (``crm.responses.questionnaire``), and those that describe the response itself:
``submitted_at``, ``language``, the legacy consent and its time (``consent``, ``consent_at``),
and the file's own submission id (``source_id``).

Any of them can also take a fixed value for every row instead of a column; a multiple choice
can take one column per option.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm.core.i18n import LOCALES
from crm.responses import questionnaire

#: Answers that describe the response itself rather than answer a question: kind of value.
RESPONSE_TARGETS = {
    "submitted_at": "datetime",
    "language": "choice",
    "consent_at": "datetime",
    "source_id": "id",
}
#: Closed answers an import maps that the questionnaire stores as something else (a boolean).
IMPORT_CHOICES: dict[str, tuple[str, ...]] = {
    "permission_to_contact": questionnaire.YES_NO,
    "consent": questionnaire.YES_NO,
    "language": LOCALES,
}


def _kind(key: str) -> str:
    """The kind of value an answer key holds, from the questionnaire's vocabularies."""
    if key in questionnaire.MULTI_CHOICES:
        return "multi"
    if key in questionnaire.CHOICES or key in IMPORT_CHOICES:
        return "choice"
    if key in questionnaire.NUMBER_BOUNDS:
        return "number"
    if key in ("email", "country"):
        return key
    return "text"


def _import_order() -> tuple[str, ...]:
    """The questionnaire's keys, the practice's section first (what an import is about), then
    the others in questionnaire order, consent last."""
    sections = questionnaire.SECTIONS
    first = sections["practice"]
    rest = (k for name, keys in sections.items() if name != "practice" for k in keys)
    return (*first, *rest)


#: Answer key → kind of value (text, email, country, number, choice, multi, datetime, id).
TARGETS: dict[str, str] = {
    **{key: _kind(key) for key in _import_order()},
    **RESPONSE_TARGETS,
}
REQUIRED_TARGETS = ("practice_name", "country")
#: Kinds of answer whose values are mapped in the values step (closed questions, and numbers
#: typed in words: docs/domain.md#imports).
CLOSED_KINDS = ("choice", "multi")
VALUE_STEP_KINDS = (*CLOSED_KINDS, "number")
#: Allowed codes of every closed target (the questionnaire's plus the import-only ones).
TARGET_CHOICES: dict[str, tuple[str, ...]] = {
    **questionnaire.CHOICES,
    **questionnaire.MULTI_CHOICES,
    **IMPORT_CHOICES,
}
TARGET_TITLES = {
    "practice_name": _l("Practice name"),
    "country": _l("Country"),
    "city": _l("City"),
    "practice_type": _l("Type of practice"),
    "outpatient_hem_onc": _l("Outpatient hematology-oncology"),
    "oncologists_count": _l("Number of oncologists"),
    "new_patients_per_year": _l("New patients per year"),
    "asco_members_count": _l("Active ASCO members"),
    "ehr_use": _l("Electronic health record use"),
    "name": _l("Contact name"),
    "role": _l("Contact role"),
    "email": _l("Contact email"),
    "phone": _l("Contact phone"),
    "preferred_language": _l("Contact's preferred language"),
    "interest_qopi": _l("Interest in QOPI"),
    "interest_qcp": _l("Interest in QCP"),
    "interest_qtp": _l("Interest in QTP"),
    "qtp_formats": _l("QTP formats"),
    "licensing": _l("Licensing interest"),
    "reads_english": _l("Can read QOPI measures in English"),
    "willing_to_sign_agreement": _l("Willing to sign a participation agreement"),
    "willing_to_pay_qcp_fee": _l("Willing to pay the QCP fee"),
    "timeframe": _l("Timeframe"),
    "comments": _l("Comments"),
    "consent": _l("Consent to the privacy notice"),
    "permission_to_contact": _l("Permission to contact"),
    "submitted_at": _l("Submitted at"),
    "language": _l("Response language"),
    "consent_at": _l("Time of consent"),
    "source_id": _l("Submission id in the file"),
}
