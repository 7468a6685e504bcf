"""Invitations to the survey: personal links, who may be invited, and their status; and the
country page's outreach box.

A link carries a random token (32 bytes, URL-safe); only its SHA-256 digest is stored, as for
API tokens. A link opens the survey prefilled until it expires (``INVITATION_DAYS``) or is used
to answer, whichever comes first. The unsubscribe link is signed with the app's secret instead
(it must keep working after the invitation expires, in every email that carries it).

Only contacts whose permission to contact stands are ever invited or reminded.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import (
    ColumnElement,
    Exists,
    Select,
    and_,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import aliased, selectinload

from crm.core.columns import utcnow
from crm.core.extensions import db
from crm.core.i18n import LOCALES, SEGMENT_OF, country_order
from crm.outreach.models import Invitation, OutboxMessage
from crm.readiness import rules as readiness
from crm.readiness.queries import country_readiness, readiness_board
from crm.responses.matching import email_key
from crm.responses.models import INTERESTED_LEVELS, Contact, Interest, Practice

#: ``secrets.token_urlsafe(32)``: 43 characters of the URL-safe alphabet.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
UNSUBSCRIBE_SALT = "crm.unsubscribe"
#: Most contacts one selection shows and sends to at once.
SELECTION_LIMIT = 500
#: Outreach emails (not transactional): they carry an unsubscribe link and respect withdrawals.
OUTREACH_KINDS = ("invitation", "reminder")


def new_token() -> str:
    """A fresh link token: 32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """Hex SHA-256 of a token: what the database keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


def public_url(endpoint: str, **values: object) -> str:
    """Absolute URL of a page under ``PUBLIC_BASE_URL`` (emails are built without a request)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def survey_link(invitation: Invitation, token: str) -> str:
    """The personal link: the survey in the invitation's language, opened with ``token``."""
    return public_url("surveys.invited", lang=SEGMENT_OF[invitation.language], token=token)


def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(invitation: Invitation) -> str:
    """A signed token naming the invitation: unguessable without the app's secret."""
    return _unsubscribe_serializer().dumps({"invitation": invitation.id})


def unsubscribe_url(invitation: Invitation) -> str:
    """Absolute URL of the invitation's unsubscribe page (and one-click POST target)."""
    return public_url("unsubscribe.page", token=unsubscribe_token(invitation))


def invitation_for_unsubscribe(token: str) -> Invitation | None:
    """The invitation an unsubscribe token was made for; None when altered or unknown."""
    try:
        payload = _unsubscribe_serializer().loads(token)
    except BadSignature:
        return None
    invitation_id = payload.get("invitation") if isinstance(payload, dict) else None
    if not isinstance(invitation_id, int) or not 0 < invitation_id < 2**31:
        return None
    return db.session.get(Invitation, invitation_id)


# --- the personal link ---------------------------------------------------------------------------


class LinkState(StrEnum):
    """What a personal link can do now."""

    OPEN = "open"
    INVALID = "invalid"
    EXPIRED = "expired"
    ANSWERED = "answered"


@dataclass(frozen=True)
class Link:
    """A looked-up personal link: its state, and the invitation only when the link is open."""

    state: LinkState
    invitation: Invitation | None = None


def open_link(token: str | None, now: datetime | None = None) -> Link:
    """Look up a personal link. Malformed, altered or unknown tokens are ``INVALID``; a used
    link is ``ANSWERED`` and an old one ``EXPIRED``, and neither returns its invitation, so no
    page can show another contact's data through them."""
    if not token or not TOKEN_PATTERN.match(token):
        return Link(LinkState.INVALID)
    hashed = digest(token)
    invitation = db.session.scalar(
        select(Invitation)
        .options(selectinload(Invitation.contact).selectinload(Contact.practice))
        .where(or_(Invitation.token_hash == hashed, Invitation.reminder_token_hash == hashed))
    )
    if invitation is None or invitation.contact.practice is None:
        return Link(LinkState.INVALID)
    if invitation.responded_at is not None:
        return Link(LinkState.ANSWERED)
    if invitation.expires_at <= (now or utcnow()):
        return Link(LinkState.EXPIRED)
    return Link(LinkState.OPEN, invitation)


def prefill(invitation: Invitation) -> dict[str, str]:
    """What we know, as survey answers: name, email, role, phone, language, practice name,
    country and city (``crm.responses.questionnaire`` keys; empty values left out)."""
    contact = invitation.contact
    practice = contact.practice
    values = {
        "name": contact.name,
        "email": contact.email,
        "role": contact.role,
        "phone": contact.phone,
        "preferred_language": contact.preferred_language or invitation.language,
        "practice_name": practice.name if practice else None,
        "country": practice.country_code if practice else None,
        "city": practice.city if practice else None,
    }
    return {key: value for key, value in values.items() if value}


# --- status --------------------------------------------------------------------------------------


def invitation_status() -> ColumnElement[str]:
    """SQL expression of an invitation's status (``INVITATION_STATUSES``); needs ``Contact``
    joined on the invitation's contact and ``OutboxMessage`` outer-joined on its first email."""
    return case(
        (Invitation.responded_at.is_not(None), "responded"),
        (
            or_(Invitation.unsubscribed_at.is_not(None), Contact.permission_to_contact.is_(False)),
            "withdrawn",
        ),
        (OutboxMessage.status == "sent", "sent"),
        (OutboxMessage.status == "failed", "failed"),
        (OutboxMessage.id.is_(None), "failed"),
        else_="queued",
    )


def query_invitations(status: str | None = None, country_code: str | None = None) -> Select:
    """``(Invitation, status)`` rows, newest first, optionally of one status and country."""
    status_expr = invitation_status().label("status")
    statement = (
        select(Invitation, status_expr)
        .join(Contact, Contact.id == Invitation.contact_id)
        .outerjoin(Practice, Practice.id == Contact.practice_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == Invitation.outbox_message_id)
        .options(selectinload(Invitation.contact).selectinload(Contact.practice))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    )
    if status:
        statement = statement.where(invitation_status() == status)
    if country_code:
        statement = statement.where(Practice.country_code == country_code)
    return statement


def status_counts() -> dict[str, int]:
    """Number of invitations per status."""
    # Grouped by the label: PostgreSQL would not match the CASE's bound literals otherwise.
    rows = db.session.execute(
        select(invitation_status().label("invitation_status"), func.count())
        .select_from(Invitation)
        .join(Contact, Contact.id == Invitation.contact_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == Invitation.outbox_message_id)
        .group_by(literal_column("invitation_status"))
    )
    return {status: n for status, n in rows}


def pending_invitation(now: datetime | None = None) -> Exists:
    """SQL condition: the ``Contact`` has an invitation still waiting for an answer (not
    answered, not withdrawn, not expired)."""
    return exists().where(
        Invitation.contact_id == Contact.id,
        Invitation.responded_at.is_(None),
        Invitation.unsubscribed_at.is_(None),
        Invitation.expires_at > (now or utcnow()),
    )


def ever_invited() -> Exists:
    """SQL condition: the ``Contact`` has been invited at least once."""
    return exists().where(Invitation.contact_id == Contact.id)


# --- selection -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """Which contacts staff want to invite; empty values mean "any".

    ``readiness_state`` is a ``readiness.State`` value, of ``program`` when it is QOPI or QCP,
    else of either; ``emails`` narrows to those addresses (case-insensitive).
    """

    country: str = ""
    program: str = ""
    readiness_state: str = ""
    emails: tuple[str, ...] = ()
    never_invited: bool = False


@dataclass
class SelectionResult:
    """Contacts a selection found (permission standing, no invitation pending), capped at
    ``SELECTION_LIMIT``; pasted emails that matched no invitable contact; the total found."""

    contacts: list[Contact] = field(default_factory=list)
    unmatched_emails: list[str] = field(default_factory=list)
    total: int = 0

    @property
    def languages(self) -> list[str]:
        """Languages of the emails the selection would send, in locale order."""
        found = {contact_language(c) for c in self.contacts}
        return [locale for locale in LOCALES if locale in found]


def contact_language(contact: Contact) -> str:
    """The language to write to a contact in: their preferred one, else English."""
    return contact.preferred_language or "en"


def invitable() -> ColumnElement[bool]:
    """SQL conditions on ``Contact``: may be invited now (permission to contact stands, has a
    practice, no invitation pending)."""
    return and_(
        Contact.permission_to_contact.is_(True),
        Contact.practice_id.is_not(None),
        ~pending_invitation(),
    )


def countries_in_state(state: str, program: str = "") -> set[str]:
    """ISO codes of countries whose readiness (of ``program`` when it has a launch flag, else
    of QOPI or QCP) is ``state`` today (docs/domain.md#readiness)."""
    programs = (program,) if program in readiness.PROGRAMS_WITH_LAUNCH else None
    return {
        row.country
        for row in readiness_board()
        if str(row.state) == state and (programs is None or row.program in programs)
    }


def select_contacts(selection: Selection) -> SelectionResult:
    """The contacts ``selection`` finds among those that may be invited now, by country then
    name; see :class:`SelectionResult`."""
    statement = (
        select(Contact)
        .join(Practice, Practice.id == Contact.practice_id)
        .options(selectinload(Contact.practice))
        .where(invitable())
    )
    if selection.country:
        statement = statement.where(Practice.country_code == selection.country)
    if selection.program:
        interest = aliased(Interest)
        statement = statement.where(
            exists().where(
                interest.practice_id == Practice.id,
                interest.program_code == selection.program,
                interest.level.in_(INTERESTED_LEVELS),
            )
        )
    if selection.readiness_state:
        codes = countries_in_state(selection.readiness_state, selection.program)
        statement = statement.where(Practice.country_code.in_(sorted(codes)))
    wanted = {email_key(email) for email in selection.emails if email.strip()}
    if wanted:
        statement = statement.where(Contact.email_key.in_(sorted(wanted)))
    if selection.never_invited:
        statement = statement.where(~ever_invited())
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    contacts = list(
        db.session.scalars(
            statement.order_by(
                country_order(Practice.country_code), Contact.name, Contact.id
            ).limit(SELECTION_LIMIT)
        )
    )
    found = {c.email_key for c in contacts}
    return SelectionResult(
        contacts=contacts, unmatched_emails=sorted(wanted - found), total=total or 0
    )


def parse_emails(text: str | None) -> tuple[str, ...]:
    """Addresses from a pasted list: separated by commas, semicolons, spaces or new lines;
    ``Name <a@b>`` forms keep the address; duplicates dropped, order kept."""
    found: dict[str, None] = {}
    for part in re.split(r"[,;\s]+", text or ""):
        address = part.strip().strip("<>").strip()
        if "@" in address:
            found.setdefault(address.lower(), None)
    return tuple(found)


# --- the country page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CountryOutreach:
    """The country page's outreach box: more eligible practices needed per launch program not
    launched there (``{"QOPI": 3}``), and contacts there who may be invited but never were."""

    needed: dict[str, int]
    #: Counted up to NOT_INVITED_COUNTED_UP_TO; ``more_not_invited`` says there are more.
    not_invited: int
    more_not_invited: bool = False


#: The outreach box counts contacts not yet invited up to this many: beyond it the exact number
#: changes nothing staff do, and counting every contact of a large country made the country
#: page grow with its responses (README "Performance").
NOT_INVITED_COUNTED_UP_TO = 1000


def country_outreach(country_code: str) -> CountryOutreach:
    """Numbers of the outreach box of one country (docs/domain.md#thresholds): more eligible
    practices needed per program, and contacts with permission never invited (counted up to
    NOT_INVITED_COUNTED_UP_TO, so the page costs the same in a country of any size)."""
    needed = {}
    for program, result in country_readiness(country_code).items():
        if result.state == readiness.State.LAUNCHED:
            continue
        for criterion in result.criteria:
            if criterion.key == "eligible_practices":
                missing = criterion.params["threshold"] - criterion.params["eligible"]
                if missing > 0:
                    needed[program] = missing
    invitable = (
        select(Contact.id)
        .join(Practice, Practice.id == Contact.practice_id)
        .where(
            Practice.country_code == country_code,
            Contact.permission_to_contact.is_(True),
            ~ever_invited(),
        )
        .limit(NOT_INVITED_COUNTED_UP_TO + 1)
    )
    counted = db.session.scalar(select(func.count()).select_from(invitable.subquery())) or 0
    return CountryOutreach(
        needed=needed,
        not_invited=min(counted, NOT_INVITED_COUNTED_UP_TO),
        more_not_invited=counted > NOT_INVITED_COUNTED_UP_TO,
    )


def invitations_of_contacts(contact_ids: Iterable[int]) -> list[Invitation]:
    """Every invitation of the given contacts."""
    ids = sorted(set(contact_ids))
    if not ids:
        return []
    return list(db.session.scalars(select(Invitation).where(Invitation.contact_id.in_(ids))))
