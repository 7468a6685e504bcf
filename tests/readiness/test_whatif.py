"""What-if (docs/domain.md#what-if), pure: the board's own rules on facts with hypothetical
changes applied."""

from datetime import date

from crm.readiness.rules import State
from crm.readiness.whatif import Scenario, apply_scenario, what_if
from tests.readiness.helpers import TODAY, agreement, facts, review, unlaunched


def by_key(changes):
    return {(c.before.country, c.before.program): c for c in changes}


def test_an_empty_scenario_changes_nothing():
    countries = [unlaunched(eligible={"QOPI": 3}), facts(country="PE")]
    changes = what_if(countries, Scenario(), today=TODAY, qcp_capacity=6)
    assert Scenario().empty
    assert [c.before for c in changes] == [c.after for c in changes]
    assert not any(c.state_changed or c.criteria_changed for c in changes)


def test_a_lower_default_threshold_makes_a_near_ready_country_ready():
    countries = [unlaunched(eligible={"QOPI": 3})]
    (qopi, _qcp) = what_if(countries, Scenario(thresholds={"QOPI": 3}), today=TODAY,
                           qcp_capacity=6)  # fmt: skip
    assert (qopi.before.state, qopi.after.state) == (State.NEAR_READY, State.READY)
    assert qopi.criteria_changed == ("eligible_practices",)


def test_a_new_default_leaves_a_country_override_alone():
    countries = [unlaunched(eligible={"QOPI": 3}, thresholds={"QOPI": 5, "QCP": 3})]
    changes = what_if(countries, Scenario(thresholds={"QOPI": 3}), today=TODAY, qcp_capacity=6,
                      overrides={"CO": frozenset({"QOPI"})})  # fmt: skip
    assert changes[0].after.state == State.NEAR_READY


def test_a_country_threshold_beats_the_new_default():
    countries = [unlaunched(eligible={"QOPI": 3})]
    scenario = Scenario(thresholds={"QOPI": 3}, country_thresholds={"CO": {"QOPI": 4}})
    changes = what_if(countries, scenario, today=TODAY, qcp_capacity=6)
    assert changes[0].after.state == State.NEAR_READY
    assert changes[0].after.criteria[-1].params["threshold"] == 4


def test_approving_a_review_and_signing_an_agreement():
    country = unlaunched(
        privacy_reviews=(review("in_review", id=12),), agreements=(agreement("negotiating", id=6),)
    )
    scenario = Scenario(
        privacy_reviews_approved=frozenset({12}), agreements_signed={6: date(2029, 12, 31)}
    )
    after = apply_scenario(country, scenario, today=TODAY)
    assert after.privacy_reviews[0].status == "approved"
    assert after.privacy_reviews[0].status_since == TODAY
    signed = after.agreements[0]
    assert (signed.status, signed.signed_on, signed.expires_on) == (
        "signed", TODAY, date(2029, 12, 31))  # fmt: skip
    (qopi, _qcp) = what_if([country], scenario, today=TODAY, qcp_capacity=6)
    assert (qopi.before.state, qopi.after.state) == (State.BLOCKED, State.READY)
    assert qopi.criteria_changed == ("privacy_review", "country_agreement")


def test_an_agreement_signed_until_a_past_day_stays_unmet():
    country = unlaunched(agreements=(agreement("draft", id=6),))
    scenario = Scenario(agreements_signed={6: date(2026, 1, 1)})
    (qopi, _qcp) = what_if([country], scenario, today=TODAY, qcp_capacity=6)
    assert qopi.after.state == State.NEAR_READY
    assert qopi.after.criteria[1].params["expired"] is True


def test_more_capacity_frees_a_country_awaiting_it():
    launched = [facts(country=c, availability={"QOPI": "available", "QCP": "available"})
                for c in ("AR", "BR")]  # fmt: skip
    waiting = facts(country="CL")
    changes = by_key(what_if([*launched, waiting], Scenario(qcp_capacity=3), today=TODAY,
                             qcp_capacity=2))  # fmt: skip
    assert changes[("CL", "QCP")].before.state == State.AWAITING_CAPACITY
    assert changes[("CL", "QCP")].after.state == State.READY
    assert changes[("CL", "QCP")].after.capacity == {"launched": 2, "capacity": 3}


def test_the_facts_given_are_left_as_they_were():
    country = unlaunched(eligible={"QOPI": 3})
    what_if([country], Scenario(thresholds={"QOPI": 1}), today=TODAY, qcp_capacity=6)
    assert country.thresholds == {"QOPI": 5, "QCP": 3}
