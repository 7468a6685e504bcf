"""Readiness in words: one sentence per criterion, one line per result, the title of each state,
and the JSON form of a result (docs/domain.md#readiness).

Pure functions like :mod:`crm.readiness.rules`: no Flask, no database, standard library only.
Callers pass their own gettext (``_``; identity by default, i.e. English) and, for screens, the
reader's date style and list conjunction.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from crm.readiness.forecast import Forecast
from crm.readiness.rules import Criterion, Readiness, State

__all__ = ["as_dict", "criterion_label", "explain", "state_label", "summarize"]

Gettext = Callable[[str], str]


def _identity(message: str) -> str:
    return message


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
    if params["expired"] and status == "signed" and expires_on is not None:
        # Signed, and its expiry day (the last day it counts, docs/domain.md#pipeline) is past:
        # "expired on" that day would put the end a day early. One marked expired is told by
        # its own status and day below, whatever expiry date it carries.
        return _("Agreement expired; it was valid until %(expires_on)s") % {
            "expires_on": expires_on
        }
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
    if r.state is State.LAUNCHED:
        return _("Launched: its criteria are kept for reference and no longer decide anything")
    return state_label(r.state, _)


def as_dict(
    r: Readiness, _: Gettext = _identity, *, forecast: Forecast | None = None
) -> dict[str, object]:
    """JSON-ready form of a result (``flask readiness --format json`` and the API):
    ``country``, ``program``, ``availability``, ``state``, ``summary``, ``capacity``,
    ``criteria`` as a list of ``{"key", "met", "detail", "params"}``, ``detail`` being
    :func:`explain`'s sentence with ISO 8601 days, and ``forecast`` (docs/domain.md#forecast:
    ``pace_per_month``, ``window_months``, ``projected_month``, ``basis``; ``None`` when none
    is given)."""
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
        "forecast": forecast.as_dict() if forecast is not None else None,
    }
