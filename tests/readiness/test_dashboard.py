"""The IQSG dashboard: board, map, pipeline and survey charts (docs/architecture.md#packages)."""

from __future__ import annotations

import re

import pytest

from crm.core.clock import org_today
from crm.readiness import dashboard
from tests.countries.test_seed import SPEC_AVAILABLE


@pytest.fixture
def viewer_client(client, create_user, login):
    return login(create_user("viewer"))


def map_states(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-country="([A-Z-]+)" data-state="([a-z_]+)"', html))


def test_dashboard_renders_with_no_responses(viewer_client):
    page = viewer_client.get("/staff/dashboard/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "No survey responses yet." in html
    assert "<svg" in html


@pytest.mark.parametrize("program", ["QOPI", "QCP", "QTP"])
def test_map_colours_every_seeded_available_country(viewer_client, program):
    html = viewer_client.get(f"/staff/dashboard/?program={program}").get_data(as_text=True)
    states = map_states(html)
    available = {code for code, state in states.items() if state == "available"}
    assert available == SPEC_AVAILABLE[program] & set(states)
    # The U.S. Minor Outlying Islands have no shape on this map.
    assert SPEC_AVAILABLE[program] - set(states) <= {"UM"}


def test_an_unknown_filter_value_means_any(viewer_client):
    page = viewer_client.get("/staff/dashboard/?program=XYZ&region=nowhere&period=7")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "QOPI" in html
    assert "QCP" in html


def test_dashboard_counts_responses_and_shows_the_board(viewer_client, submit_response):
    for n in range(5):
        submit_response(practice_name=f"Clínica {n}", email=f"p{n}@x.example")
    html = viewer_client.get("/staff/dashboard/").get_data(as_text=True)
    assert "Colombia" in html
    assert "<td>5</td>" in html


def test_aggregates_leave_spam_out(db, submit_response):
    submit_response()
    spam = submit_response(practice_name="Spam", email="s@x.example", language="en")
    spam.triage_status = "spam"
    db.session.commit()
    charts = dashboard.response_charts(dashboard.Filters(period="all"), None, org_today())
    assert [(c.key, c.count) for c in charts.by_language] == [("es", 1)]
    assert sum(c.count for c in charts.by_region) == 1


def test_printable_board(viewer_client):
    page = viewer_client.get("/staff/dashboard/board")
    assert page.status_code == 200
    assert "Readiness board" in page.get_data(as_text=True)


def test_dashboard_in_spanish(viewer_client):
    viewer_client.get("/language/es?next=/")
    html = viewer_client.get("/staff/dashboard/").get_data(as_text=True)
    assert 'lang="es"' in html
    assert "Listo para lanzar" in html


def test_the_map_has_a_table_with_the_same_countries(viewer_client):
    from crm.core.i18n import country_name

    html = viewer_client.get("/staff/dashboard/?program=QCP").get_data(as_text=True)
    table = html[html.index('class="map-table"') :]
    table = table[: table.index("</table>")]
    available_row = next(row for row in table.split("<tr>") if "map-country--available" in row)
    listed = set(re.findall(r'href="/staff/countries/([A-Z]{2})"', available_row))
    assert listed == SPEC_AVAILABLE["QCP"]
    assert country_name("SA", "en") in available_row


def test_blocked_countries_under_way_are_listed_with_their_reasons(viewer_client, db):
    from crm.countries import operations as pipeline
    from crm.countries.models import Country

    peru = db.session.get(Country, "PE")
    pipeline.record_privacy_review(peru, programs=["QOPI", "QCP"], status="in_review")
    db.session.commit()
    html = viewer_client.get("/staff/dashboard/").get_data(as_text=True)
    blocked = html[html.index('class="board__blocked"') :]
    blocked = blocked[: blocked.index("</details>")]
    assert "Peru" in blocked
    assert "Missing:" in blocked
    assert "Colombia" not in blocked  # nothing under way there: only counted
    assert "countries are two or more criteria short." in html


def test_blocked_countries_with_an_eligible_practice_are_listed(viewer_client, db, submit_response):
    # docs/domain.md#readiness: one eligible practice is work under way, with or without a
    # review or an agreement on record.
    submit_response(country="EC", practice_name="Clínica del Pacífico", city="Quito")
    html = viewer_client.get("/staff/dashboard/").get_data(as_text=True)
    blocked = html[html.index('class="board__blocked"') :]
    blocked = blocked[: blocked.index("</details>")]
    assert "Ecuador" in blocked
    assert "Eligible practices: 1 of" in blocked
    assert "Colombia" not in blocked


def test_dashboard_and_board_render_the_demo_data(viewer_client, db):
    from crm.demo.generate import load_demo

    load_demo()
    db.session.commit()
    for path in ("/staff/dashboard/", "/staff/dashboard/?program=QCP", "/staff/dashboard/board"):
        page = viewer_client.get(path)
        assert page.status_code == 200
    html = viewer_client.get("/staff/dashboard/").get_data(as_text=True)
    assert "No survey responses yet." not in html
    assert "QOPI and QCP are added together" in html  # the monthly table sums both programs
    assert 'class="badge badge--ready"' in html
    # The demo has ready and near-ready countries (crm/demo/): the board names some.
    board = html[html.index('id="board-title"') : html.index('id="map-title"')]
    assert len(re.findall(r'href="/staff/countries/[A-Z]{2}"', board)) >= 3


def test_the_readiness_table_splits_the_boards_blocked_column(viewer_client, db):
    # The table's rows were "In pipeline" (an availability, not a readiness state) and "Other
    # countries"; both are blocked countries, and together they are the board's Blocked count.
    from crm.demo.generate import load_demo

    load_demo()
    db.session.commit()
    html = viewer_client.get("/staff/dashboard/?program=QOPI").get_data(as_text=True)
    table = html[html.index("<caption>Countries per readiness state</caption>") :]
    table = table[: table.index("</table>")]

    def row(title: str) -> int:
        cells = table[table.index(f'<th scope="row">{title}</th>') :].split("</tr>")[0]
        return int(re.findall(r">([\d,]+)</a>", cells)[0].replace(",", ""))

    board = html[html.index('id="board-title"') :]
    blocked_heading = board[board.index("badge--blocked") :]
    blocked = int(re.search(r'<span class="muted">\((\d+)\)</span>', blocked_heading)[1])
    assert row("Blocked, in the pipeline") + row("Blocked, not in the pipeline") == blocked
    assert "Other countries" not in table
    assert "QOPI and QCP are added together" not in html  # one program: nothing added
