"""Eligible practices, as SQL: the one definition of which practice counts towards a launch
(docs/domain.md#eligible-practices). The maintained tallies (``crm.responses.tallies``) store
its verdict per practice and program; nothing else restates it."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, case, exists, or_

from crm.responses.models import (
    COUNTED_TRIAGE,
    INTERESTED_LEVELS,
    Interest,
    Practice,
    SurveyResponse,
)


def eligibility_conditions() -> tuple[ColumnElement[bool], ...]:
    """WHERE conditions on ``Practice`` joined with ``Interest`` that make the pair eligible
    (docs/domain.md#eligible-practices): interest very or somewhat, at least one active ASCO
    member, staff read English, a response that counts; QCP also outpatient
    hematology-oncology and willing to pay the fee. QTP has no launch, so its interests are
    never eligible."""
    counted_response = exists().where(
        SurveyResponse.practice_id == Practice.id,
        SurveyResponse.triage_status.in_(COUNTED_TRIAGE),
    )
    qcp_conditions = and_(
        Interest.program_code == "QCP",
        Practice.outpatient_hem_onc.is_(True),
        Interest.willing_to_pay_fee.is_(True),
    )
    return (
        Interest.level.in_(INTERESTED_LEVELS),
        Practice.asco_members_count >= 1,
        Practice.reads_english.is_(True),
        or_(Interest.program_code == "QOPI", qcp_conditions),
        counted_response,
    )


def eligible_column() -> ColumnElement[bool]:
    """A boolean column: whether the ``Practice`` × ``Interest`` row meets
    :func:`eligibility_conditions` (True or False, never NULL)."""
    return case((and_(*eligibility_conditions()), True), else_=False)
