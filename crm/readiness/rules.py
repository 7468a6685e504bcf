"""Readiness engine: can QOPI or QCP open in a country, and why (SPEC §3).

Pure functions over frozen facts: no Flask, no database, standard library only. Callers gather the
facts (eligible practices already de-duplicated and spam-free, country threshold overrides already
applied), pass ``today`` as the organization's calendar day, and render results with
:func:`explain` and :func:`summarize` through their own gettext. Readiness is derived on every call,
never stored.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
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
    "as_dict",
    "assess",
    "assess_country",
    "availability_of",
    "check_country_agreement",
    "check_eligible_practices",
    "check_privacy_review",
    "check_qopi_launched",
    "count_launched",
    "criterion_label",
    "explain",
    "state_label",
    "summarize",
]

PROGRAMS_WITH_LAUNCH = ("QOPI", "QCP")
LAUNCHED_STATUSES = frozenset({"available", "pilot"})
APPROVED_REVIEW = frozenset({"approved", "approved_with_conditions"})

#: The programs' home: the United States and its territories (Puerto Rico, Guam, the U.S.
#: Virgin Islands, American Samoa, the Northern Mariana Islands and the U.S. Minor Outlying
#: Islands). The programs are run from there, so it is never a launch candidate and a QCP
#: there uses none of QCP's international capacity (docs/domain.md#home).
HOME_COUNTRIES = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "UM"})

#: Availability assumed for a program with no availability row (SPEC §2).
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

Gettext = Callable[[str], str]


def _identity(message: str) -> str:
    return message


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
    """One privacy review (SPEC §2): its status, the program codes it covers, and the local
    calendar day its current status began (``None`` when unknown)."""

    status: str
    programs: frozenset[str]
    status_since: date | None = None


@dataclass(frozen=True)
class AgreementFact:
    """One country agreement (SPEC §2): status, covered program codes, and local calendar days for
    the current status, the signature and the expiry (the last day it counts; ``None`` = none)."""

    status: str
    programs: frozenset[str]
    status_since: date | None = None
    signed_on: date | None = None
    expires_on: date | None = None


@dataclass(frozen=True)
class CountryFacts:
    """Everything readiness needs about one country (SPEC §3).

    ``country`` is ISO 3166-1 alpha-2. ``availability`` maps a program code to its SPEC §2 status
    (a missing code means ``not_available``). ``eligible`` maps a program code to the number of
    eligible practices (QOPI: eligible for QOPI; QCP: eligible QCP practices), a missing code
    meaning 0. ``thresholds`` maps a program code to the effective threshold, the country override
    already applied; every program in :data:`PROGRAMS_WITH_LAUNCH` must be present.
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
    """Readiness of one program in one country (SPEC §3): its availability status, derived state
    and every criterion in rule order. ``capacity`` is ``{"launched": n, "capacity": c}`` for QCP
    (countries where QCP is launched now, and the most allowed at once), ``None`` otherwise."""

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
        """Whether any work toward a launch shows: a criterion met, a privacy review or an
        agreement on record (whatever its status: the ``status`` param of those criteria), or
        at least one eligible practice (``eligible`` of the eligible-practices criterion).

        SPEC §5 asks the board to show blocked countries "with reasons". Decision: the board
        lists the blocked countries under way with their unmet criteria and only counts the
        others, whose reasons are all the same (nothing started) and which are most of the
        world while a program is young."""
        return any(
            c.met
            or c.params.get("status") is not None
            or (c.key == "eligible_practices" and c.params.get("eligible", 0) > 0)
            for c in self.criteria
        )


# --- criteria -------------------------------------------------------------------------------------


def availability_of(facts: CountryFacts, program: str) -> str:
    """SPEC §2 availability status of ``program`` in the country; ``not_available`` when absent."""
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
    # The expiry day itself still counts (SPEC §2); the status word may lag behind the calendar.
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
    """QOPI is launched (``available`` or ``pilot``) in the country: SPEC §3 QCP criterion 1.

    ``program`` and ``today`` are unused; they keep every check's signature the same.
    Params: ``availability`` (QOPI's SPEC §2 status there).
    """
    availability = availability_of(facts, "QOPI")
    met = availability in LAUNCHED_STATUSES
    return Criterion("qopi_launched", met, {"availability": availability})


def check_privacy_review(facts: CountryFacts, program: str, today: date) -> Criterion:
    """A privacy review covering ``program`` is approved (with or without conditions): SPEC §3
    QOPI criterion 1, QCP criterion 2.

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
    organization's calendar day; the expiry day itself still counts): SPEC §2, SPEC §3 QOPI
    criterion 2, QCP criterion 2.

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
    """Eligible practices for ``program`` reach its effective threshold: SPEC §3 QOPI criterion
    3, QCP criterion 3.

    Params: ``program``, ``eligible`` and ``threshold`` (counts of practices). Raises
    ``KeyError`` when ``facts.thresholds`` lacks the program. ``today`` is unused.
    """
    eligible = facts.eligible.get(program, 0)
    threshold = facts.thresholds[program]
    params = {"program": program, "eligible": eligible, "threshold": threshold}
    return Criterion("eligible_practices", eligible >= threshold, params)


Check = Callable[[CountryFacts, str, date], Criterion]

#: The SPEC §3 rules as data: each program's criteria, in the order they are shown.
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
    if capacity is not None and capacity["launched"] >= capacity["capacity"]:
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
    """Readiness of each program in :data:`PROGRAMS_WITH_LAUNCH` in one country (SPEC §3).

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


# --- wording -------------------------------------------------------------------------------------
#
# Each status has its own whole sentence rather than a status word slotted into one: in Spanish
# and Portuguese the participle agrees with the noun ("revisión aprobada", "acuerdo firmado").

DayFormat = Callable[[date], str]
ListFormat = Callable[[Sequence[str]], str]


def _iso_day(day: date) -> str:
    return day.isoformat()


def _english_list(items: Sequence[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def _day(value: object, day: DayFormat) -> str | None:
    return day(date.fromisoformat(str(value))) if value is not None else None


def _qopi_launched_sentences(_: Gettext) -> dict[str, str]:
    return {
        "available": _("QOPI is available"),
        "pilot": _("QOPI is in pilot"),
        "not_available": _("QOPI is not available"),
        "under_consideration": _("QOPI is under consideration, not launched"),
        "in_pipeline": _("QOPI is in the pipeline, not launched"),
        "suspended": _("QOPI is suspended"),
    }


def _review_sentences(_: Gettext) -> dict[str, tuple[str, str]]:
    """Status → (sentence with its day, sentence when the day is unknown)."""
    return {
        "not_started": (
            _("Privacy review not started (recorded on %(since)s)"),
            _("Privacy review not started"),
        ),
        "requested": (
            _("Privacy review requested on %(since)s"),
            _("Privacy review requested"),
        ),
        "in_review": (
            _("Privacy review in progress since %(since)s"),
            _("Privacy review in progress"),
        ),
        "approved": (
            _("Privacy review approved on %(since)s"),
            _("Privacy review approved"),
        ),
        "approved_with_conditions": (
            _("Privacy review approved with conditions on %(since)s"),
            _("Privacy review approved with conditions"),
        ),
        "rejected": (
            _("Privacy review rejected on %(since)s"),
            _("Privacy review rejected"),
        ),
    }


def _agreement_sentences(_: Gettext) -> dict[str, tuple[str, str]]:
    """Status → (sentence with its day, sentence when the day is unknown); ``signed`` and
    expiry are worded from the expiry day instead."""
    return {
        "draft": (_("Agreement in draft since %(since)s"), _("Agreement in draft")),
        "negotiating": (
            _("Agreement under negotiation since %(since)s"),
            _("Agreement under negotiation"),
        ),
        "out_for_signature": (
            _("Agreement out for signature since %(since)s"),
            _("Agreement out for signature"),
        ),
        "expired": (_("Agreement marked expired on %(since)s"), _("Agreement expired")),
        "terminated": (_("Agreement terminated on %(since)s"), _("Agreement terminated")),
    }


def _dated(sentences: tuple[str, str], since: str | None) -> str:
    with_day, without_day = sentences
    return with_day % {"since": since} if since is not None else without_day


def _explain_qopi_launched(criterion: Criterion, _: Gettext, day: DayFormat) -> str:
    status = str(criterion.params["availability"])
    return _qopi_launched_sentences(_).get(status, status)


def _explain_privacy_review(criterion: Criterion, _: Gettext, day: DayFormat) -> str:
    params = criterion.params
    status = params["status"]
    if status is None:
        return _("No privacy review covers %(program)s") % params
    sentences = _review_sentences(_).get(str(status), (str(status), str(status)))
    return _dated(sentences, _day(params["since"], day))


def _explain_country_agreement(criterion: Criterion, _: Gettext, day: DayFormat) -> str:
    params = criterion.params
    status = params["status"]
    if status is None:
        return _("No country agreement covers %(program)s") % params
    expires_on = _day(params["expires_on"], day)
    if params["expired"] and expires_on is not None:
        return _("Agreement expired on %(expires_on)s") % {"expires_on": expires_on}
    if status == "signed" and expires_on is not None:
        return _("Agreement signed, valid until %(expires_on)s") % {"expires_on": expires_on}
    if status == "signed":
        return _("Agreement signed, with no expiry date")
    sentences = _agreement_sentences(_).get(str(status), (str(status), str(status)))
    return _dated(sentences, _day(params["since"], day))


def _explain_eligible_practices(criterion: Criterion, _: Gettext, day: DayFormat) -> str:
    return _("Eligible practices: %(eligible)d of %(threshold)d") % criterion.params


_EXPLAINERS: Mapping[str, Callable[[Criterion, Gettext, DayFormat], str]] = {
    "qopi_launched": _explain_qopi_launched,
    "privacy_review": _explain_privacy_review,
    "country_agreement": _explain_country_agreement,
    "eligible_practices": _explain_eligible_practices,
}


def explain(criterion: Criterion, _: Gettext = _identity, *, day: DayFormat = _iso_day) -> str:
    """One sentence stating a criterion with its numbers and days (docs/domain.md#readiness),
    e.g. "Eligible practices: 3 of 5" or "Privacy review in progress since 2026-03-02".

    ``_`` is the gettext to translate with (identity: English); ``day`` writes a calendar day
    (default ISO 8601, as the API and exports want; screens pass the reader's date style).
    Raises ``ValueError`` for a criterion key this module does not produce.
    """
    explainer = _EXPLAINERS.get(criterion.key)
    if explainer is None:
        raise ValueError(f"unknown readiness criterion {criterion.key!r}")
    return explainer(criterion, _, day)


def criterion_label(key: str, _: Gettext = _identity) -> str:
    """What a criterion asks for, as it reads after "missing", e.g. "a country agreement";
    unknown keys are returned as is."""
    labels = {
        "qopi_launched": _("a QOPI launch"),
        "privacy_review": _("an approved privacy review"),
        "country_agreement": _("a signed country agreement"),
        "eligible_practices": _("enough eligible practices"),
    }
    return labels.get(key, key)


def state_label(state: State, _: Gettext = _identity) -> str:
    """Title of a state, e.g. "Near ready": the one wording of every screen, list and export
    (``crm.labels.READINESS_STATE`` reads it from here)."""
    labels = {
        State.HOME: _("Programs' home"),
        State.LAUNCHED: _("Launched"),
        State.READY: _("Ready to launch"),
        State.AWAITING_CAPACITY: _("Ready, awaiting capacity"),
        State.NEAR_READY: _("Near ready"),
        State.BLOCKED: _("Blocked"),
    }
    return labels[state]


def summarize(r: Readiness, _: Gettext = _identity, *, join: ListFormat = _english_list) -> str:
    """One line for the readiness board: the state and what it rests on or lacks, e.g.
    "Near ready: missing a signed country agreement" (docs/domain.md#readiness).

    ``_`` is the gettext to use; ``join`` joins the missing criteria with the language's
    conjunction (Babel's ``format_list`` on screens; English by default).
    """
    missing = join([criterion_label(c.key, _) for c in r.missing])
    if r.state is State.NEAR_READY:
        return _("Near ready: missing %(criteria)s") % {"criteria": missing}
    if r.state is State.BLOCKED:
        return _("Blocked: missing %(criteria)s") % {"criteria": missing}
    if r.state is State.AWAITING_CAPACITY and r.capacity is not None:
        return (
            _(
                "Ready, awaiting capacity: QCP is launched in %(launched)d of at most "
                "%(capacity)d countries"
            )
            % r.capacity
        )
    if r.state is State.READY:
        return _("Ready to launch: every criterion is met")
    if r.state is State.HOME:
        return _("Programs' home: the programs are run from here, not launched here")
    return state_label(r.state, _)


def as_dict(r: Readiness, _: Gettext = _identity) -> dict[str, object]:
    """JSON-ready form of a result (``flask readiness --format json`` and the API):
    ``country``, ``program``, ``availability``, ``state``, ``summary``, ``capacity`` and
    ``criteria`` as a list of ``{"key", "met", "detail", "params"}``, ``detail`` being
    :func:`explain`'s sentence with ISO 8601 days."""
    return {
        "country": r.country,
        "program": r.program,
        "availability": r.availability,
        "state": str(r.state),
        "summary": summarize(r, _),
        "capacity": dict(r.capacity) if r.capacity is not None else None,
        "criteria": [
            {"key": c.key, "met": c.met, "detail": explain(c, _), "params": dict(c.params)}
            for c in r.criteria
        ],
    }
