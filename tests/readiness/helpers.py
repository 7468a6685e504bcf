"""Facts and runs shared by the readiness rule tables (tests/readiness/test_rules.py,
tests/readiness/test_explanations.py): a country where everything is met, changed one fact at a
time."""

from datetime import date

from crm.readiness.rules import AgreementFact, CountryFacts, ReviewFact, assess_country

TODAY = date(2026, 6, 15)
BOTH = frozenset({"QOPI", "QCP"})
ONLY_QCP = frozenset({"QCP"})


def review(status="approved", programs=BOTH, since=None, id=None):  # noqa: A002
    return ReviewFact(status=status, programs=programs, status_since=since, id=id)


def agreement(status="signed", programs=BOTH, since=None, signed_on=None, expires_on=None,
              id=None):  # noqa: A002  # fmt: skip
    return AgreementFact(
        status=status,
        programs=programs,
        status_since=since,
        signed_on=signed_on,
        expires_on=expires_on,
        id=id,
    )


def facts(**overrides):
    """A country where QOPI is launched and everything else for QOPI and QCP is met."""
    values = {
        "country": "CO",
        "availability": {"QOPI": "available", "QCP": "not_available"},
        "privacy_reviews": (review(),),
        "agreements": (agreement(expires_on=date(2027, 1, 31)),),
        "eligible": {"QOPI": 5, "QCP": 3},
        "thresholds": {"QOPI": 5, "QCP": 3},
    }
    return CountryFacts(**(values | overrides))


def unlaunched(**overrides):
    """As :func:`facts`, but QOPI is not launched, so QOPI itself can be assessed."""
    return facts(availability={"QOPI": "in_pipeline"}, **overrides)


def run(country_facts, qcp_capacity=6, qcp_launched_count=0):
    """Readiness by program code."""
    results = assess_country(
        country_facts,
        today=TODAY,
        qcp_capacity=qcp_capacity,
        qcp_launched_count=qcp_launched_count,
    )
    return {r.program: r for r in results}


def criterion(result, key):
    (found,) = [c for c in result.criteria if c.key == key]
    return found
