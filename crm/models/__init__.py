"""The CRM's tables (SPEC §2). Import models from here: ``from crm.models import Country``."""

from crm.models.activities import ACTIVITY_KINDS, TASK_STATUSES, Activity, Task
from crm.models.audit import AuditEvent
from crm.models.countries import INCOME_GROUPS, Country, Program
from crm.models.imports import IMPORT_STATUSES, ImportBatch
from crm.models.outbox import OUTBOX_STATUSES, OutboxMessage
from crm.models.outreach import ALERT_KINDS, INVITATION_STATUSES, Alert, Invitation
from crm.models.pipeline import (
    AGREEMENT_STATUSES,
    AVAILABILITY_STATUSES,
    REVIEW_STATUSES,
    Availability,
    AvailabilityChange,
    CountryAgreement,
    CountryThreshold,
    PrivacyReview,
)
from crm.models.practices import (
    INTEREST_LEVELS,
    PRACTICE_TYPES,
    TIMEFRAMES,
    Contact,
    Interest,
    Practice,
    PracticeNameKey,
)
from crm.models.readiness import ReadinessChange
from crm.models.responses import SOURCES, TRIAGE_STATUSES, SurveyResponse
from crm.models.tallies import InterestTally, InterestTallyEntry, ResponseTally
from crm.models.users import ApiToken, Role, User

__all__ = [
    "ACTIVITY_KINDS",
    "ALERT_KINDS",
    "AGREEMENT_STATUSES",
    "AVAILABILITY_STATUSES",
    "IMPORT_STATUSES",
    "INCOME_GROUPS",
    "INVITATION_STATUSES",
    "INTEREST_LEVELS",
    "OUTBOX_STATUSES",
    "PRACTICE_TYPES",
    "REVIEW_STATUSES",
    "SOURCES",
    "TASK_STATUSES",
    "TIMEFRAMES",
    "TRIAGE_STATUSES",
    "Activity",
    "Alert",
    "ApiToken",
    "AuditEvent",
    "Availability",
    "AvailabilityChange",
    "Contact",
    "Country",
    "CountryAgreement",
    "CountryThreshold",
    "ImportBatch",
    "Interest",
    "Invitation",
    "InterestTally",
    "InterestTallyEntry",
    "OutboxMessage",
    "Practice",
    "PracticeNameKey",
    "PrivacyReview",
    "Program",
    "ReadinessChange",
    "ResponseTally",
    "Role",
    "SurveyResponse",
    "Task",
    "User",
]
