"""The programs' home (docs/domain.md#home): the United States and its territories are seeded
available, never listed as launch candidates, and use none of QCP's capacity; ``/staff/``
leads to the dashboard."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.core.errors import InvalidInput
from crm.countries import operations as pipeline
from crm.countries import thresholds
from crm.countries.models import Availability
from crm.countries.queries import get_country_or_404
from crm.readiness.queries import launched_count, readiness_board
from crm.readiness.rules import HOME_COUNTRIES, State


def test_the_home_is_seeded_as_the_seed_says(db):
    rows = db.session.execute(
        select(Availability.country_code, Availability.program_code, Availability.status).where(
            Availability.country_code.in_(sorted(HOME_COUNTRIES)),
            Availability.program_code.in_(("QOPI", "QCP")),
        )
    ).all()
    available = {(c, p) for c, p, status in rows if status == "available"}
    assert available == {(c, "QOPI") for c in HOME_COUNTRIES} | {("US", "QCP")}


def test_the_home_is_never_a_candidate_on_the_board(db):
    home = [r for r in readiness_board() if r.country in HOME_COUNTRIES]
    assert len(home) == 2 * len(HOME_COUNTRIES)
    assert {r.state for r in home} == {State.HOME}


def test_the_board_lists_no_home_country(client, create_user, login):
    login(create_user("viewer"))
    html = client.get("/staff/dashboard/").get_data(as_text=True)
    board = html.split('aria-labelledby="board-title"', 1)[1].split("</section>", 1)[0]
    assert board.count('class="board__column"') == 8  # four states, QOPI and QCP
    for code in HOME_COUNTRIES:
        assert f'/staff/countries/{code}"' not in board, code


def test_qcp_capacity_counts_international_launches_only(db):
    assert launched_count("QCP") == 5  # BR, ES, GR, RO, SA: not the United States
    thresholds.set_program_defaults("QCP", default_threshold=3, capacity=5)
    pipeline.set_availability(get_country_or_404("MX"), "QOPI", "available")
    with pytest.raises(InvalidInput):
        pipeline.set_availability(get_country_or_404("MX"), "QCP", "available")
    pipeline.set_availability(get_country_or_404("US"), "QCP", "pilot")  # home: no place used


def test_staff_address_leads_to_the_dashboard(client, create_user, login):
    login(create_user("viewer"))
    response = client.get("/staff/")
    assert (response.status_code, response.headers["Location"]) == (302, "/staff/dashboard/")


def test_staff_address_asks_a_visitor_to_log_in(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")
