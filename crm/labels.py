"""Translated titles of every status and choice, defined once and exposed to Jinja once.

Kept beside ``crm.core`` rather than in it: the readiness states' titles are the readiness
rules' own (``crm.readiness.wording.state_label``), and ``crm.core`` imports no domain."""

from collections.abc import Iterable
from operator import attrgetter
from typing import Any

from flask import Flask
from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l

from crm.countries.models import PROGRAM_CODES
from crm.readiness import wording
from crm.readiness.rules import State

AVAILABILITY = {
    "not_available": _l("Not available"),
    "under_consideration": _l("Under consideration"),
    "in_pipeline": _l("In pipeline"),
    "pilot": _l("Pilot"),
    "available": _l("Available"),
    "suspended": _l("Suspended"),
}
PRIVACY_REVIEW = {
    "not_started": _l("Not started"),
    "requested": _l("Requested"),
    "in_review": _l("In review"),
    "approved": _l("Approved"),
    "approved_with_conditions": _l("Approved with conditions"),
    "rejected": _l("Rejected"),
}
AGREEMENT = {
    "draft": _l("Draft"),
    "negotiating": _l("Negotiating"),
    "out_for_signature": _l("Out for signature"),
    "signed": _l("Signed"),
    "expired": _l("Expired"),
    "terminated": _l("Terminated"),
}
#: Worded once, by the readiness wording (``crm.readiness.wording.state_label``).
READINESS_STATE = {str(state): LazyString(wording.state_label, state, gettext) for state in State}
#: The dashboard's readiness table splits the blocked countries by availability, so its rows add
#: up to the board's Blocked column (``crm.readiness.dashboard.category``); the other rows are
#: readiness states.
READINESS_CATEGORY = {
    **READINESS_STATE,
    "in_pipeline": _l("Blocked, in the pipeline"),
    "other": _l("Blocked, not in the pipeline"),
}
TRIAGE = {
    "new": _l("New"),
    "linked": _l("Linked"),
    "duplicate": _l("Duplicate"),
    "spam": _l("Spam"),
}
#: Where a response came from (``crm.responses.models.SOURCES``).
RESPONSE_SOURCE = {
    "web": _l("Survey"),
    "import": _l("Import"),
    "api": _l("API"),
}
INTEREST_LEVEL = {
    "very": _l("Very interested"),
    "somewhat": _l("Somewhat interested"),
    "not_very": _l("Not very interested"),
    "not_at_all": _l("Not interested"),
}
TIMEFRAME = {
    "within_6_months": _l("Within 6 months"),
    "6_to_12_months": _l("In 6 to 12 months"),
    "over_12_months": _l("In more than 12 months"),
    "not_sure": _l("Not sure yet"),
}
PRACTICE_TYPE = {
    "private_practice": _l("Private practice"),
    "hospital_based": _l("Hospital-based practice"),
    "academic_center": _l("Academic medical center"),
    "cancer_center": _l("Comprehensive cancer center"),
    "public_hospital": _l("Public hospital"),
    "other": _l("Other"),
}
ACTIVITY_KIND = {
    "note": _l("Note"),
    "call": _l("Call"),
    "email": _l("Email"),
    "meeting": _l("Meeting"),
}
TASK_STATUS = {
    "open": _l("Open"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}
ROLE = {
    "viewer": _l("Viewer (IQSG)"),
    "staff": _l("Staff"),
    "admin": _l("Administrator"),
}
INCOME_GROUP = {
    "low": _l("Low income"),
    "lower_middle": _l("Lower-middle income"),
    "upper_middle": _l("Upper-middle income"),
    "high": _l("High income"),
}
PROGRAM_NAME = {
    "QOPI": _l("Quality Oncology Practice Initiative (QOPI)"),
    "QCP": _l("QOPI Certification Program (QCP)"),
    "QTP": _l("Quality Training Program (QTP)"),
}
INVITATION_STATUS = {
    "queued": _l("Queued"),
    "sent": _l("Sent"),
    "failed": _l("Not delivered"),
    "responded": _l("Answered"),
    "withdrawn": _l("Permission withdrawn"),
}
#: An email's delivery status (``crm.outreach.models.OUTBOX_STATUSES``).
OUTBOX_STATUS = {
    "queued": _l("Queued"),
    "sending": _l("Being sent"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
}
#: A legacy import's step (``crm.data.models.IMPORT_STATUSES``).
IMPORT_STATUS = {
    "uploaded": _l("Uploaded"),
    "mapped": _l("Columns mapped"),
    "checking": _l("Checking the rows"),
    "previewed": _l("Rows checked"),
    "committing": _l("Importing"),
    "committed": _l("Imported"),
    "undone": _l("Undone"),
}
DIGEST = {
    "none": _l("No email"),
    "daily": _l("Daily email"),
    "weekly": _l("Weekly email"),
}
#: The staff lists a view can be saved for (``crm.savedviews.models.LIST_NAMES``).
STAFF_LIST = {
    "countries": _l("Countries"),
    "responses": _l("Responses"),
    "practices": _l("Practices"),
    "contacts": _l("Contacts"),
    "tasks": _l("Tasks"),
}

ALL = {
    "availability": AVAILABILITY,
    "privacy_review": PRIVACY_REVIEW,
    "agreement": AGREEMENT,
    "readiness_state": READINESS_STATE,
    "readiness_category": READINESS_CATEGORY,
    "triage": TRIAGE,
    "response_source": RESPONSE_SOURCE,
    "interest_level": INTEREST_LEVEL,
    "timeframe": TIMEFRAME,
    "practice_type": PRACTICE_TYPE,
    "activity_kind": ACTIVITY_KIND,
    "task_status": TASK_STATUS,
    "role": ROLE,
    "income_group": INCOME_GROUP,
    "program": PROGRAM_NAME,
    "invitation_status": INVITATION_STATUS,
    "outbox_status": OUTBOX_STATUS,
    "import_status": IMPORT_STATUS,
    "digest": DIGEST,
}


def label(kind: str, value: str | None) -> str:
    """The translated title of ``value`` in the ``kind`` vocabulary; the raw value if unknown."""
    if value is None:
        return ""
    return str(ALL[kind].get(value, value))


def program_order(items: Iterable[Any], attribute: str | None = None) -> list[Any]:
    """``items`` (program codes, or objects whose ``attribute``, dotted as in Jinja's ``sort``
    filter, is one) in the programs' own
    order, QOPI, QCP, QTP (``PROGRAM_CODES``, docs/domain.md#programs), never alphabetical
    ("QCP" would come before the QOPI it builds on); an unknown code last, by its text."""

    def position(item: Any) -> tuple[int, str]:
        code = str(attrgetter(attribute)(item) if attribute else item)
        known = code in PROGRAM_CODES
        return (PROGRAM_CODES.index(code) if known else len(PROGRAM_CODES), code)

    return sorted(items, key=position)


def init_app(app: Flask) -> None:
    """Expose :func:`label` and every vocabulary's titles (``labels``) to templates, and the
    :func:`program_order` filter."""
    app.jinja_env.globals.update(label=label, labels=ALL)
    app.jinja_env.filters["program_order"] = program_order
