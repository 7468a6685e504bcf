"""What-if: readiness after hypothetical changes, before anything is saved
(docs/domain.md#what-if).

Pure like :mod:`crm.readiness.rules`: no Flask, no database. The facts of today are copied with
the hypothetical changes applied (a program's default threshold, one country's threshold, QCP's
capacity, a privacy review approved, an agreement signed until a day), then assessed by the same
:func:`crm.readiness.rules.assess` the board uses. Nothing here knows a rule of its own: the
rules are never copied, only their facts overridden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from crm.readiness.rules import (
    AgreementFact,
    CountryFacts,
    Readiness,
    ReviewFact,
    assess,
)

__all__ = ["Change", "Scenario", "apply_scenario", "changed_criteria", "what_if"]

#: The status a hypothetical approval gives a privacy review (docs/domain.md#pipeline).
APPROVED = "approved"
#: The status a hypothetical signature gives a country agreement.
SIGNED = "signed"


@dataclass(frozen=True)
class Scenario:
    """Hypothetical changes (docs/domain.md#what-if); every part is optional.

    - ``thresholds``: program code → new default threshold (countries with their own override
      keep it);
    - ``country_thresholds``: ISO code → program code → that country's threshold;
    - ``qcp_capacity``: the most countries where QCP may be launched at once;
    - ``privacy_reviews_approved``: ids of privacy reviews taken as approved today;
    - ``agreements_signed``: agreement id → its expiry day (``None``: no expiry), each taken as
      signed today.
    """

    thresholds: Mapping[str, int] = field(default_factory=dict)
    country_thresholds: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    qcp_capacity: int | None = None
    privacy_reviews_approved: frozenset[int] = frozenset()
    agreements_signed: Mapping[int, date | None] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Whether the scenario changes nothing at all."""
        return not (
            self.thresholds
            or self.country_thresholds
            or self.qcp_capacity is not None
            or self.privacy_reviews_approved
            or self.agreements_signed
        )


@dataclass(frozen=True)
class Change:
    """One country and program: its readiness today (``before``) and under the scenario
    (``after``)."""

    before: Readiness
    after: Readiness

    @property
    def state_changed(self) -> bool:
        """Whether the state differs."""
        return self.before.state != self.after.state

    @property
    def criteria_changed(self) -> tuple[str, ...]:
        """Keys of the criteria that differ (met or params), in rule order."""
        return changed_criteria(self.before, self.after)


def changed_criteria(before: Readiness, after: Readiness) -> tuple[str, ...]:
    """Keys of the criteria of ``after`` whose met flag or params differ from ``before``'s."""
    old = {c.key: c for c in before.criteria}
    return tuple(c.key for c in after.criteria if old.get(c.key) != c)


def _review(review: ReviewFact, approved: frozenset[int], today: date) -> ReviewFact:
    if review.id is None or review.id not in approved:
        return review
    return replace(review, status=APPROVED, status_since=today)


def _agreement(
    agreement: AgreementFact, signed: Mapping[int, date | None], today: date
) -> AgreementFact:
    if agreement.id is None or agreement.id not in signed:
        return agreement
    return replace(
        agreement,
        status=SIGNED,
        status_since=today,
        signed_on=today,
        expires_on=signed[agreement.id],
    )


def _thresholds(
    facts: CountryFacts, scenario: Scenario, overridden: frozenset[str]
) -> dict[str, int]:
    thresholds = dict(facts.thresholds)
    for program, default in scenario.thresholds.items():
        if program in thresholds and program not in overridden:
            thresholds[program] = default
    for program, value in scenario.country_thresholds.get(facts.country, {}).items():
        if program in thresholds:
            thresholds[program] = value
    return thresholds


def apply_scenario(
    facts: CountryFacts,
    scenario: Scenario,
    *,
    today: date,
    overridden: frozenset[str] = frozenset(),
) -> CountryFacts:
    """The country's facts as they would be under ``scenario``. ``overridden`` holds the
    programs whose threshold the country overrides today (a new default does not reach them);
    ``today`` is the organization's calendar day a hypothetical approval or signature takes."""
    return replace(
        facts,
        privacy_reviews=tuple(
            _review(r, scenario.privacy_reviews_approved, today) for r in facts.privacy_reviews
        ),
        agreements=tuple(
            _agreement(a, scenario.agreements_signed, today) for a in facts.agreements
        ),
        thresholds=_thresholds(facts, scenario, overridden),
    )


def what_if(
    countries: Iterable[CountryFacts],
    scenario: Scenario,
    *,
    today: date,
    qcp_capacity: int,
    overrides: Mapping[str, frozenset[str]] | None = None,
) -> list[Change]:
    """Readiness of every country and program today and under ``scenario``, in input order
    (docs/domain.md#what-if).

    ``countries`` are today's facts of every country (QCP's launched count is taken from them,
    as on the board); ``qcp_capacity`` is today's capacity; ``overrides`` maps an ISO code to
    the programs whose threshold that country overrides today. Both boards come from
    :func:`crm.readiness.rules.assess`.
    """
    countries = list(countries)
    overrides = overrides or {}
    before = assess(countries, today=today, qcp_capacity=qcp_capacity)
    changed = [
        apply_scenario(
            facts, scenario, today=today, overridden=overrides.get(facts.country, frozenset())
        )
        for facts in countries
    ]
    capacity = scenario.qcp_capacity if scenario.qcp_capacity is not None else qcp_capacity
    after = assess(changed, today=today, qcp_capacity=capacity)
    return [Change(b, a) for b, a in zip(before, after, strict=True)]
