"""Merging two practices that are the same, and remembering pairs that are not
(docs/domain.md#merges).

A merge moves everything of the merged practice to the survivor in the caller's transaction:
responses, contacts (one with the same email folds into the survivor's, its invitations and
responses following), activities, tasks, suggestions pointing at it, earlier merges into it.
The survivor's answers and interests are re-derived from its latest counted response
(``crm.responses.matching.refresh_practice``); the maintained tallies and readiness follow
at commit (docs/decisions.md#tallies, docs/decisions.md#readiness-recording). The merged
practice's row goes, a :class:`PracticeMerge` says where it went, and the audit trail records
the merge once, under the survivor. Nothing here commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from crm.activities.models import Activity, Task
from crm.audit import operations as audit
from crm.core.columns import utcnow
from crm.core.events import notify_country_changed
from crm.core.extensions import db
from crm.outreach.models import Invitation
from crm.responses.matching import refresh_practice
from crm.responses.models import (
    Contact,
    DistinctPractices,
    Practice,
    PracticeMerge,
    SurveyResponse,
)

logger = logging.getLogger(__name__)


class MergeRefused(ValueError):
    """A merge or a "not the same" that does not apply; ``str(error)`` is the user's message,
    translated."""


@dataclass
class Absorbed:
    """What moved when a practice was folded into another and deleted."""

    practice_id: int
    practice_name: str
    response_ids: list[int] = field(default_factory=list)
    contacts_moved: int = 0
    contacts_merged: int = 0
    activities_moved: int = 0
    tasks_moved: int = 0
    invitations_moved: int = 0

    def as_changes(self) -> dict[str, list]:
        """Audit ``{field: [old, new]}`` entries describing the fold, as a reader takes them:
        the merged practice's name and id, and how many responses, contacts, activities, tasks
        and invitations moved (counts, never ids: "Responses moved: 287" read as a count)."""
        return {
            "deleted_practice": [f"{self.practice_id}: {self.practice_name}", None],
            "moved_responses": [None, len(self.response_ids)],
            "moved_contacts": [None, self.contacts_moved],
            "merged_contacts": [None, self.contacts_merged],
            "moved_activities": [None, self.activities_moved],
            "moved_tasks": [None, self.tasks_moved],
            "moved_invitations": [None, self.invitations_moved],
        }


def require_same_country(first, second: Practice) -> None:
    """Refuse to combine a response or practice with a practice of another country."""
    if first.country_code != second.country_code:
        raise MergeRefused(_("Responses and practices can only be combined within one country."))


def move_contact(contact: Contact, target: Practice) -> tuple[bool, int]:
    """Move ``contact`` to ``target``; when ``target`` has a contact with the same email, fold
    into that one: its responses and invitations follow, the more recent permission-to-contact
    decision of the two wins, and ``contact`` is deleted. Returns (folded, invitations moved)."""
    existing = db.session.scalar(
        select(Contact).where(
            Contact.practice_id == target.id,
            Contact.email_key == contact.email_key,
            Contact.id != contact.id,
        )
    )
    if existing is None:
        contact.practice = target
        return False, 0
    newer = contact.permission_changed_at is not None and (
        existing.permission_changed_at is None
        or contact.permission_changed_at > existing.permission_changed_at
    )
    if newer:
        existing.permission_to_contact = contact.permission_to_contact
        existing.permission_changed_at = contact.permission_changed_at
    for response in db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.contact_id == contact.id)
    ):
        response.contact = existing
    # An invitation belongs to its contact (deleted with it): it follows the one kept.
    invitations = db.session.execute(
        update(Invitation).where(Invitation.contact_id == contact.id).values(
            contact_id=existing.id)
    ).rowcount  # fmt: skip
    db.session.delete(contact)
    return True, invitations


def _move_responses(source: Practice, target: Practice, absorbed: Absorbed) -> None:
    """Every response of ``source`` to ``target``, in bulk; new ones become linked (staff
    decided where they go). Their tally keys do not change (docs/decisions.md#tallies)."""
    absorbed.response_ids = list(
        db.session.scalars(
            select(SurveyResponse.id)
            .where(SurveyResponse.practice_id == source.id)
            .order_by(SurveyResponse.id)
        )
    )
    actor_id = audit.current_actor()[0]
    db.session.execute(
        update(SurveyResponse)
        .where(SurveyResponse.practice_id == source.id, SurveyResponse.triage_status == "new")
        .values(triage_status="linked", triaged_at=utcnow(), triaged_by_id=actor_id),
        execution_options={"synchronize_session": "fetch"},
    )
    db.session.execute(
        update(SurveyResponse)
        .where(SurveyResponse.practice_id == source.id)
        .values(practice_id=target.id),
        execution_options={"synchronize_session": "fetch"},
    )


def _repoint(source: Practice, target: Practice, absorbed: Absorbed) -> None:
    """Activities, tasks, suggestions and earlier merges of ``source`` now name ``target``."""
    absorbed.activities_moved = db.session.execute(
        update(Activity).where(Activity.practice_id == source.id).values(practice_id=target.id)
    ).rowcount
    absorbed.tasks_moved = db.session.execute(
        update(Task).where(Task.practice_id == source.id).values(practice_id=target.id)
    ).rowcount
    # A suggestion between the two is settled; one pointing at the source now means the target.
    db.session.execute(
        update(SurveyResponse)
        .where(
            SurveyResponse.practice_id == target.id,
            SurveyResponse.suggested_practice_id.in_((source.id, target.id)),
        )
        .values(suggested_practice_id=None, suggestion_score=None),
        execution_options={"synchronize_session": "fetch"},
    )
    db.session.execute(
        update(SurveyResponse)
        .where(SurveyResponse.suggested_practice_id == source.id)
        .values(suggested_practice_id=target.id),
        execution_options={"synchronize_session": "fetch"},
    )
    db.session.execute(
        update(PracticeMerge)
        .where(PracticeMerge.into_practice_id == source.id)
        .values(into_practice_id=target.id)
    )


def absorb(source: Practice, target: Practice) -> Absorbed:
    """Move everything of ``source`` to ``target`` (see the module's docstring), record where
    ``source`` went, delete it. ``target`` is not refreshed here."""
    absorbed = Absorbed(practice_id=source.id, practice_name=source.name)
    db.session.flush()
    _move_responses(source, target, absorbed)
    absorbed.invitations_moved = db.session.scalar(
        select(func.count()).select_from(Invitation).join(Contact)
        .where(Contact.practice_id == source.id)
    )  # fmt: skip
    for contact in list(source.contacts):
        folded, _invitations = move_contact(contact, target)
        absorbed.contacts_merged += folded
        absorbed.contacts_moved += not folded
    _repoint(source, target, absorbed)
    db.session.add(
        PracticeMerge(
            merged_practice_id=source.id,
            into_practice_id=target.id,
            merged_name=source.name,
            country_code=source.country_code,
            merged_by_id=audit.current_actor()[0],
        )
    )
    db.session.flush()
    db.session.expire(source, ["contacts"])
    db.session.delete(source)
    db.session.flush()
    return absorbed


def merge_practices(source: Practice, target: Practice) -> Practice:
    """Merge ``source`` into ``target`` (same country), the survivor (docs/domain.md#merges):
    everything moves (:func:`absorb`), ``target`` is re-derived from its latest counted
    response, ``source`` is deleted and its page then says where it went. Recorded in the
    audit trail once, under the survivor (the merged practice's page says where it went).
    Raises ``MergeRefused`` for different countries or the same practice twice. Returns
    ``target``; the caller commits."""
    if source.id == target.id:
        raise MergeRefused(_("A practice cannot be merged into itself."))
    require_same_country(source, target)
    source_id = source.id
    absorbed = absorb(source, target)
    refresh_practice(target)
    changes = {"merged_practice_id": [source_id, target.id], **absorbed.as_changes()}
    audit.record("practice.merge", "practice", target.id, changes,
                 country_code=target.country_code, practice_id=target.id)  # fmt: skip
    db.session.flush()
    notify_country_changed(target.country_code)
    logger.info("practice %s merged into %s by %s", source_id, target.id, audit.current_actor()[1])
    return target


def merged_into(practice_id: int) -> tuple[PracticeMerge, Practice | None] | None:
    """Where a merged practice went: its merge record and the practice that holds its history
    now (None if that one was deleted since); None when ``practice_id`` was never merged."""
    merge = db.session.get(PracticeMerge, practice_id)
    if merge is None:
        return None
    survivor = db.session.get(Practice, merge.into_practice_id) if merge.into_practice_id else None
    return merge, survivor


def ordered_pair(first_id: int, second_id: int) -> tuple[int, int]:
    """A pair of practice ids as ``practice_distinct_pairs`` keeps it: the lower first."""
    return (first_id, second_id) if first_id < second_id else (second_id, first_id)


def mark_not_same(first: Practice, second: Practice) -> DistinctPractices:
    """Remember that two practices are not the same: the scan for duplicates never pairs them
    again (docs/domain.md#merges). Idempotent; audited under both ids. Raises
    ``MergeRefused`` for one practice twice."""
    if first.id == second.id:
        raise MergeRefused(_("Choose two different practices."))
    low, high = ordered_pair(first.id, second.id)
    pair = db.session.get(DistinctPractices, (low, high))
    if pair is None:
        pair = DistinctPractices(first_practice_id=low, second_practice_id=high,
                                 decided_by_id=audit.current_actor()[0])  # fmt: skip
        db.session.add(pair)
        for practice in (first, second):
            audit.record("practice.not_duplicate", "practice", practice.id,
                         {"not_the_same_as": [None, second.id if practice is first else first.id]},
                         country_code=practice.country_code, practice_id=practice.id)  # fmt: skip
        db.session.flush()
    return pair


@dataclass(frozen=True)
class Holdings:
    """What a practice holds that a merge moves: responses (every triage status), contacts,
    activities and tasks."""

    responses: int
    contacts: int
    activities: int
    tasks: int

    def __add__(self, other: Holdings) -> Holdings:
        return Holdings(self.responses + other.responses, self.contacts + other.contacts,
                        self.activities + other.activities, self.tasks + other.tasks)  # fmt: skip


def holdings(practice_id: int) -> Holdings:
    """What ``practice_id`` holds, counted (for the merge's confirmation: what moves, and
    what the survivor then holds, docs/domain.md#merges). Contacts sharing an email with the
    survivor's fold into them, so the survivor may end with fewer than the sum."""

    def count(model, column) -> int:
        return db.session.scalar(
            select(func.count()).select_from(model).where(column == practice_id)
        )

    return Holdings(
        responses=count(SurveyResponse, SurveyResponse.practice_id),
        contacts=count(Contact, Contact.practice_id),
        activities=count(Activity, Activity.practice_id),
        tasks=count(Task, Task.practice_id),
    )
