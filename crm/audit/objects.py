"""What the audit trail's sentences name (docs/domain.md#audit-in-words): who acted, and each
record an event is about, read in a few queries per page of events, with a link where the reader
may follow it. Staff are named by their names; an email shows only to admins (who manage the
accounts), never on a country page a viewer reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from crm.accounts.models import ApiToken, User
from crm.accounts.people import API_ACTOR
from crm.activities.models import Activity, Task
from crm.audit.models import AuditEvent
from crm.audit.vocabulary import PERSON_FIELDS, PRACTICE_FIELDS, USER_ID_FIELDS
from crm.audit.wording import Context, Entry, Thing, describe
from crm.core.access import has_level
from crm.core.extensions import db
from crm.core.i18n import country_name, localized_list
from crm.countries.models import Availability, CountryAgreement, PrivacyReview
from crm.data.models import ImportBatch, ImportTemplate
from crm.labels import program_order
from crm.outreach.models import Invitation
from crm.responses.models import Contact, Practice, SurveyResponse

#: Access level → the levels whose pages a reader at it may open.
_OPENS = {
    "viewer": {"viewer"},
    "staff": {"viewer", "staff"},
    "admin": {"viewer", "staff", "admin"},
}


def context_for(events: Sequence[AuditEvent], *, reader: str) -> Context:
    """The names and links the sentences of ``events`` need, for a reader at access level
    ``reader`` (viewer, staff, admin): links only to pages they may open, emails only for
    admins."""
    show_emails = reader == "admin"
    assigned = {
        v for e in events for name, pair in (e.changes or {}).items() if name in USER_ID_FIELDS
        for v in (pair if isinstance(pair, list) else []) if isinstance(v, int)
    }  # fmt: skip
    users = _users({e.actor_id for e in events} | _user_ids(events) | assigned)
    mentioned = {
        v for e in events for name, pair in (e.changes or {}).items() if name in PRACTICE_FIELDS
        for v in (pair if isinstance(pair, list) else []) if isinstance(v, int)
    }  # fmt: skip
    practices = _practice_names(mentioned | set(_ids(events, "practice")))
    emails = {
        str(v).lower() for e in events for name, pair in (e.changes or {}).items()
        if name in PERSON_FIELDS and isinstance(pair, list) for v in pair if v
    }  # fmt: skip
    people = _people_by_email(emails, show_emails)
    links = _Links(_OPENS[reader])
    return Context(
        actors={e.id: _actor(e, users, show_emails) for e in events},
        things=_things(events, links, users, practices, show_emails),
        people=people,
        practices=practices,
        users={uid: _shown(*names, show_emails) for uid, names in users.items()},
        show_emails=show_emails,
    )


def _shown(name: str | None, email: str, show_emails: bool) -> str:
    """A person as the reader may see them: their name; else their email for an admin, else
    "A staff member"."""
    if name and name.strip():
        return name.strip()
    return email if show_emails else _("A staff member")


def _actor(event: AuditEvent, users: dict[int, tuple[str | None, str]], show_emails: bool) -> str:
    """Who acted: a person's name ("Name (API)" for an API token's write), the command line,
    the system, the demo-data generator, or someone without an account; never a bare label
    such as ``demo``."""
    if event.actor_id in users:
        name = _shown(*users[event.actor_id], show_emails)
        return _("%(name)s (API)", name=name) if event.actor.startswith(API_ACTOR) else name
    named = {
        "cli": _("The command line"),
        "system": _("The system"),
        "demo": _("The demo data generator"),
        "anonymous": _("Someone without an account"),
    }
    if event.actor in named:
        return named[event.actor]
    recorded = event.actor.removeprefix(API_ACTOR)
    if "@" not in recorded:  # a process's label no entry above names: not a person
        return _("The system")
    # An account deleted since: its email, shown to admins only.
    return recorded if show_emails else _("A staff member")


def _user_ids(events: Iterable[AuditEvent]) -> set[int]:
    return {int(e.entity_id) for e in events if e.entity_type == "user" and e.entity_id.isdigit()}


def _users(ids: set[int | None]) -> dict[int, tuple[str | None, str]]:
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    rows = db.session.execute(select(User.id, User.name, User.email).where(User.id.in_(wanted)))
    return {row.id: (row.name, row.email) for row in rows}


def _people_by_email(emails: set[str], show_emails: bool) -> dict[str, str]:
    if not emails:
        return {}
    rows = db.session.execute(
        select(User.name, User.email).where(func.lower(User.email).in_(sorted(emails)))
    )
    return {row.email.lower(): _shown(row.name, row.email, show_emails) for row in rows}


def _practice_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(Practice.id, Practice.name).where(Practice.id.in_(sorted(ids)))
    )
    return {row.id: row.name for row in rows}


class _Links:
    """Links to the pages the reader may open."""

    def __init__(self, opens: set[str]) -> None:
        self.opens = opens

    def __call__(self, level: str, endpoint: str, **args: Any) -> str | None:
        return url_for(endpoint, **args) if level in self.opens else None

    def country(self, code: str | None) -> str | None:
        return self("viewer", "countries.detail", code=code) if code else None

    def place(self, country: str | None, practice_id: int | None) -> str | None:
        """A practice's page for staff, else the country's."""
        if practice_id:
            return self("staff", "practices.detail", practice_id=practice_id)
        return self.country(country)


def _ids(events: Iterable[AuditEvent], entity_type: str) -> list[int]:
    return sorted(
        {int(e.entity_id) for e in events if e.entity_type == entity_type and e.entity_id.isdigit()}
    )


def _things(
    events: Sequence[AuditEvent],
    links: _Links,
    users: dict[int, tuple[str | None, str]],
    practices: dict[int, str],
    show_emails: bool,
) -> dict[tuple[str, str], Thing]:
    """(entity type, entity id) → the record as the sentence names it."""
    found: dict[tuple[str, str], Thing] = {}
    by_type: dict[str, list[AuditEvent]] = defaultdict(list)
    for event in events:
        by_type[event.entity_type].append(event)
    for entity_type, name_them in _DESCRIBERS.items():
        if entity_type in by_type:
            found.update(name_them(by_type[entity_type], links, users, practices, show_emails))
    return found


def _availability(events, links, *_rest) -> dict:
    rows = db.session.execute(
        select(Availability.id, Availability.program_code, Availability.country_code).where(
            Availability.id.in_(_ids(events, "availability"))
        )
    )
    return {
        ("availability", str(r.id)): Thing(
            _(
                "%(program)s in %(country)s",
                program=r.program_code,
                country=country_name(r.country_code),
            ),
            links.country(r.country_code),
            _(
                "of %(program)s in %(country)s",
                program=r.program_code,
                country=country_name(r.country_code),
            ),
        )
        for r in rows
    }


def _reviews(events, links, *_rest) -> dict:
    found = {}
    for review in db.session.scalars(
        select(PrivacyReview).where(PrivacyReview.id.in_(_ids(events, "privacy_review")))
    ):
        names = {
            "country": country_name(review.country_code),
            "programs": localized_list(program_order(p.code for p in review.programs)),
        }
        found[("privacy_review", str(review.id))] = Thing(
            _("the privacy review of %(country)s (%(programs)s)", **names),
            links.country(review.country_code),
            _("of the privacy review of %(country)s (%(programs)s)", **names),
        )
    return found


def _agreements(events, links, *_rest) -> dict:
    rows = db.session.execute(
        select(CountryAgreement.id, CountryAgreement.counterparty, CountryAgreement.country_code)
        .where(CountryAgreement.id.in_(_ids(events, "country_agreement")))
    )  # fmt: skip
    return {
        ("country_agreement", str(r.id)): Thing(
            _(
                "the agreement with %(counterparty)s (%(country)s)",
                counterparty=r.counterparty,
                country=country_name(r.country_code),
            ),
            links.country(r.country_code),
        )
        for r in rows
    }


def _thresholds(events, links, *_rest) -> dict:
    """Thresholds are deleted when cleared: named from the event itself."""
    found = {}
    for event in events:
        names = {
            "program": (event.changes or {}).get("program", [None, None])[-1] or "",
            "country": country_name(event.country_code or ""),
        }
        found[("country_threshold", event.entity_id)] = Thing(
            _("the %(program)s threshold of %(country)s", **names),
            links.country(event.country_code),
            _("of the %(program)s threshold of %(country)s", **names),
        )
    return found


def _countries(events, links, *_rest) -> dict:
    return {
        ("country", e.entity_id): Thing(
            country_name(e.entity_id),
            links.country(e.entity_id),
            _("of %(country)s", country=country_name(e.entity_id)),
        )
        for e in events
    }


def _programs(events, *_rest) -> dict:
    return {
        ("program", e.entity_id): Thing(e.entity_id, of=_("of %(program)s", program=e.entity_id))
        for e in events
    }


def _accounts(events, links, users, _practices, show_emails) -> dict:
    return {
        ("user", str(user_id)): Thing(
            _("the account of %(name)s", name=_shown(*users[user_id], show_emails)),
            links("admin", "admin.edit_user", user_id=user_id),
            _("of the account of %(name)s", name=_shown(*users[user_id], show_emails)),
        )
        for user_id in _ids(events, "user")
        if user_id in users
    }


def _tokens(events, links, _users, _practices, show_emails) -> dict:
    rows = db.session.execute(
        select(ApiToken.id, ApiToken.prefix, User.name, User.email)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.id.in_(_ids(events, "api_token")))
    )
    return {
        ("api_token", str(r.id)): Thing(
            _(
                "the API token %(prefix)s… of %(name)s",
                prefix=r.prefix,
                name=_shown(r.name, r.email, show_emails),
            ),
            links("admin", "admin.api_tokens"),
        )
        for r in rows
    }


def _contacts(events, links, *_rest) -> dict:
    rows = db.session.execute(
        select(Contact.id, Contact.name, Contact.practice_id).where(
            Contact.id.in_(_ids(events, "contact"))
        )
    )
    return {
        ("contact", str(r.id)): Thing(
            _("the contact %(name)s", name=r.name or "—"),
            links("staff", "practices.edit_contact", contact_id=r.id),
        )
        for r in rows
    }


def _invitations(events, links, *_rest) -> dict:
    rows = db.session.execute(
        select(Invitation.id, Contact.name, Contact.practice_id)
        .join(Contact, Contact.id == Invitation.contact_id)
        .where(Invitation.id.in_(_ids(events, "invitation")))
    )
    return {
        ("invitation", str(r.id)): Thing(r.name or _("a contact"), links.place(None, r.practice_id))
        for r in rows
    }


def _activities(events, links, *_rest) -> dict:
    rows = db.session.execute(
        select(Activity.id, Activity.subject, Activity.country_code, Activity.practice_id).where(
            Activity.id.in_(_ids(events, "activity"))
        )
    )
    return {
        ("activity", str(r.id)): Thing(
            _("the activity “%(subject)s”", subject=r.subject),
            links.place(r.country_code, r.practice_id),
        )
        for r in rows
    }


def _tasks(events, links, *_rest) -> dict:
    rows = db.session.execute(
        select(Task.id, Task.title, Task.country_code, Task.practice_id).where(
            Task.id.in_(_ids(events, "task"))
        )
    )
    return {
        ("task", str(r.id)): Thing(
            _("the task “%(title)s”", title=r.title),
            links.place(r.country_code, r.practice_id),
            _("of the task “%(title)s”", title=r.title),
        )
        for r in rows
    }


def _practices(events, links, _users, practices, _show) -> dict:
    return {
        ("practice", str(pid)): Thing(
            _("the practice %(name)s", name=practices[pid]), links.place(None, pid)
        )
        for pid in _ids(events, "practice")
        if pid in practices
    }


def _responses(events, links, *_rest) -> dict:
    rows = db.session.execute(
        select(SurveyResponse.id, Practice.name)
        .outerjoin(Practice, Practice.id == SurveyResponse.practice_id)
        .where(SurveyResponse.id.in_(_ids(events, "survey_response")))
    )
    found = {}
    for r in rows:
        text = (
            _("response %(number)s from %(practice)s", number=r.id, practice=r.name)
            if r.name
            else _("response %(number)s", number=r.id)
        )
        found[("survey_response", str(r.id))] = Thing(
            text, links("staff", "inbox.detail", response_id=r.id)
        )
    return found


def _imports(events, links, *_rest) -> dict:
    rows = db.session.execute(
        select(ImportBatch.id, ImportBatch.filename).where(
            ImportBatch.id.in_(_ids(events, "import_batch"))
        )
    )
    return {
        ("import_batch", str(r.id)): Thing(
            _("the file “%(filename)s”", filename=r.filename),
            links("staff", "data.imports.preview", batch_id=r.id),
            _("of the file “%(filename)s”", filename=r.filename),
        )
        for r in rows
    }


def _templates(events, *_rest) -> dict:
    rows = db.session.execute(
        select(ImportTemplate.id, ImportTemplate.name).where(
            ImportTemplate.id.in_(_ids(events, "import_template"))
        )
    )
    return {
        ("import_template", str(r.id)): Thing(_("the import template “%(name)s”", name=r.name))
        for r in rows
    }


#: Kind of record → the function naming its records.
_DESCRIBERS: dict[str, Callable[..., dict[tuple[str, str], Thing]]] = {
    "availability": _availability,
    "privacy_review": _reviews,
    "country_agreement": _agreements,
    "country_threshold": _thresholds,
    "country": _countries,
    "program": _programs,
    "user": _accounts,
    "api_token": _tokens,
    "contact": _contacts,
    "invitation": _invitations,
    "activity": _activities,
    "task": _tasks,
    "practice": _practices,
    "survey_response": _responses,
    "import_batch": _imports,
    "import_template": _templates,
}


def reader_level() -> str:
    """The current user's access level (admin, staff or viewer)."""
    for level in ("admin", "staff"):
        if has_level(current_user, level):
            return level
    return "viewer"


def audit_entries(events: Sequence[AuditEvent], reader: str | None = None) -> list[Entry]:
    """``events`` in words for ``reader`` (an access level; default: the current user's), in
    the current locale: the template global that ``templates/audit/_events.html`` reads."""
    events = list(events)
    context = context_for(events, reader=reader or reader_level())
    return [describe(event, context) for event in events]


def log_rows(
    chunks: Iterable[Sequence[AuditEvent]], *, reader: str, timezone: ZoneInfo
) -> Iterator[list[list[Any]]]:
    """The audit log's CSV rows, a chunk at a time: when (UTC, then in ``timezone``), who, the
    sentence with its changes, the kind of record and the country's name, for ``reader``
    (an access level) in the current locale."""
    for chunk in chunks:
        context = context_for(chunk, reader=reader)
        rows = []
        for event in chunk:
            entry = describe(event, context)
            moment = event.occurred_at
            rows.append(
                [
                    moment.astimezone(UTC).replace(tzinfo=None),
                    moment.astimezone(timezone).replace(tzinfo=None),
                    entry.actor,
                    entry.text,
                    entry.kind,
                    country_name(event.country_code) if event.country_code else "",
                ]
            )
        yield rows
