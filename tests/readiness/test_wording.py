"""Readiness sentences as a native reader writes them (docs/domain.md#readiness): whole
sentences per status, lists joined with the language's conjunction, days in its date style."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from crm.countries.views.countries import explain_criterion, readiness_summary
from crm.readiness.rules import Criterion, Readiness, State

TWO_MISSING = (
    Criterion("privacy_review", False, {"program": "QOPI", "status": None, "since": None}),
    Criterion("country_agreement", False, {"program": "QOPI", "status": None, "since": None}),
)
THREE_MISSING = (
    Criterion("qopi_launched", False, {"availability": "in_pipeline"}),
    *TWO_MISSING,
)


def blocked(criteria) -> Readiness:
    return Readiness("CO", "QCP", "not_available", State.BLOCKED, criteria)


@pytest.mark.parametrize(
    ("locale", "criteria", "summary"),
    [
        (
            "en",
            THREE_MISSING,
            "Blocked: missing a QOPI launch, an approved privacy review, and a signed country "
            "agreement",
        ),
        (
            "es",
            TWO_MISSING,
            "Bloqueado: faltan una revisión de privacidad aprobada y un acuerdo de país firmado",
        ),
        (
            "es",
            THREE_MISSING,
            "Bloqueado: faltan el lanzamiento de QOPI, una revisión de privacidad aprobada y un "
            "acuerdo de país firmado",
        ),
        (
            "pt_BR",
            THREE_MISSING,
            "Bloqueado: faltam o lançamento do QOPI, uma revisão de privacidade aprovada e um "
            "acordo de país assinado",
        ),
    ],
)
def test_missing_criteria_read_as_one_sentence(app, locale, criteria, summary):
    with app.test_request_context(), force_locale(locale):
        assert readiness_summary(blocked(criteria)) == summary


@pytest.mark.parametrize(
    ("locale", "sentence"),
    [
        ("en", "Privacy review approved on Dec 4, 2026"),
        ("es", "Revisión de privacidad aprobada el 4 dic 2026"),
        ("pt_BR", "Revisão de privacidade aprovada em 4 de dez. de 2026"),
    ],
)
def test_days_in_explanations_follow_the_readers_date_style(app, locale, sentence):
    approved = Criterion(
        "privacy_review",
        True,
        {"program": "QOPI", "status": "approved", "since": date(2026, 12, 4).isoformat()},
    )
    with app.test_request_context(), force_locale(locale):
        assert explain_criterion(approved) == sentence


@pytest.mark.parametrize("locale", ["en", "es", "pt_BR"])
def test_a_state_title_and_its_summary_agree(app, locale):
    ready = Readiness("CO", "QOPI", "in_pipeline", State.READY, ())
    with app.test_request_context(), force_locale(locale):
        from crm import labels

        title = str(labels.READINESS_STATE["ready"])
        assert readiness_summary(ready).startswith(f"{title}:")


@pytest.mark.parametrize("locale", ["en", "es", "pt_BR"])
@pytest.mark.parametrize(
    ("state", "criteria", "capacity"),
    [
        (State.AWAITING_CAPACITY, (), {"launched": 6, "capacity": 6}),
        (State.NEAR_READY, TWO_MISSING[:1], None),
        (State.BLOCKED, TWO_MISSING, None),
        (State.HOME, (), None),
    ],
)
def test_every_state_summary_opens_with_its_one_title(app, locale, state, criteria, capacity):
    result = Readiness("CO", "QCP", "in_pipeline", state, criteria, capacity)
    with app.test_request_context(), force_locale(locale):
        from crm import labels

        title = str(labels.READINESS_STATE[str(state)])
        assert readiness_summary(result).startswith(f"{title}:")


def test_wording_has_no_flask_or_database():
    from tests.test_architecture import ROOT, imported_modules

    modules = imported_modules(ROOT / "crm" / "readiness" / "wording.py")
    assert not {
        m for m in modules if m.split(".")[0] in {"flask", "sqlalchemy", "flask_sqlalchemy"}
    }
