"""Alerts for staff and viewers: what the daily job finds, who gets it, what it says.

Each finder returns :class:`AlertCandidate` values; ``crm.outreach.operations`` stores the new
ones. A candidate's ``key`` names its subject and threshold (or day), unique per user, so the
job can run any number of times and adds each alert once.

Who gets what:
- readiness changes (became ready, ready awaiting capacity, near ready, or lost readiness): the
  country's owner and every viewer (the IQSG);
- agreements expiring within 90, 30 and 7 days, or past expiry and still marked signed; privacy
  reviews left unchanged for ``PRIVACY_REVIEW_STALE_DAYS``: the country's owner;
- new survey responses, per country and organization day: the country's owner;
- tasks due today or overdue: the task's owner.
A country without an active owner has its alerts (new responses aside) sent to every active
admin, so nothing falls through while the owner is being chosen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from crm import labels
from crm.accounts.models import Role, User
from crm.activities.models import OPEN_TASK_STATUSES, Task
from crm.core.clock import org_day_start, org_today
from crm.core.extensions import db
from crm.core.i18n import country_name, sort_by_country
from crm.core.presentation import localized_date
from crm.countries.models import Country, CountryAgreement, PrivacyReview
from crm.outreach.models import Alert
from crm.readiness.models import ReadinessChange
from crm.readiness.rules import State
from crm.responses.models import Practice, SurveyResponse

#: Days before an agreement's expiry at which its owner is told; the tightest reached wins.
EXPIRY_WINDOWS = (90, 30, 7)
#: How far back the job looks for readiness changes and new responses, so a worker that was
#: down for a few days still reports them (each once).
LOOKBACK_DAYS = 7
READY_STATES = frozenset({State.READY, State.AWAITING_CAPACITY})
#: Privacy-review statuses still waiting for a decision.
OPEN_REVIEWS = ("not_started", "requested", "in_review")


@dataclass(frozen=True)
class AlertCandidate:
    """An alert the job would add for one user; ``params`` holds JSON-ready values."""

    user_id: int
    kind: str
    key: str
    country_code: str | None = None
    params: dict = field(default_factory=dict, hash=False, compare=False)


# --- recipients ----------------------------------------------------------------------------------


def _active_users_with_role(role: str) -> list[int]:
    return list(
        db.session.scalars(
            select(User.id)
            .join(User.roles)
            .where(Role.name == role, User.active.is_(True))
            .order_by(User.id)
        )
    )


def country_owners(country_codes: Iterable[str]) -> dict[str, int]:
    """Active owner id of each country that has one."""
    codes = sorted(set(country_codes))
    return dict(
        db.session.execute(
            select(Country.code, Country.owner_id)
            .join(User, User.id == Country.owner_id)
            .where(Country.code.in_(codes), User.active.is_(True))
        ).all()
    )


def country_recipients(country_codes: Iterable[str]) -> dict[str, list[int]]:
    """User ids told about each country: its active owner, else every active admin."""
    codes = sorted(set(country_codes))
    if not codes:
        return {}
    owners = country_owners(codes)
    admins = _active_users_with_role("admin")
    return {code: [owners[code]] if code in owners else admins for code in codes}


# --- finders -------------------------------------------------------------------------------------


def is_notable_change(previous: str | None, state: str) -> bool:
    """A readiness change worth an alert: became ready, ready awaiting capacity or near ready,
    or lost readiness (from ready or awaiting capacity to near ready or blocked)."""
    if previous == state:
        return False
    if state in READY_STATES or state == State.NEAR_READY:
        return True
    return previous in READY_STATES and state == State.BLOCKED


def readiness_alerts(now: datetime) -> list[AlertCandidate]:
    """Recorded readiness changes of the last ``LOOKBACK_DAYS`` days worth telling
    (docs/domain.md#readiness)."""
    changes = [
        change
        for change in db.session.scalars(
            select(ReadinessChange)
            .where(ReadinessChange.recorded_at >= now - timedelta(days=LOOKBACK_DAYS))
            .order_by(ReadinessChange.id)
        )
        if is_notable_change(change.previous_state, change.state)
    ]
    recipients = country_recipients(c.country_code for c in changes)
    viewers = _active_users_with_role("viewer")
    return [
        AlertCandidate(
            user_id,
            "readiness_change",
            f"readiness:{change.id}",
            change.country_code,
            {
                "program": change.program_code,
                "previous": change.previous_state,
                "state": change.state,
                "changed_on": change.changed_on.isoformat(),
            },
        )
        for change in changes
        for user_id in sorted({*recipients[change.country_code], *viewers})
    ]


def expiry_window(days_left: int) -> int | None:
    """The tightest of ``EXPIRY_WINDOWS`` that ``days_left`` has reached, or None."""
    reached = [window for window in EXPIRY_WINDOWS if days_left <= window]
    return min(reached) if reached else None


def agreement_alerts(today: date) -> list[AlertCandidate]:
    """Signed agreements expiring within 90, 30 or 7 days (one alert per window reached, the
    tightest only), or past their expiry day and still marked signed (an agreement counts
    through its expiry day: docs/domain.md#pipeline)."""
    agreements = db.session.scalars(
        select(CountryAgreement)
        .where(
            CountryAgreement.status == "signed",
            CountryAgreement.expires_on.is_not(None),
            CountryAgreement.expires_on <= today + timedelta(days=max(EXPIRY_WINDOWS)),
        )
        .order_by(CountryAgreement.id)
    ).all()
    recipients = country_recipients(a.country_code for a in agreements)
    found = []
    for agreement in agreements:
        days_left = (agreement.expires_on - today).days
        window = "expired" if days_left < 0 else str(expiry_window(days_left))
        params = {
            "agreement_id": agreement.id,
            "counterparty": agreement.counterparty,
            "expires_on": agreement.expires_on.isoformat(),
            "days": days_left,
            "window": window,
        }
        kind = "agreement_expired" if days_left < 0 else "agreement_expiring"
        key = f"agreement:{agreement.id}:{agreement.expires_on.isoformat()}:{window}"
        found.extend(
            AlertCandidate(user_id, kind, key, agreement.country_code, params)
            for user_id in recipients[agreement.country_code]
        )
    return found


def privacy_review_alerts(now: datetime) -> list[AlertCandidate]:
    """Privacy reviews still waiting for a decision and unchanged for
    ``PRIVACY_REVIEW_STALE_DAYS`` days (once per unchanged stretch)."""
    stale_days = current_app.config["PRIVACY_REVIEW_STALE_DAYS"]
    reviews = db.session.scalars(
        select(PrivacyReview)
        .where(
            PrivacyReview.status.in_(OPEN_REVIEWS),
            PrivacyReview.updated_at <= now - timedelta(days=stale_days),
        )
        .order_by(PrivacyReview.id)
    ).all()
    recipients = country_recipients(r.country_code for r in reviews)
    return [
        AlertCandidate(
            user_id,
            "privacy_review_stale",
            f"privacy_review:{review.id}:{review.updated_at.date().isoformat()}",
            review.country_code,
            {
                "review_id": review.id,
                "status": review.status,
                "days": (now - review.updated_at).days,
            },
        )
        for review in reviews
        for user_id in recipients[review.country_code]
    ]


def task_alerts(today: date) -> list[AlertCandidate]:
    """Open tasks due today or overdue, for their owners (once per task and due day)."""
    rows = db.session.execute(
        select(Task, Practice.country_code)
        .join(User, User.id == Task.owner_id)
        .outerjoin(Practice, Practice.id == Task.practice_id)
        .where(
            Task.status.in_(OPEN_TASK_STATUSES),
            Task.due_on.is_not(None),
            Task.due_on <= today,
            User.active.is_(True),
        )
        .order_by(Task.id)
    ).all()
    found = []
    for task, practice_country in rows:
        kind = "task_due" if task.due_on == today else "task_overdue"
        found.append(
            AlertCandidate(
                task.owner_id,
                kind,
                f"{kind}:{task.id}:{task.due_on.isoformat()}",
                task.country_code or practice_country,
                {"task_id": task.id, "title": task.title, "due_on": task.due_on.isoformat()},
            )
        )
    return found


def response_alerts(today: date) -> list[AlertCandidate]:
    """New survey responses (spam left out) per owned country and organization day, for each
    of the last ``LOOKBACK_DAYS`` complete days."""
    found = []
    for back in range(LOOKBACK_DAYS, 0, -1):
        day = today - timedelta(days=back)
        counts = dict(
            db.session.execute(
                select(SurveyResponse.country_code, func.count())
                .where(
                    SurveyResponse.created_at >= org_day_start(day),
                    SurveyResponse.created_at < org_day_start(day + timedelta(days=1)),
                    SurveyResponse.triage_status != "spam",
                    SurveyResponse.country_code.is_not(None),
                )
                .group_by(SurveyResponse.country_code)
            ).all()
        )
        owners = country_owners(counts)
        found.extend(
            AlertCandidate(
                owner,
                "new_responses",
                f"responses:{code}:{day.isoformat()}",
                code,
                {"count": counts[code], "day": day.isoformat()},
            )
            for code, owner in sorted(owners.items())
        )
    return found


def find_alerts(now: datetime, today: date) -> list[AlertCandidate]:
    """Every alert due at ``now`` (UTC) / ``today`` (organization day), possibly known ones."""
    return [
        *readiness_alerts(now),
        *agreement_alerts(today),
        *privacy_review_alerts(now),
        *task_alerts(today),
        *response_alerts(today),
    ]


# --- reading order -------------------------------------------------------------------------------


def reading_order(
    alerts: Iterable[Alert], locale: str | None = None, *, newest_first: bool = True
) -> list[Alert]:
    """Alerts in the order a person reads them: by the organization day they were found on
    (newest or oldest day first), and within a day by their countries' names in ``locale``
    (default: the active language; alerts without a country first, then one country's alerts
    as they were found). One run of the job finds a day's alerts in ISO code order; a list
    read as "Argentina, Austria, Australia" follows codes, not names (docs/domain.md#countries).
    """
    found = sorted(alerts, key=lambda alert: alert.id)
    named = sort_by_country(found, lambda alert: alert.country_code, locale)
    return sorted(named, key=lambda alert: org_today(alert.created_at), reverse=newest_first)


# --- messages ------------------------------------------------------------------------------------


def _day(iso: str | None) -> str:
    return localized_date(date.fromisoformat(iso)) if iso else ""


def _readiness_message(params: dict, country: str) -> str:
    program, state = params.get("program", ""), params.get("state")
    lost = params.get("previous") in READY_STATES
    if state == State.READY:
        return _(
            "%(program)s became ready to launch in %(country)s.", program=program, country=country
        )
    if state == State.AWAITING_CAPACITY:
        return _(
            "%(program)s is ready to launch in %(country)s, awaiting QCP capacity.",
            program=program,
            country=country,
        )
    if state == State.NEAR_READY and lost:
        return _(
            "%(program)s lost readiness in %(country)s and is now near ready.",
            program=program,
            country=country,
        )
    if state == State.NEAR_READY:
        return _("%(program)s is near ready in %(country)s.", program=program, country=country)
    return _("%(program)s lost readiness in %(country)s.", program=program, country=country)


def _agreement_expiring_message(params: dict, country: str) -> str:
    if params.get("days") == 0:
        return _(
            "The agreement with %(counterparty)s for %(country)s expires today.",
            counterparty=params.get("counterparty", ""),
            country=country,
        )
    return ngettext(
        "The agreement with %(counterparty)s for %(country)s expires in %(num)d day, on %(date)s.",
        "The agreement with %(counterparty)s for %(country)s expires in %(num)d days, on %(date)s.",
        params.get("days", 0),
        counterparty=params.get("counterparty", ""),
        country=country,
        date=_day(params.get("expires_on")),
    )


def _agreement_expired_message(params: dict, country: str) -> str:
    return _(
        "The agreement with %(counterparty)s for %(country)s was valid until %(date)s and is "
        "still marked signed.",
        counterparty=params.get("counterparty", ""),
        country=country,
        date=_day(params.get("expires_on")),
    )


def _privacy_review_message(params: dict, country: str) -> str:
    return ngettext(
        "The privacy review of %(country)s (%(status)s) has not changed for %(num)d day.",
        "The privacy review of %(country)s (%(status)s) has not changed for %(num)d days.",
        params.get("days", 0),
        country=country,
        status=labels.label("privacy_review", params.get("status")),
    )


def _task_due_message(params: dict, _country: str) -> str:
    return _("Task due today: %(title)s", title=params.get("title", ""))


def _task_overdue_message(params: dict, _country: str) -> str:
    return _(
        "Task overdue since %(date)s: %(title)s",
        date=_day(params.get("due_on")),
        title=params.get("title", ""),
    )


def _new_responses_message(params: dict, country: str) -> str:
    return ngettext(
        "%(num)d new survey response from %(country)s on %(date)s.",
        "%(num)d new survey responses from %(country)s on %(date)s.",
        params.get("count", 0),
        country=country,
        date=_day(params.get("day")),
    )


#: Alert kind → its sentence, from the alert's ``params`` and its country's name.
MESSAGES: dict[str, Callable[[dict, str], str]] = {
    "readiness_change": _readiness_message,
    "agreement_expiring": _agreement_expiring_message,
    "agreement_expired": _agreement_expired_message,
    "privacy_review_stale": _privacy_review_message,
    "task_due": _task_due_message,
    "task_overdue": _task_overdue_message,
    "new_responses": _new_responses_message,
}


def alert_message(alert: Alert) -> str:
    """The alert as one sentence in the active language (request's, or ``force_locale``); an
    unknown kind reads as the kind itself."""
    build = MESSAGES.get(alert.kind)
    if build is None:
        return alert.kind
    country = country_name(alert.country_code) if alert.country_code else ""
    return build(alert.params or {}, country)
