"""The dashboard's headline figures and filters (docs/domain.md#dashboard) on the demo data: each
figure as the page shows it equals a count made directly in SQL; every filter narrows every
chart; the lists behind figures; downloads."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import and_, func, or_, select

from crm.core.clock import org_day_start, org_today
from crm.countries.models import (
    Availability,
    Country,
    CountryAgreement,
    CountryThreshold,
    PrivacyReview,
    Program,
    agreement_programs,
    privacy_review_programs,
)
from crm.readiness import dashboard
from crm.readiness.rules import HOME_COUNTRIES
from crm.responses.eligibility import eligibility_conditions
from crm.responses.models import COUNTED_TRIAGE, Interest, Practice, SurveyResponse


@pytest.fixture
def demo(db):
    from crm.demo.generate import load_demo

    load_demo()
    db.session.commit()
    return db


@pytest.fixture
def viewer_client(client, create_user, login):
    return login(create_user("viewer"))


def headline_numbers(html: str) -> dict[tuple[str, str], int]:
    """{(program or "", category or figure): number} as the headline section shows them."""
    section = html[html.index('id="headline-title"') : html.index('id="board-title"')]
    found = {}
    for query, number in re.findall(r'href="/staff/dashboard/countries\?([^"]+)">([\d,.]+)</a>',
                                    section):  # fmt: skip
        args = dict(pair.split("=") for pair in query.replace("&amp;", "&").split("&"))
        key = (args.get("of", ""), args.get("category") or args.get("figure"))
        found[key] = int(number.replace(",", "").replace(".", ""))
    return found


# --- counts made directly in SQL -----------------------------------------------------------------


def sql_eligible(db, program: str, since=None, until=None) -> dict[str, int]:
    """Eligible practices per country (docs/domain.md#eligible-practices), optionally only those
    whose first counted response came in [since, until)."""
    first = (
        select(func.min(SurveyResponse.submitted_at))
        .where(
            SurveyResponse.practice_id == Practice.id,
            SurveyResponse.triage_status.in_(COUNTED_TRIAGE),
        )
        .scalar_subquery()
    )
    statement = (
        select(Practice.country_code, func.count())
        .join(Interest, Interest.practice_id == Practice.id)
        .where(Interest.program_code == program, *eligibility_conditions())
        .group_by(Practice.country_code)
    )
    if since is not None:
        statement = statement.where(first >= since, first < until)
    return dict(db.session.execute(statement).all())


def covered(db, model, link, program, condition) -> set[str]:
    return set(
        db.session.scalars(
            select(model.country_code)
            .join(link, link.c[f"{model.__tablename__[:-1]}_id"] == model.id)
            .where(link.c.program_code == program, condition)
        )
    )


def sql_states(db, program: str) -> dict[str, int]:
    """Countries ready, awaiting capacity, near ready and launched for a program, criterion by
    criterion in SQL (docs/domain.md#readiness)."""
    today = org_today()
    launched_rows = select(Availability.country_code).where(
        Availability.program_code == program, Availability.status.in_(["available", "pilot"])
    )
    launched = set(db.session.scalars(launched_rows)) - HOME_COUNTRIES
    approved = PrivacyReview.status.in_(["approved", "approved_with_conditions"])
    reviewed = covered(db, PrivacyReview, privacy_review_programs, program, approved)
    in_force = and_(
        CountryAgreement.status == "signed",
        or_(CountryAgreement.expires_on.is_(None), CountryAgreement.expires_on >= today),
    )
    signed = covered(db, CountryAgreement, agreement_programs, program, in_force)
    default = db.session.scalar(select(Program.default_threshold).where(Program.code == program))
    overrides = dict(db.session.execute(
        select(CountryThreshold.country_code, CountryThreshold.min_eligible_practices)
        .where(CountryThreshold.program_code == program)).all())  # fmt: skip
    eligible = sql_eligible(db, program)
    enough = {c for c, n in eligible.items() if n >= overrides.get(c, default)}
    qopi_launched = set(
        db.session.scalars(
            select(Availability.country_code).where(
                Availability.program_code == "QOPI",
                Availability.status.in_(["available", "pilot"]),
            )
        )
    )
    candidates = set(db.session.scalars(select(Country.code))) - HOME_COUNTRIES - launched
    criteria = [reviewed, signed, enough] + ([qopi_launched] if program == "QCP" else [])
    unmet = {c: sum(c not in met for met in criteria) for c in candidates}
    ready = {c for c, n in unmet.items() if n == 0}
    full = False
    if program == "QCP":
        capacity = db.session.scalar(select(Program.capacity).where(Program.code == "QCP"))
        full = len(launched) >= capacity
    return {
        "ready": 0 if full else len(ready),
        "awaiting_capacity": len(ready) if full else 0,
        "near_ready": sum(n == 1 for n in unmet.values()),
        "launched": len(launched),
    }


def sql_responses(db, first, last) -> int:
    return db.session.scalar(
        select(func.count()).where(
            SurveyResponse.submitted_at >= org_day_start(first),
            SurveyResponse.submitted_at < org_day_start(last + timedelta(days=1)),
            SurveyResponse.triage_status != "spam",
        )
    )


def test_each_headline_figure_equals_a_count_made_in_sql(demo, viewer_client):
    html = viewer_client.get("/staff/dashboard/").get_data(as_text=True)
    shown = headline_numbers(html)
    today = org_today()
    for program in ("QOPI", "QCP"):
        for state, n in sql_states(demo, program).items():
            assert shown[(program, state)] == n, (program, state)
    (first, last), (before_first, before_last) = dashboard.windows(today)
    assert shown[("", "responses")] == sql_responses(demo, first, last)
    assert html.count(f"({sql_responses(demo, before_first, before_last)})") >= 1
    for program in ("QOPI", "QCP"):
        gained = sum(sql_eligible(demo, program, org_day_start(first), org_day_start(
            last + timedelta(days=1))).values())  # fmt: skip
        assert shown[(program, "eligible")] == gained
    # The demo has something to show in each kind of figure.
    assert shown[("QOPI", "ready")]
    assert shown[("QOPI", "near_ready")]
    assert shown[("", "responses")]
    assert shown[("QOPI", "eligible")]


def test_the_30_day_figures_count_todays_responses_live(demo, submit_response, viewer_client):
    from datetime import UTC, datetime

    before = headline_numbers(viewer_client.get("/staff/dashboard/").get_data(as_text=True))
    submit_response(practice_name="Clínica Nueva Hoy", at=datetime.now(UTC))
    after = headline_numbers(viewer_client.get("/staff/dashboard/").get_data(as_text=True))
    assert after[("", "responses")] == before[("", "responses")] + 1


def test_each_figure_links_to_the_list_behind_it(demo, viewer_client):
    html = viewer_client.get("/staff/dashboard/").get_data(as_text=True)
    shown = headline_numbers(html)
    for (program, kind), n in shown.items():
        if kind in dashboard.HEADLINE_STATES:
            page = viewer_client.get(f"/staff/dashboard/countries?of={program}&category={kind}")
            listed = re.findall(r'<th scope="row"><a href="/staff/countries/([A-Z]{2})"',
                                page.get_data(as_text=True))  # fmt: skip
            assert len(listed) == n, (program, kind)
    responses = viewer_client.get("/staff/dashboard/countries?figure=responses")
    cells = re.findall(r"</a></th>\s*<td>([\d,]+)</td>", responses.get_data(as_text=True))
    assert sum(int(c.replace(",", "")) for c in cells) == shown[("", "responses")]


# --- filters -------------------------------------------------------------------------------------

AMERICAS = "019"


def table_rows(html: str, caption: str) -> list[list[str]]:
    table = html[html.index(f"<caption>{caption}</caption>") :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(
        r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]  # fmt: skip


def total(rows: list[list[str]]) -> int:
    return sum(
        int(c.replace(",", "")) for row in rows for c in row[1:] if c.replace(",", "").isdigit()
    )


@pytest.mark.parametrize(
    "query",
    ["region=019", "income_group=high", "language=pt_BR", "program=QCP", "period=3"],
)
def test_every_filter_narrows_every_chart(demo, viewer_client, query):
    everything = viewer_client.get("/staff/dashboard/?period=all").get_data(as_text=True)
    narrowed = viewer_client.get(f"/staff/dashboard/?period=all&{query}").get_data(as_text=True)
    if query == "period=3":
        narrowed = viewer_client.get(f"/staff/dashboard/?{query}").get_data(as_text=True)
    captions = {
        "Countries per readiness state": query != "period=3",
        "Countries per availability status": query not in ("period=3",),
        "Responses per month": query != "program=QCP",
        "By region": query != "program=QCP",
        "By income group": query != "program=QCP",
        "By language": query != "program=QCP",
    }
    for caption, narrows in captions.items():
        before, after = total(table_rows(everything, caption)), total(table_rows(narrowed, caption))
        assert after <= before, caption
        if narrows:
            assert after < before, (caption, query)
    assert "badge--ready" in everything


def test_a_region_keeps_its_countries_only(demo, viewer_client):
    html = viewer_client.get(f"/staff/dashboard/?region={AMERICAS}").get_data(as_text=True)
    regions = [row[0] for row in table_rows(html, "By region")]
    from crm.core.i18n import region_name

    assert regions == [region_name(AMERICAS, "en")]
    states = dict(re.findall(r'data-country="([A-Z]{2})" data-state="([a-z_]+)"', html))
    assert states["FR"] == "outside"
    assert states["CO"] != "outside"
    board = html[html.index('id="board-title"') : html.index('id="charts-title"')]
    assert "Colombia" in board
    assert "Türkiye" not in board
    assert "Turkey" not in board


def test_filters_are_kept_in_the_links(demo, viewer_client):
    html = viewer_client.get("/staff/dashboard/?region=019&language=es").get_data(as_text=True)
    assert (
        "/staff/dashboard/countries?region=019&amp;language=es&amp;of=QOPI&amp;category=ready"
        in html
    )
    assert "/staff/dashboard/readiness.csv?region=019&amp;language=es" in html


def test_charts_download_as_csv_with_the_same_filters(demo, viewer_client):
    html = viewer_client.get("/staff/dashboard/?region=019").get_data(as_text=True)
    response = viewer_client.get("/staff/dashboard/readiness.csv?region=019")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Readiness", "QOPI", "QCP"]
    shown = table_rows(html, "Countries per readiness state")
    assert [r[1:] for r in rows[1:]] == [r[1:] for r in shown]
    for chart in dashboard_charts():
        assert viewer_client.get(f"/staff/dashboard/{chart}.csv").status_code == 200


def dashboard_charts():
    from crm.readiness.views.dashboard import CHARTS

    return CHARTS


def test_the_map_downloads_as_a_coloured_svg(demo, viewer_client):
    from defusedxml import ElementTree

    response = viewer_client.get("/staff/dashboard/map.svg?program=QCP")
    assert response.mimetype == "image/svg+xml"
    root = ElementTree.fromstring(response.get_data())
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert any(t.startswith("Mexico: ") for t in titles)
    assert ".s-available{fill:#009E73}" in response.get_data(as_text=True)


def test_the_printable_board_has_the_figures_and_the_near_ready_forecasts(demo, viewer_client):
    html = viewer_client.get("/staff/dashboard/board").get_data(as_text=True)
    assert 'id="headline-title"' in html
    near = html[html.index('id="near-ready-title"') : html.index('id="board-title"')]
    assert "Ecuador" in near  # near ready for QOPI in the demo: 3 of 5 eligible practices
    assert "Estimate:" in near
