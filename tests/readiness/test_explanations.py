"""Readiness in words without the app (docs/domain.md#readiness): each criterion's sentence, the
summary's list of missing criteria, and the JSON form of a result (crm.readiness.wording)."""

import json

import pytest

from crm.readiness.rules import Criterion, assess
from crm.readiness.wording import as_dict, explain, summarize
from tests.readiness.helpers import TODAY, agreement, run, unlaunched


@pytest.mark.parametrize(
    ("key", "met", "params", "text"),
    [
        (
            "eligible_practices",
            False,
            {"program": "QOPI", "eligible": 3, "threshold": 5},
            "Eligible practices: 3 of 5",
        ),
        (
            "privacy_review",
            False,
            {"program": "QOPI", "status": "in_review", "since": "2026-03-02"},
            "Privacy review in progress since 2026-03-02",
        ),
        (
            "privacy_review",
            True,
            {"program": "QOPI", "status": "approved_with_conditions", "since": None},
            "Privacy review approved with conditions",
        ),
        (
            "privacy_review",
            False,
            {"program": "QCP", "status": None, "since": None},
            "No privacy review covers QCP",
        ),
        (
            "country_agreement",
            True,
            {
                "program": "QOPI",
                "status": "signed",
                "since": None,
                "signed_on": "2025-02-01",
                "expires_on": "2027-01-31",
                "expired": False,
            },
            "Agreement signed, valid until 2027-01-31",
        ),
        (
            "country_agreement",
            True,
            {
                "program": "QOPI",
                "status": "signed",
                "since": None,
                "signed_on": None,
                "expires_on": None,
                "expired": False,
            },
            "Agreement signed, with no expiry date",
        ),
        (
            "country_agreement",
            False,
            {
                "program": "QOPI",
                "status": "expired",
                "since": "2026-05-02",
                "signed_on": None,
                "expires_on": "2026-05-01",
                "expired": True,
            },
            "Agreement marked expired on 2026-05-02",
        ),
        (
            # Marked expired before the expiry date it carries: never "valid until" a day to come.
            "country_agreement",
            False,
            {
                "program": "QOPI",
                "status": "expired",
                "since": "2026-05-02",
                "signed_on": None,
                "expires_on": "2027-05-01",
                "expired": True,
            },
            "Agreement marked expired on 2026-05-02",
        ),
        (
            "country_agreement",
            False,
            {
                "program": "QOPI",
                "status": "out_for_signature",
                "since": "2026-04-10",
                "signed_on": None,
                "expires_on": None,
                "expired": False,
            },
            "Agreement out for signature since 2026-04-10",
        ),
        (
            "country_agreement",
            False,
            {
                "program": "QCP",
                "status": None,
                "since": None,
                "signed_on": None,
                "expires_on": None,
                "expired": False,
            },
            "No country agreement covers QCP",
        ),
        (
            "qopi_launched",
            False,
            {"availability": "in_pipeline"},
            "QOPI is in the pipeline, not launched",
        ),
        ("qopi_launched", True, {"availability": "pilot"}, "QOPI is in pilot"),
    ],
)
def test_explain(key, met, params, text):
    assert explain(Criterion(key, met, params)) == text


def test_explain_translates_the_whole_sentence_and_writes_days_as_asked():
    found = Criterion("privacy_review", False, {"status": "in_review", "since": "2026-03-02"})
    assert explain(found, lambda message: f"<{message}>", day=lambda d: f"{d:%d/%m}") == (
        "<Privacy review in progress since 02/03>"
    )


def test_summary_joins_missing_criteria_with_the_given_conjunction():
    result = run(unlaunched(agreements=(), eligible={"QOPI": 3}))["QOPI"]
    assert summarize(result, join=" + ".join) == (
        "Blocked: missing a signed country agreement + enough eligible practices"
    )


def test_explain_rejects_unknown_key():
    with pytest.raises(ValueError, match="bogus"):
        explain(Criterion("bogus", True, {}))


def test_results_serialise_to_json():
    board = assess(
        [unlaunched(agreements=(agreement("signed", expires_on=TODAY),))],
        today=TODAY,
        qcp_capacity=6,
    )
    payload = json.loads(json.dumps([as_dict(r) for r in board]))
    assert payload[0]["criteria"][1] == {
        "key": "country_agreement",
        "met": True,
        "detail": "Agreement signed, valid until 2026-06-15",
        "params": {
            "program": "QOPI",
            "status": "signed",
            "since": None,
            "signed_on": None,
            "expires_on": "2026-06-15",
            "expired": False,
        },
    }
