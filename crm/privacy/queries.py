"""What is held about a data subject: the rows found by their email address."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from crm.core.extensions import db
from crm.drafts.models import SurveyDraft
from crm.drafts.queries import subject_drafts
from crm.outreach.models import Invitation, OutboxMessage
from crm.outreach.queries import invitation_status
from crm.responses.matching import email_key
from crm.responses.models import Contact, Practice, SurveyResponse


@dataclass
class SubjectRecords:
    """Everything held about one email address."""

    email: str
    contacts: list[Contact] = field(default_factory=list)
    responses: list[SurveyResponse] = field(default_factory=list)
    #: Email sent or waiting to be sent to the address, oldest first.
    emails: list[OutboxMessage] = field(default_factory=list)
    #: Invitations of the person's contacts, with their status
    #: (``crm.outreach.queries.invitation_status``).
    invitations: list[tuple[Invitation, str]] = field(default_factory=list)
    #: Survey drafts that hold the address or were saved from the person's invitations
    #: (``docs/domain.md#drafts``), oldest first.
    drafts: list[SurveyDraft] = field(default_factory=list)

    @property
    def practices(self) -> list[Practice]:
        """Practices the person is a contact of, each once."""
        seen: dict[int, Practice] = {}
        for contact in self.contacts:
            if contact.practice is not None:
                seen.setdefault(contact.practice.id, contact.practice)
        return list(seen.values())

    @property
    def is_empty(self) -> bool:
        return not (
            self.contacts or self.responses or self.emails or self.invitations or self.drafts
        )

    @property
    def count(self) -> int:
        """Rows held about the person: contacts, responses, emails, invitations and drafts."""
        return (
            len(self.contacts)
            + len(self.responses)
            + len(self.emails)
            + len(self.invitations)
            + len(self.drafts)
        )


def normalize_email(email: str) -> str:
    """The lower-cased, trimmed form contacts are matched by (``Contact.email_key``)."""
    return email_key(email)


def find_subject(email: str) -> SubjectRecords:
    """Contacts with this email, responses that gave it or are filed under those contacts,
    email addressed to it, the invitations of those contacts, and the survey drafts that hold
    the email or were saved from those invitations."""
    key = normalize_email(email)
    contacts = list(db.session.scalars(select(Contact).where(Contact.email_key == key)))
    contact_ids = [c.id for c in contacts]
    invitations = _invitations(contact_ids)
    return SubjectRecords(
        email=key,
        contacts=contacts,
        responses=_responses(key, contact_ids),
        emails=_emails(key),
        invitations=invitations,
        drafts=subject_drafts(key, [invitation.id for invitation, _status in invitations]),
    )


def _responses(key: str, contact_ids: list[int]) -> list[SurveyResponse]:
    """Responses that gave the email ``key`` or are filed under one of ``contact_ids``,
    oldest first."""
    answered_email = func.lower(SurveyResponse.answers["email"].as_string())
    conditions = [answered_email == key]
    if contact_ids:
        conditions.append(SurveyResponse.contact_id.in_(contact_ids))
    return list(
        db.session.scalars(
            select(SurveyResponse).where(or_(*conditions)).order_by(SurveyResponse.submitted_at)
        )
    )


def _emails(key: str) -> list[OutboxMessage]:
    """Outbox rows addressed to the email ``key``, oldest first."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(func.lower(OutboxMessage.recipient) == key)
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
    )


def _invitations(contact_ids: list[int]) -> list[tuple[Invitation, str]]:
    """Invitations of ``contact_ids`` with their status, oldest first."""
    if not contact_ids:
        return []
    return [
        (invitation, status)
        for invitation, status in db.session.execute(
            select(Invitation, invitation_status())
            .join(Contact, Contact.id == Invitation.contact_id)
            .outerjoin(OutboxMessage, OutboxMessage.id == Invitation.outbox_message_id)
            .where(Invitation.contact_id.in_(contact_ids))
            .order_by(Invitation.created_at, Invitation.id)
        )
    ]
