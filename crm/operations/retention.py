"""Retention of raw answers that no practice relies on (issue 6).

Spam, duplicate and unlinked responses (no practice) never count towards readiness (SPEC §3);
once older than ``RAW_ANSWER_RETENTION_DAYS`` they are deleted. Linked and new responses are
the record of a practice's interest and are kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select

from crm import audit, tallies
from crm.extensions import db
from crm.models import SurveyResponse

#: Category → condition on SurveyResponse, in the order they are reported.
CATEGORIES = {
    "spam": SurveyResponse.triage_status == "spam",
    "duplicate": SurveyResponse.triage_status == "duplicate",
    "unlinked": (SurveyResponse.practice_id.is_(None))
    & SurveyResponse.triage_status.in_(("new", "linked")),
}


def cutoff(now: datetime, days: int) -> datetime:
    """The instant (UTC) before which raw answers are past retention."""
    return now - timedelta(days=days)


def purgeable(now: datetime, days: int) -> dict[str, int]:
    """Number of responses per category submitted before ``cutoff(now, days)``."""
    before = cutoff(now, days)
    return {
        name: db.session.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(condition, SurveyResponse.submitted_at < before)
        )
        for name, condition in CATEGORIES.items()
    }


def purge(now: datetime, days: int) -> dict[str, int]:
    """Delete the responses ``purgeable`` counts; audited; the caller commits."""
    counts = purgeable(now, days)
    if sum(counts.values()):
        condition = (or_(*CATEGORIES.values()), SurveyResponse.submitted_at < cutoff(now, days))
        tallies.forget_responses(*condition)  # a bulk DELETE bypasses the ORM's bookkeeping
        db.session.execute(delete(SurveyResponse).where(*condition))
        audit.record("retention.purge", "survey_response", "-", {"deleted": [None, counts]})
    return counts
