"""Readiness rules as tables (docs/domain.md#readiness): facts in, states and explanations out;
no app."""

from dataclasses import FrozenInstanceError
from datetime import date, timedelta

import pytest

from crm.readiness.rules import (
    HOME_COUNTRIES,
    Criterion,
    Readiness,
    State,
    assess,
    capacity_full,
    count_launched,
)
from crm.readiness.wording import explain, summarize
from tests.readiness.helpers import (
    ONLY_QCP,
    TODAY,
    agreement,
    criterion,
    facts,
    review,
    run,
    unlaunched,
)

# --- privacy review -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "met"),
    [
        ("not_started", False),
        ("requested", False),
        ("in_review", False),
        ("approved", True),
        ("approved_with_conditions", True),
        ("rejected", False),
    ],
)
def test_review_status_decides_privacy_criterion(status, met):
    result = run(unlaunched(privacy_reviews=(review(status),)))["QOPI"]
    assert criterion(result, "privacy_review").met is met


def test_approved_with_conditions_makes_qopi_ready():
    result = run(unlaunched(privacy_reviews=(review("approved_with_conditions"),)))["QOPI"]
    assert result.state is State.READY


def test_no_covering_review_is_unmet():
    result = run(unlaunched(privacy_reviews=()))["QOPI"]
    assert criterion(result, "privacy_review") == Criterion(
        "privacy_review", False, {"program": "QOPI", "status": None, "since": None}
    )


@pytest.mark.parametrize(
    "reviews",
    [
        (review("in_review"), review("approved")),
        (review("approved"), review("in_review")),
        (review("rejected"), review("approved"), review("not_started")),
    ],
)
def test_an_approved_review_beats_the_others(reviews):
    result = run(unlaunched(privacy_reviews=reviews))["QOPI"]
    assert criterion(result, "privacy_review").met


@pytest.mark.parametrize(
    ("reviews", "status", "since"),
    [
        ((review("rejected"), review("in_review")), "in_review", None),
        ((review("not_started"), review("rejected")), "not_started", None),
        ((review("requested"), review("not_started")), "requested", None),
        (
            (
                review("in_review", since=date(2026, 1, 5)),
                review("in_review", since=date(2026, 3, 2)),
            ),
            "in_review",
            "2026-03-02",
        ),
    ],
)
def test_most_advanced_review_explains_when_none_approved(reviews, status, since):
    params = criterion(run(unlaunched(privacy_reviews=reviews))["QOPI"], "privacy_review").params
    assert (params["status"], params["since"]) == (status, since)


# --- country agreement ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "met"),
    [
        ("draft", False),
        ("negotiating", False),
        ("out_for_signature", False),
        ("signed", True),
        ("expired", False),
        ("terminated", False),
    ],
)
def test_agreement_status_decides_agreement_criterion(status, met):
    agreements = (agreement(status, expires_on=date(2027, 1, 31)),)
    result = run(unlaunched(agreements=agreements))["QOPI"]
    assert criterion(result, "country_agreement").met is met


@pytest.mark.parametrize(
    ("expires_on", "met", "expired"),
    [
        (TODAY, True, False),
        (TODAY - timedelta(days=1), False, True),
        (None, True, False),
        (TODAY + timedelta(days=1), True, False),
    ],
    ids=["expires-today", "expired-yesterday", "no-expiry", "expires-tomorrow"],
)
def test_signed_agreement_counts_through_its_expiry_day(expires_on, met, expired):
    result = run(unlaunched(agreements=(agreement("signed", expires_on=expires_on),)))["QOPI"]
    found = criterion(result, "country_agreement")
    assert (found.met, found.params["expired"]) == (met, expired)


def test_signed_agreement_past_expiry_is_explained_as_expired():
    agreements = (agreement("signed", expires_on=TODAY - timedelta(days=1)),)
    found = criterion(run(unlaunched(agreements=agreements))["QOPI"], "country_agreement")
    assert explain(found) == "Agreement expired; it was valid until 2026-06-14"


@pytest.mark.parametrize(
    "agreements",
    [
        (agreement("draft"), agreement("signed")),
        (agreement("signed"), agreement("negotiating")),
        (agreement("signed", expires_on=date(2026, 5, 1)), agreement("signed")),
        (agreement("terminated"), agreement("signed", expires_on=TODAY), agreement("expired")),
    ],
)
def test_a_signed_unexpired_agreement_beats_the_others(agreements):
    result = run(unlaunched(agreements=agreements))["QOPI"]
    assert criterion(result, "country_agreement").met


@pytest.mark.parametrize(
    ("agreements", "status", "expired"),
    [
        ((agreement("draft"), agreement("out_for_signature")), "out_for_signature", False),
        ((agreement("negotiating"), agreement("draft")), "negotiating", False),
        ((agreement("signed", expires_on=date(2026, 5, 1)), agreement("draft")), "draft", False),
        ((agreement("expired"), agreement("signed", expires_on=date(2026, 5, 1))), "signed", True),
        ((agreement("terminated"), agreement("expired")), "expired", True),
    ],
)
def test_best_standing_agreement_explains_when_none_met(agreements, status, expired):
    params = criterion(run(unlaunched(agreements=agreements))["QOPI"], "country_agreement").params
    assert (params["status"], params["expired"]) == (status, expired)


def test_agreement_params_carry_its_dates():
    agreements = (
        agreement(
            "signed",
            since=date(2025, 2, 1),
            signed_on=date(2025, 2, 1),
            expires_on=date(2027, 1, 31),
        ),
    )
    found = criterion(run(unlaunched(agreements=agreements))["QOPI"], "country_agreement")
    assert found.params == {
        "program": "QOPI",
        "status": "signed",
        "since": "2025-02-01",
        "signed_on": "2025-02-01",
        "expires_on": "2027-01-31",
        "expired": False,
    }


# --- coverage -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"privacy_reviews": (review(programs=ONLY_QCP),)}, "privacy_review"),
        ({"agreements": (agreement(programs=ONLY_QCP),)}, "country_agreement"),
    ],
)
def test_record_covering_only_qcp_does_not_count_for_qopi(overrides, key):
    results = run(unlaunched(**overrides))
    assert (criterion(results["QOPI"], key).met, criterion(results["QCP"], key).met) == (
        False,
        True,
    )


# --- eligible practices ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("eligible", "threshold", "met"),
    [
        (4, 5, False),
        (5, 5, True),
        (6, 5, True),
        (0, 5, False),
        (2, 2, True),
        (1, 2, False),
    ],
)
def test_eligible_practices_against_threshold(eligible, threshold, met):
    country = unlaunched(eligible={"QOPI": eligible}, thresholds={"QOPI": threshold, "QCP": 3})
    found = criterion(run(country)["QOPI"], "eligible_practices")
    assert (found.met, found.params) == (
        met,
        {"program": "QOPI", "eligible": eligible, "threshold": threshold},
    )


def test_per_country_threshold_of_two_makes_qopi_ready():
    country = unlaunched(eligible={"QOPI": 2}, thresholds={"QOPI": 2, "QCP": 3})
    assert run(country)["QOPI"].state is State.READY


def test_missing_eligible_count_is_zero():
    found = criterion(run(unlaunched(eligible={}))["QCP"], "eligible_practices")
    assert (found.met, found.params["eligible"]) == (False, 0)


def test_missing_threshold_raises():
    with pytest.raises(KeyError):
        run(unlaunched(thresholds={"QOPI": 5}))


# --- QCP ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qopi", "met"),
    [
        ("available", True),
        ("pilot", True),
        ("in_pipeline", False),
        ("under_consideration", False),
        ("suspended", False),
        ("not_available", False),
    ],
)
def test_qcp_needs_qopi_launched(qopi, met):
    found = criterion(run(facts(availability={"QOPI": qopi}))["QCP"], "qopi_launched")
    assert (found.met, found.params) == (met, {"availability": qopi})


def test_qcp_without_qopi_availability_row_reads_not_available():
    result = run(facts(availability={}))["QCP"]
    assert criterion(result, "qopi_launched").params == {"availability": "not_available"}


def test_qcp_is_near_ready_when_only_qopi_is_missing():
    result = run(unlaunched())["QCP"]
    assert [c.key for c in result.missing] == ["qopi_launched"]


@pytest.mark.parametrize(
    ("launched", "capacity", "state"),
    [
        (5, 6, State.READY),
        (6, 6, State.AWAITING_CAPACITY),
        (7, 6, State.AWAITING_CAPACITY),
        (0, 0, State.AWAITING_CAPACITY),
    ],
)
def test_qcp_capacity(launched, capacity, state):
    result = run(facts(), qcp_capacity=capacity, qcp_launched_count=launched)["QCP"]
    assert (result.state, result.capacity) == (state, {"launched": launched, "capacity": capacity})


@pytest.mark.parametrize(
    ("launched", "capacity", "full"), [(5, 6, False), (6, 6, True), (7, 6, True), (0, 0, True)]
)
def test_capacity_full_is_the_one_capacity_rule(launched, capacity, full):
    assert capacity_full(launched, capacity) is full


def test_capacity_applies_only_to_qcp():
    result = run(unlaunched(), qcp_capacity=0, qcp_launched_count=3)["QOPI"]
    assert (result.state, result.capacity) == (State.READY, None)


def test_capacity_does_not_turn_a_near_ready_qcp_into_awaiting():
    result = run(facts(eligible={"QOPI": 5, "QCP": 1}), qcp_capacity=1, qcp_launched_count=1)
    assert result["QCP"].state is State.NEAR_READY


# --- states ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("program", "keys"),
    [
        ("QOPI", ["privacy_review", "country_agreement", "eligible_practices"]),
        ("QCP", ["qopi_launched", "privacy_review", "country_agreement", "eligible_practices"]),
    ],
)
def test_criteria_are_listed_in_rule_order(program, keys):
    assert [c.key for c in run(unlaunched())[program].criteria] == keys


@pytest.mark.parametrize(
    ("overrides", "missing", "summary"),
    [
        (
            {"privacy_reviews": (review("in_review"),)},
            "privacy_review",
            "an approved privacy review",
        ),
        ({"agreements": (agreement("draft"),)}, "country_agreement", "a signed country agreement"),
        ({"eligible": {"QOPI": 4}}, "eligible_practices", "enough eligible practices"),
    ],
)
def test_one_missing_criterion_is_near_ready(overrides, missing, summary):
    result = run(unlaunched(**overrides))["QOPI"]
    assert (result.state, [c.key for c in result.missing], summarize(result)) == (
        State.NEAR_READY,
        [missing],
        f"Near ready: missing {summary}",
    )


def test_two_missing_criteria_are_blocked():
    country = unlaunched(agreements=(), eligible={"QOPI": 3})
    result = run(country)["QOPI"]
    assert (result.state, summarize(result)) == (
        State.BLOCKED,
        "Blocked: missing a signed country agreement and enough eligible practices",
    )


@pytest.mark.parametrize("status", ["available", "pilot"])
def test_launched_stays_launched_with_criteria_evaluated(status):
    country = facts(
        availability={"QOPI": status, "QCP": status},
        privacy_reviews=(),
        agreements=(),
        eligible={},
    )
    results = run(country, qcp_capacity=1, qcp_launched_count=1)
    assert [(r.state, len(r.missing)) for r in results.values()] == [
        (State.LAUNCHED, 3),
        (State.LAUNCHED, 3),
    ]


@pytest.mark.parametrize(
    ("state", "summary"),
    [
        (
            State.LAUNCHED,
            "Launched: its criteria are kept for reference and no longer decide anything",
        ),
        (State.READY, "Ready to launch: every criterion is met"),
        (
            State.AWAITING_CAPACITY,
            "Ready, awaiting capacity: QCP is launched in 6 of at most 6 countries",
        ),
    ],
)
def test_summary_of_states_without_missing_criteria(state, summary):
    capacity = {"launched": 6, "capacity": 6}
    result = Readiness("CO", "QCP", "in_pipeline", state, (), capacity)
    assert summarize(result) == summary


# --- many countries -------------------------------------------------------------------------------


def qcp_country(code, qcp):
    return facts(country=code, availability={"QOPI": "available", "QCP": qcp})


@pytest.mark.parametrize(
    ("others", "launched", "state"),
    [
        (["available"] * 5, 5, State.READY),
        (["available"] * 5 + ["pilot"], 6, State.AWAITING_CAPACITY),
        (["available"] * 5 + ["suspended", "in_pipeline"], 5, State.READY),
    ],
)
def test_assess_counts_countries_with_qcp_launched(others, launched, state):
    countries = [qcp_country(f"X{i}", qcp) for i, qcp in enumerate(others)]
    candidate = qcp_country("CO", "in_pipeline")
    board = assess(iter([*countries, candidate]), today=TODAY, qcp_capacity=6)
    (result,) = [r for r in board if (r.country, r.program) == ("CO", "QCP")]
    assert (result.state, result.capacity) == (state, {"launched": launched, "capacity": 6})


def test_assess_returns_every_program_per_country_in_order():
    board = assess([facts(country="CO"), facts(country="KE")], today=TODAY, qcp_capacity=6)
    assert [(r.country, r.program) for r in board] == [
        ("CO", "QOPI"),
        ("CO", "QCP"),
        ("KE", "QOPI"),
        ("KE", "QCP"),
    ]


@pytest.mark.parametrize("code", sorted(HOME_COUNTRIES))
def test_the_programs_home_is_never_a_launch_candidate(code):
    home = facts(country=code, availability={"QOPI": "available"}, privacy_reviews=())
    results = run(home)
    assert [(r.program, r.state) for r in results.values()] == [
        ("QOPI", State.HOME),
        ("QCP", State.HOME),
    ]


def test_a_qcp_at_home_uses_none_of_the_international_capacity():
    launched = [
        facts(country="US", availability={"QOPI": "available", "QCP": "available"}),
        *(qcp_country(code, "available") for code in ("BR", "ES", "GR")),
    ]
    candidate = qcp_country("CO", "in_pipeline")
    board = assess([*launched, candidate], today=TODAY, qcp_capacity=4)
    assert count_launched(launched, "QCP") == 3
    assert [r.state for r in board if r.country == "CO" and r.program == "QCP"] == [State.READY]


def test_facts_are_frozen():
    country = facts()
    with pytest.raises(FrozenInstanceError):
        country.country = "BR"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("overrides", "under_way"),
    [
        ({"privacy_reviews": (), "agreements": (), "eligible": {}}, False),
        ({"privacy_reviews": (review("requested"),), "agreements": (), "eligible": {}}, True),
        ({"privacy_reviews": (), "agreements": (agreement("draft"),), "eligible": {}}, True),
        ({"privacy_reviews": (), "agreements": (), "eligible": {"QOPI": 1}}, True),
        (
            {
                "availability": {"QOPI": "in_pipeline"},
                "privacy_reviews": (),
                "agreements": (),
                "eligible": {},
            },
            True,
        ),  # fmt: skip
    ],
    ids=["nothing", "review-requested", "agreement-draft", "one-eligible-practice", "in-pipeline"],
)
def test_under_way_tells_started_countries_from_untouched_ones(overrides, under_way):
    qopi = run(facts(**({"availability": {"QOPI": "under_consideration"}} | overrides)))["QOPI"]
    assert qopi.state is State.BLOCKED
    assert qopi.under_way is under_way
