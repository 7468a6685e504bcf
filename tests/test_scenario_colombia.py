"""Readiness (``docs/domain.md#readiness``) end to end through the screens: Colombia becomes
ready for QOPI, then near ready."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select

from crm.core.clock import org_today
from crm.countries.models import CountryAgreement
from crm.readiness.models import ReadinessChange
from crm.responses.models import SurveyResponse
from tests.responses.helpers import submit_eligible
from tests.surveys.support import valid_form


def readiness_card(html: str, program: str) -> str:
    start = html.index(f'<article class="card readiness-card" data-program="{program}"')
    return html[start : html.index("</article>", start)]


def criteria_met(card: str) -> dict[str, bool]:
    return {
        key: met == "true"
        for key, met in re.findall(r'data-key="(\w+)" data-met="(true|false)"', card)
    }


def board_entry(app, country: str, program: str) -> dict:
    result = app.test_cli_runner().invoke(args=["readiness", "--format", "json"])
    assert result.exit_code == 0, result.output
    (entry,) = [
        e for e in json.loads(result.output) if e["country"] == country and e["program"] == program
    ]
    return entry


@pytest.fixture
def staff_client(client, create_user, login):
    login(create_user("staff"))
    return client


def test_colombia_becomes_ready_then_near_ready_when_the_agreement_expires(app, db, staff_client):
    today = org_today()
    # Five practices answer the Spanish survey, as a respondent would.
    for n in range(5):
        answered = staff_client.post(
            "/es/survey",
            data=valid_form(
                name=f"Dra. Médica {n}",
                email=f"oncologia{n}@bogota.example",
                preferred_language="es",
                practice_name=f"Centro Oncológico {'ABCDE'[n]} de Bogotá",
                country="CO",
                city="Bogotá",
            ),
        )
        assert answered.status_code == 303
    responses = db.session.scalars(select(SurveyResponse)).all()
    assert [r.language for r in responses] == ["es"] * 5

    response = staff_client.post(
        "/staff/countries/CO/privacy-reviews/new",
        data={
            "programs": "QOPI",
            "status": "approved",
            "applicable_law": "Ley 1581 de 2012",
            "requested_on": (today - timedelta(days=60)).isoformat(),
            "decided_on": (today - timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 303
    response = staff_client.post(
        "/staff/countries/CO/agreements/new",
        data={
            "programs": "QOPI",
            "counterparty": "Asociación Colombiana de Hematología y Oncología",
            "status": "signed",
            "signed_on": (today - timedelta(days=5)).isoformat(),
            "expires_on": (today + timedelta(days=365)).isoformat(),
        },
    )
    assert response.status_code == 303

    card = readiness_card(staff_client.get("/staff/countries/CO").get_data(as_text=True), "QOPI")
    assert 'data-state="ready"' in card
    assert criteria_met(card) == {
        "privacy_review": True,
        "country_agreement": True,
        "eligible_practices": True,
    }
    assert "Eligible practices: 5 of 5" in card
    entry = board_entry(app, "CO", "QOPI")
    assert (entry["state"], entry["availability"]) == ("ready", "not_available")
    assert all(c["met"] for c in entry["criteria"])

    agreement = db.session.scalar(select(CountryAgreement))
    yesterday = today - timedelta(days=1)
    response = staff_client.post(
        f"/staff/countries/CO/agreements/{agreement.id}",
        data={
            "programs": "QOPI",
            "counterparty": agreement.counterparty,
            "status": "signed",
            "signed_on": (today - timedelta(days=400)).isoformat(),
            "expires_on": yesterday.isoformat(),
        },
    )
    assert response.status_code == 303

    card = readiness_card(staff_client.get("/staff/countries/CO").get_data(as_text=True), "QOPI")
    assert 'data-state="near_ready"' in card
    assert criteria_met(card)["country_agreement"] is False
    until = format_date(yesterday, "medium", locale="en")
    assert f"Agreement expired; it was valid until {until}" in card
    assert "missing a signed country agreement" in card
    entry = board_entry(app, "CO", "QOPI")
    assert entry["state"] == "near_ready"
    assert [c["key"] for c in entry["criteria"] if not c["met"]] == ["country_agreement"]

    states = db.session.scalars(
        select(ReadinessChange.state)
        .where(ReadinessChange.country_code == "CO", ReadinessChange.program_code == "QOPI")
        .order_by(ReadinessChange.id)
    ).all()
    assert states[-2:] == ["ready", "near_ready"]


def test_an_agreement_expiring_today_still_counts(app, db, staff_client):
    today = org_today()
    submit_eligible(db, 5, country="CO")
    staff_client.post(
        "/staff/countries/CO/privacy-reviews/new", data={"programs": "QOPI", "status": "approved"}
    )
    staff_client.post(
        "/staff/countries/CO/agreements/new",
        data={
            "programs": "QOPI",
            "counterparty": "MinSalud",
            "status": "signed",
            "signed_on": (today - timedelta(days=30)).isoformat(),
            "expires_on": today.isoformat(),
        },
    )
    assert board_entry(app, "CO", "QOPI")["state"] == "ready"
