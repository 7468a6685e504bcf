"""The filters an export is taken with: the same query arguments as the lists on screen, their
SQL conditions, and their description in words for an export's README sheet
(docs/domain.md#exports).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from crm import labels
from crm.core.clock import within_calendar
from crm.core.i18n import LANGUAGE_NAMES, LOCALES, country_name
from crm.core.presentation import localized_date
from crm.responses.matching import normalize_key
from crm.responses.models import (
    INTERESTED_LEVELS,
    TRIAGE_STATUSES,
    Contact,
    Interest,
    Practice,
    SurveyResponse,
)
from crm.responses.questionnaire import INTEREST_KEYS

#: ``status`` value that selects every triage status (the response list's "All statuses").
ALL_STATUSES = "all"
#: Triage status the response list shows when none is asked for.
DEFAULT_STATUS = "new"


def _one_of(value: str | None, allowed: Iterable[str]) -> str | None:
    return value if value in set(allowed) else None


def _day(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is None or within_calendar(day) else None


def _country(value: str | None) -> str | None:
    code = (value or "").strip().upper()
    return code if len(code) == 2 and code.isalpha() else None


def _described(pairs: Iterable[tuple[str, str | None]]) -> list[tuple[str, str]]:
    """The ``(label, value)`` pairs of the filters in use; "None" when there are none."""
    used = [(label, value) for label, value in pairs if value]
    return used or [(_("Filters"), _("None: every row"))]


@dataclass(frozen=True)
class ResponseFilters:
    """Filters of the response list, with its query arguments and meanings: ``status`` (a
    triage status, ``all`` for every one, ``new`` when absent or unknown), ``country``,
    ``language``, ``suggested`` (only responses with a suggested practice), and for exports
    ``from`` and ``to``: the organization's calendar days, ``to`` included. Other unknown
    values are ignored. A triage status selects filed responses only, as the inbox does: one
    the worker has not filed yet has no triage; "all" includes it (``filed_at`` empty)."""

    status: str | None = DEFAULT_STATUS
    country: str | None = None
    language: str | None = None
    suggested: bool = False
    date_from: date | None = None
    date_to: date | None = None
    timezone: str = "UTC"

    @classmethod
    def from_args(cls, args: Mapping[str, str], *, timezone: str = "UTC") -> ResponseFilters:
        """Filters from request arguments such as ``request.args``."""
        status = args.get("status")
        return cls(
            status=None
            if status == ALL_STATUSES
            else _one_of(status, TRIAGE_STATUSES) or DEFAULT_STATUS,
            country=_country(args.get("country")),
            language=_one_of(args.get("language"), LOCALES),
            suggested=(args.get("suggested") or "").lower() in {"y", "yes", "1", "true", "on"},
            date_from=_day(args.get("from")),
            date_to=_day(args.get("to")),
            timezone=timezone,
        )

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments (for links), empty ones left out."""
        args = {
            "status": self.status or ALL_STATUSES,
            "country": self.country,
            "language": self.language,
            "suggested": "y" if self.suggested else None,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }
        return {k: v for k, v in args.items() if v}

    def described(self) -> list[tuple[str, str]]:
        """``(label, value)`` of each filter in use, in the current locale."""
        return _described(
            [
                (_("Triage status"), labels.label("triage", self.status) or _("All statuses")),
                (_("Country"), country_name(self.country) if self.country else None),
                (_("Language"), LANGUAGE_NAMES.get(self.language or "")),
                (
                    _("Only responses with a suggested duplicate"),
                    _("Yes") if self.suggested else None,
                ),
                (_("Submitted from"), localized_date(self.date_from) if self.date_from else None),
                (_("Submitted until"), localized_date(self.date_to) if self.date_to else None),
            ]
        )

    def conditions(self) -> list:
        """SQL conditions on SurveyResponse."""
        zone = ZoneInfo(self.timezone)
        found = []
        if self.status:
            found.append(SurveyResponse.triage_status == self.status)
            found.append(SurveyResponse.filed_at.is_not(None))
        if self.country:
            found.append(SurveyResponse.country_code == self.country)
        if self.language:
            found.append(SurveyResponse.language == self.language)
        if self.suggested:
            found.append(SurveyResponse.suggested_practice_id.is_not(None))
        if self.date_from:
            start = datetime.combine(self.date_from, time.min, tzinfo=zone).astimezone(UTC)
            found.append(SurveyResponse.submitted_at >= start)
        if self.date_to:
            end = datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=zone)
            found.append(SurveyResponse.submitted_at < end.astimezone(UTC))
        return found


@dataclass(frozen=True)
class PracticeFilters:
    """Filters of the practice list, with its query arguments: ``q`` (the name contains it,
    both normalized as ``crm.responses.matching.normalize_key`` does), ``country`` and
    ``program`` (very or somewhat interested in it). Unknown values are ignored."""

    text: str | None = None
    country: str | None = None
    program: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> PracticeFilters:
        """Filters from request arguments such as ``request.args``."""
        return cls(
            text=(args.get("q") or "").strip()[:300] or None,
            country=_country(args.get("country")),
            program=_one_of((args.get("program") or "").upper(), INTEREST_KEYS),
        )

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments (for links), empty ones left out."""
        args = {"q": self.text, "country": self.country, "program": self.program}
        return {k: v for k, v in args.items() if v}

    def described(self) -> list[tuple[str, str]]:
        """``(label, value)`` of each filter in use, in the current locale."""
        return _described(
            [
                (_("Name"), self.text),
                (_("Country"), country_name(self.country) if self.country else None),
                (_("Interested in"), labels.label("program", self.program) or None),
            ]
        )

    def conditions(self) -> list:
        """SQL conditions on Practice."""
        found = []
        if key := normalize_key(self.text):
            found.append(Practice.name_key.contains(key, autoescape=True))
        if self.country:
            found.append(Practice.country_code == self.country)
        if self.program:
            found.append(
                Practice.id.in_(
                    select(Interest.practice_id).where(
                        Interest.program_code == self.program,
                        Interest.level.in_(INTERESTED_LEVELS),
                    )
                )
            )
        return found


@dataclass(frozen=True)
class ContactFilters:
    """Filters of the contact list, with its query arguments: ``q`` (in the name or the
    email, case ignored), ``country`` (of the contact's practice) and ``permission`` (``yes``
    or ``no``: whether the permission to contact stands). Unknown values are ignored."""

    text: str | None = None
    country: str | None = None
    permission: bool | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ContactFilters:
        """Filters from request arguments such as ``request.args``."""
        return cls(
            text=(args.get("q") or "").strip()[:300] or None,
            country=_country(args.get("country")),
            permission={"yes": True, "no": False}.get(args.get("permission") or ""),
        )

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments (for links), empty ones left out."""
        permission = {True: "yes", False: "no"}.get(self.permission)  # type: ignore[call-overload]
        args = {"q": self.text, "country": self.country, "permission": permission}
        return {k: v for k, v in args.items() if v}

    def described(self) -> list[tuple[str, str]]:
        """``(label, value)`` of each filter in use, in the current locale."""
        permission = {True: _("Yes"), False: _("No")}.get(self.permission)  # type: ignore[call-overload]
        return _described(
            [
                (_("Name or email"), self.text),
                (_("Country"), country_name(self.country) if self.country else None),
                (_("Permission to contact"), permission),
            ]
        )

    def conditions(self) -> list:
        """SQL conditions on Contact."""
        found = []
        if self.text:
            pattern = self.text.lower()
            found.append(
                or_(
                    func.lower(Contact.name).contains(pattern, autoescape=True),
                    Contact.email_key.contains(pattern, autoescape=True),
                )
            )
        if self.country:
            found.append(
                Contact.practice_id.in_(
                    select(Practice.id).where(Practice.country_code == self.country)
                )
            )
        if self.permission is not None:
            found.append(Contact.permission_to_contact.is_(self.permission))
        return found
