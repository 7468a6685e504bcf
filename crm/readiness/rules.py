"""Readiness engine: can QOPI or QCP open in a country, and why (docs/domain.md#readiness).

Pure functions over frozen facts: no Flask, no database, standard library only. Callers gather the
facts (eligible practices already de-duplicated and spam-free, country threshold overrides already
applied), pass ``today`` as the organization's calendar day, and put results into words with
:mod:`crm.readiness.wording` through their own gettext. Readiness is derived on every call, never
stored.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

__all__ = [
    "APPROVED_REVIEW",
    "LAUNCHED_STATUSES",
    "PROGRAMS_WITH_LAUNCH",
    "HOME_COUNTRIES",
    "AgreementFact",
    "CountryFacts",
    "Criterion",
    "Readiness",
    "ReviewFact",
    "State",
    "assess",
    "assess_country",
    "availability_of",
    "capacity_full",
    "check_country_agreement",
    "check_eligible_practices",
    "check_privacy_review",
    "check_qopi_launched",
    "count_launched",
]

PROGRAMS_WITH_LAUNCH = ("QOPI", "QCP")
LAUNCHED_STATUSES = frozenset({"available", "pilot"})
APPROVED_REVIEW = frozenset({"approved", "approved_with_conditions"})

#: The programs' home: the United States and its territories (Puerto Rico, Guam, the U.S.
#: Virgin Islands, American Samoa, the Northern Mariana Islands and the U.S. Minor Outlying
#: Islands). The programs are run from there, so it is never a launch candidate and a QCP
#: there uses none of QCP's international capacity (docs/domain.md#home).
HOME_COUNTRIES = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "UM"})

#: Availability assumed for a program with no availability row (docs/domain.md#availability).
NOT_AVAILABLE = "not_available"

#: Best first: decides which review explains a criterion when several cover the program.
#: ``rejected`` ranks below ``not_started`` because it needs a new review, not just a start.
REVIEW_PROGRESS = (
    "approved",
    "approved_with_conditions",
    "in_review",
    "requested",
    "not_started",
    "rejected",
)

#: Best first, by standing (see :func:`_agreement_standing`). A signed agreement past its expiry
#: day ranks below a draft: a draft is moving towards signature, a lapsed one needs renewing.
AGREEMENT_PROGRESS = (
    "signed",
    "out_for_signature",
    "negotiating",
    "draft",
    "signed_past_expiry",
    "expired",
    "terminated",
)


class State(StrEnum):
    """Readiness of one program in one country; the values are the JSON ``state``
    (docs/domain.md#readiness). ``home``: the programs' home, never a launch candidate."""

    HOME = "home"
    LAUNCHED = "launched"
    READY = "ready"
    AWAITING_CAPACITY = "awaiting_capacity"
    NEAR_READY = "near_ready"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class ReviewFact:
    """One privacy review (docs/domain.md#pipeline): its status, the program codes it covers,
    the local calendar day its current status began (``None`` when unknown), and its database
    id (``None`` for facts built by hand; a what-if names reviews by it)."""

    status: str
    programs: frozenset[str]
    status_since: date | None = None
    id: int | None = None


@dataclass(frozen=True)
class AgreementFact:
    """One country agreement (docs/domain.md#pipeline): status, covered program codes, and local
    calendar days for the current status, the signature and the expiry (the last day it counts;
    ``None`` = none), and its database id (``None`` for facts built by hand)."""

    status: str
    programs: frozenset[str]
    status_since: date | None = None
    signed_on: date | None = None
    expires_on: date | None = None
    id: int | None = None


@dataclass(frozen=True)
class CountryFacts:
    """Everything readiness needs about one country (docs/domain.md#readiness).

    ``country`` is ISO 3166-1 alpha-2. ``availability`` maps a program code to its availability
    status (docs/domain.md#availability; a missing code means ``not_available``). ``eligible``
    maps a program code to the number of eligible practices (QOPI: eligible for QOPI; QCP:
    eligible QCP practices), a missing code meaning 0. ``thresholds`` maps a program code to the
    effective threshold, the country override already applied; every program in
    :data:`PROGRAMS_WITH_LAUNCH` must be present.
    """

    country: str
    availability: Mapping[str, str]
    privacy_reviews: tuple[ReviewFact, ...] = ()
    agreements: tuple[AgreementFact, ...] = ()
    eligible: Mapping[str, int] = field(default_factory=dict)
    thresholds: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Criterion:
    """One readiness condition, met or not, with ``params``: the JSON-serialisable numbers and
    ISO dates behind it, which :func:`explain` turns into a sentence."""

    key: str
    met: bool
    params: Mapping[str, object]


@dataclass(frozen=True)
class Readiness:
    """Readiness of one program in one country (docs/domain.md#readiness): its availability
    status, derived state and every criterion in rule order. ``capacity`` is
    ``{"launched": n, "capacity": c}`` for QCP (countries where QCP is launched now, and the most
    allowed at once), ``None`` otherwise."""

    country: str
    program: str
    availability: str
    state: State
    criteria: tuple[Criterion, ...]
    capacity: Mapping[str, int] | None = None

    @property
    def missing(self) -> tuple[Criterion, ...]:
        """The unmet criteria, in rule order."""
        return tuple(c for c in self.criteria if not c.met)

    @property
    def under_way(self) -> bool:
        """Whether any work toward a launch shows: the program ``in_pipeline`` in the country
        (docs/domain.md#availability), a criterion met, a privacy review or an agreement on
        record (whatever its status: the ``status`` param of those criteria), or at least one
        eligible practice (``eligible`` of the eligible-practices criterion).

        The board lists the blocked countries under way with their unmet criteria and only
        counts the others, whose reasons are all the same (nothing started) and which are most
        of the world while a program is young (docs/domain.md#readiness)."""
        return self.availability == "in_pipeline" or any(
            c.met
            or c.params.get("status") is not None
            or (c.key == "eligible_practices" and c.params.get("eligible", 0) > 0)
            for c in self.criteria
        )


# --- criteria -------------------------------------------------------------------------------------


def availability_of(facts: CountryFacts, program: str) -> str:
    """Availability status of ``program`` in the country (docs/domain.md#availability);
    ``not_available`` when absent."""
    return facts.availability.get(program, NOT_AVAILABLE)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _newest_first(day: date | None) -> int:
    # The latest record is the one staff are working on now; an undated one is assumed older.
    return -(day or date.min).toordinal()


def _rank(progress: tuple[str, ...], status: str) -> int:
    # An unknown status ranks after every known one rather than failing the whole board.
    return progress.index(status) if status in progress else len(progress)


def _review_key(review: ReviewFact) -> tuple[int, int]:
    return _rank(REVIEW_PROGRESS, review.status), _newest_first(review.status_since)


def _agreement_standing(agreement: AgreementFact, today: date) -> str:
    # The expiry day itself still counts (docs/domain.md#pipeline); the status word may lag
    # behind the calendar.
    expires_on = agreement.expires_on
    if agreement.status == "signed" and expires_on is not None and expires_on < today:
        return "signed_past_expiry"
    return agreement.status


def _agreement_key(agreement: AgreementFact, today: date) -> tuple[int, int, int]:
    standing = _rank(AGREEMENT_PROGRESS, _agreement_standing(agreement, today))
    # Among signed ones the longest-lasting decides; no expiry date lasts longest.
    lasts = -(agreement.expires_on or date.max).toordinal()
    return standing, lasts, _newest_first(agreement.status_since)


def check_qopi_launched(facts: CountryFacts, program: str, today: date) -> Criterion:
    """QOPI is launched (``available`` or ``pilot``) in the country: QCP criterion 1 of
    docs/domain.md#readiness.

    ``program`` and ``today`` are unused; they keep every check's signature the same.
    Params: ``availability`` (QOPI's availability status there).
    """
    availability = availability_of(facts, "QOPI")
    met = availability in LAUNCHED_STATUSES
    return Criterion("qopi_launched", met, {"availability": availability})


def check_privacy_review(facts: CountryFacts, program: str, today: date) -> Criterion:
    """A privacy review covering ``program`` is approved (with or without conditions): QOPI
    criterion 1 and QCP criterion 2 of docs/domain.md#readiness.

    When several cover it, the most advanced (:data:`REVIEW_PROGRESS`, then the latest status
    day) decides. Params: ``program``, ``status`` and ``since`` (ISO day) of the deciding review,
    both ``None`` when no review covers the program. ``today`` is unused.
    """
    covering = [r for r in facts.privacy_reviews if program in r.programs]
    best = min(covering, key=_review_key, default=None)
    params: dict[str, object] = {"program": program, "status": None, "since": None}
    if best is not None:
        params.update(status=best.status, since=_iso(best.status_since))
    met = best is not None and best.status in APPROVED_REVIEW
    return Criterion("privacy_review", met, params)


def check_country_agreement(facts: CountryFacts, program: str, today: date) -> Criterion:
    """A country agreement covering ``program`` is ``signed`` and not expired on ``today`` (the
    organization's calendar day; the expiry day itself still counts, docs/domain.md#pipeline):
    QOPI criterion 2 and QCP criterion 2 of docs/domain.md#readiness.

    When several cover it, the best standing (:data:`AGREEMENT_PROGRESS`) decides. Params:
    ``program``, and of the deciding agreement ``status``, ``since``, ``signed_on``,
    ``expires_on`` (ISO days or ``None``) and ``expired`` (status ``expired``, or ``signed`` with
    its expiry day before ``today``); all ``None``/``False`` when none covers the program.
    """
    covering = [a for a in facts.agreements if program in a.programs]
    best = min(covering, key=lambda a: _agreement_key(a, today), default=None)
    params: dict[str, object] = {
        "program": program,
        "status": None,
        "since": None,
        "signed_on": None,
        "expires_on": None,
        "expired": False,
    }
    if best is None:
        return Criterion("country_agreement", False, params)
    standing = _agreement_standing(best, today)
    params.update(
        status=best.status,
        since=_iso(best.status_since),
        signed_on=_iso(best.signed_on),
        expires_on=_iso(best.expires_on),
        expired=standing in {"signed_past_expiry", "expired"},
    )
    return Criterion("country_agreement", standing == "signed", params)


def check_eligible_practices(facts: CountryFacts, program: str, today: date) -> Criterion:
    """Eligible practices for ``program`` reach its effective threshold
    (docs/domain.md#thresholds): QOPI criterion 3 and QCP criterion 3 of docs/domain.md#readiness.

    Params: ``program``, ``eligible`` and ``threshold`` (counts of practices). Raises
    ``KeyError`` when ``facts.thresholds`` lacks the program. ``today`` is unused.
    """
    eligible = facts.eligible.get(program, 0)
    threshold = facts.thresholds[program]
    params = {"program": program, "eligible": eligible, "threshold": threshold}
    return Criterion("eligible_practices", eligible >= threshold, params)


Check = Callable[[CountryFacts, str, date], Criterion]

#: The rules of docs/domain.md#readiness as data: each program's criteria, in the order shown.
CRITERIA: Mapping[str, tuple[Check, ...]] = {
    "QOPI": (check_privacy_review, check_country_agreement, check_eligible_practices),
    "QCP": (
        check_qopi_launched,
        check_privacy_review,
        check_country_agreement,
        check_eligible_practices,
    ),
}


# --- assessment -----------------------------------------------------------------------------------


def capacity_full(launched: int, capacity: int) -> bool:
    """Whether QCP's capacity is used up: ``launched`` (countries outside the programs' home where
    QCP is launched now) has reached ``capacity`` (the most allowed at once). While it is full a
    ready QCP reads ``awaiting_capacity`` and a new QCP launch is refused
    (docs/domain.md#capacity)."""
    return launched >= capacity


def _state(
    facts: CountryFacts,
    availability: str,
    criteria: tuple[Criterion, ...],
    capacity: Mapping[str, int] | None,
) -> State:
    if facts.country in HOME_COUNTRIES:
        return State.HOME
    if availability in LAUNCHED_STATUSES:
        return State.LAUNCHED
    unmet = sum(not c.met for c in criteria)
    if unmet > 1:
        return State.BLOCKED
    if unmet == 1:
        return State.NEAR_READY
    if capacity is not None and capacity_full(capacity["launched"], capacity["capacity"]):
        return State.AWAITING_CAPACITY
    return State.READY


def _assess_program(
    facts: CountryFacts, program: str, today: date, capacity: Mapping[str, int] | None
) -> Readiness:
    availability = availability_of(facts, program)
    criteria = tuple(check(facts, program, today) for check in CRITERIA[program])
    state = _state(facts, availability, criteria, capacity)
    return Readiness(facts.country, program, availability, state, criteria, capacity)


def assess_country(
    facts: CountryFacts, *, today: date, qcp_capacity: int, qcp_launched_count: int
) -> tuple[Readiness, ...]:
    """Readiness of each program in :data:`PROGRAMS_WITH_LAUNCH` in one country
    (docs/domain.md#readiness).

    ``today`` is the organization's calendar day. ``qcp_capacity`` is the most countries where QCP
    may be launched at once, ``qcp_launched_count`` how many have it launched now; when the count
    reaches the capacity, a ready QCP reads ``awaiting_capacity``. Launched programs stay
    ``launched`` with their criteria still evaluated. Raises ``KeyError`` when a threshold is
    missing from ``facts.thresholds``.
    """
    capacity = {"launched": qcp_launched_count, "capacity": qcp_capacity}
    return tuple(
        _assess_program(facts, program, today, capacity if program == "QCP" else None)
        for program in PROGRAMS_WITH_LAUNCH
    )


def count_launched(countries: Iterable[CountryFacts], program: str) -> int:
    """Number of countries outside the programs' home where ``program`` is launched
    (``available`` or ``pilot``): what QCP's capacity counts (docs/domain.md#capacity)."""
    return sum(
        availability_of(facts, program) in LAUNCHED_STATUSES
        for facts in countries
        if facts.country not in HOME_COUNTRIES
    )


def assess(countries: Iterable[CountryFacts], *, today: date, qcp_capacity: int) -> list[Readiness]:
    """Readiness board for many countries: per country, in input order, one result per program
    of :data:`PROGRAMS_WITH_LAUNCH` (see :func:`assess_country`).

    The countries where QCP is launched are counted from the facts themselves, so pass every
    country whose QCP is launched, or capacity will look freer than it is.
    """
    countries = list(countries)
    launched = count_launched(countries, "QCP")
    return [
        readiness
        for facts in countries
        for readiness in assess_country(
            facts, today=today, qcp_capacity=qcp_capacity, qcp_launched_count=launched
        )
    ]
