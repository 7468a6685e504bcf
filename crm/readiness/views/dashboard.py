"""The IQSG dashboard (docs/domain.md#dashboard): headline figures, filters kept in the URL, the
readiness board with forecasts, the world map, charts with the lists behind them, a printable
board, every chart as CSV and the map as SVG."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.dates import format_skeleton
from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from crm import labels
from crm.core.access import viewer_required
from crm.core.clock import org_today
from crm.core.i18n import (
    LANGUAGE_NAMES,
    country_name,
    region_name,
    sorted_countries,
)
from crm.data.spreadsheets import csv_stream
from crm.readiness import dashboard as figures
from crm.readiness import queries
from crm.readiness.forms import DashboardFilterForm
from crm.readiness.rules import PROGRAMS_WITH_LAUNCH, Readiness, State
from crm.readiness.worldmap import STATIC_NAME, load_world_map, standalone_svg

blueprint = Blueprint("dashboard", __name__, url_prefix="/staff/dashboard")
blueprint.add_app_template_global(STATIC_NAME, "map_file")
BOARD_STATES = (State.READY, State.AWAITING_CAPACITY, State.NEAR_READY, State.BLOCKED)
#: The map's colours, as ``static/css/app.css`` gives them (the downloaded SVG carries them).
MAP_COLOURS = {
    "available": "#009E73",
    "pilot": "#56B4E9",
    "ready": "#0072B2",
    "awaiting_capacity": "#CC79A7",
    "near_ready": "#E69F00",
    "in_pipeline": "#F0E442",
    "under_consideration": "#F5EBA0",
    "suspended": "#D55E00",
    "not_available": "#D4D4D4",
    "outside": "#F2F2F2",
}


@blueprint.context_processor
def dashboard_helpers() -> dict:
    return {
        "language_name": lambda code: LANGUAGE_NAMES.get(code, code),
        "today": org_today(),
    }


@dataclass
class Page:
    """What every dashboard view reads: the filters, today, the board and the countries kept."""

    form: DashboardFilterForm
    filters: figures.Filters
    today: date
    board: list[Readiness]
    countries: frozenset[str] | None


def _page() -> Page:
    form = DashboardFilterForm.from_query(request.args)
    filters = form.filters()
    today = org_today()
    return Page(form, filters, today, queries.readiness_board(today),
                figures.scope(filters, today))  # fmt: skip


def grouped_board(board, countries=None, programs=PROGRAMS_WITH_LAUNCH, locale=None):
    """Program → board state → rows, for the board's columns (launched countries left out);
    each column in the alphabetical order of its countries' names in ``locale`` (default: the
    page's), as the steering group reads it, never by ISO code."""
    grouped = {p: {s.value: [] for s in BOARD_STATES} for p in programs}
    kept = [
        row
        for row in board
        if row.state in BOARD_STATES
        and row.program in grouped
        and figures.in_scope(row.country, countries)
    ]
    # Each country's name looked up once, not once per program.
    names = sorted_countries({row.country for row in kept}, locale)
    order = {code: position for position, (code, _name) in enumerate(names)}
    for row in sorted(kept, key=lambda row: order[row.country]):
        grouped[row.program][row.state.value].append(row)
    return grouped


def map_legend() -> dict[str, str]:
    """Map state → translated legend text, in legend order."""
    titles = {**labels.AVAILABILITY, **labels.READINESS_STATE}
    legend = {state: str(titles[state]) for state in queries.MAP_STATES}
    return legend | {"outside": _("Outside the filters")}


def map_table(states: dict[str, str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The map as a table for screen readers and print: ``(state, [(code, localized name)])``
    in legend order, names sorted by the page language's rules; countries the program is not
    available in are left to one summary line (most of the world)."""
    by_state: dict[str, list[str]] = {}
    for code, state in states.items():
        by_state.setdefault(state, []).append(code)
    return [
        (state, sorted_countries(by_state[state]))
        for state in queries.MAP_STATES
        if state != "not_available" and by_state.get(state)
    ]


def _map_states(page: Page, program: str) -> dict[str, str]:
    states = queries.map_states(program, queries.availability_of(program), page.board)
    if page.countries is None:
        return states
    codes = {r.code for r in load_world_map().regions} | set(states)
    kept = page.countries
    return {c: (states.get(c, "not_available") if c in kept else "outside") for c in codes}


def _map_program(filters: figures.Filters) -> str:
    return filters.program or "QOPI"


@blueprint.get("/")
@viewer_required
def index():
    """The whole dashboard, narrowed by the filters of the query string."""
    page = _page()
    program = _map_program(page.filters)
    states = _map_states(page, program)
    near_ready = [r for r in page.board if r.state is State.NEAR_READY]
    return render_template(
        "readiness/index.html",
        page=page,
        filters=page.filters,
        form=page.form,
        program=program,
        headline=figures.headline(page.board, page.filters, page.countries, page.today),
        board=grouped_board(page.board, page.countries, page.filters.launch_programs()),
        forecasts=queries.forecasts_for(near_ready, page.today),
        world=load_world_map(),
        map_states=states,
        map_table=map_table(states),
        legend=map_legend(),
        readiness_chart=figures.readiness_chart(
            page.board, page.countries, page.filters.launch_programs()
        ),
        availability_chart=figures.availability_chart(page.countries),
        over_time=figures.readiness_over_time(page.filters, page.countries, page.today),
        responses=figures.response_charts(page.filters, page.countries, page.today),
    )


@blueprint.get("/board")
@viewer_required
def board():
    """The readiness board for the meeting: headline figures, near-ready countries with their
    forecasts, and the board, laid out for printing."""
    page = _page()
    near_ready = [r for r in page.board if r.state is State.NEAR_READY]
    return render_template(
        "readiness/board.html",
        page=page,
        filters=page.filters,
        headline=figures.headline(page.board, page.filters, page.countries, page.today),
        board=grouped_board(page.board, page.countries, page.filters.launch_programs()),
        forecasts=queries.forecasts_for(near_ready, page.today),
    )


@blueprint.get("/countries")
@viewer_required
def countries():
    """The list behind a figure, bar or map colour: the countries kept by the filters, of one
    program and one readiness category (``category``) or availability (``availability``),
    or with the eligible practices they gained (``figure=eligible``) or their responses
    (``figure=responses``) in the last 30 days."""
    page = _page()
    program = request.args.get("of", "")
    if program and program not in PROGRAMS_WITH_LAUNCH + ("QTP",):
        abort(404)
    kind = request.args.get("category", "")
    availability = request.args.get("availability", "")
    figure = request.args.get("figure", "")
    known_kind = not kind or kind in (*figures.CATEGORIES, "blocked")
    if not known_kind or figure not in ("", "eligible", "responses"):
        abort(404)
    rows = _drill_down(page, program, kind, availability, figure)
    return render_template(
        "readiness/countries.html",
        page=page,
        filters=page.filters,
        program=program,
        category=kind,
        availability=availability,
        figure=figure,
        rows=rows,
        forecasts=queries.forecasts_for(
            [r["readiness"] for r in rows if r.get("readiness")], page.today
        ),  # fmt: skip
    )


def _drill_down(page: Page, program: str, kind: str, availability: str, figure: str) -> list:
    if figure == "responses":
        (first, last), (before_first, before_last) = figures.windows(page.today)
        now = figures.responses_by_country(first, last, page.countries, page.filters.language)
        then = figures.responses_by_country(
            before_first, before_last, page.countries, page.filters.language
        )
        codes = [c for c in set(now) | set(then) if c]
        return [
            {"code": code, "name": name, "change": figures.Change(now[code], then[code])}
            for code, name in sorted_countries(codes)
        ]
    if figure == "eligible":
        gains = figures.eligible_gains(page.board, page.countries, page.today).get(program, {})
        by_row = {r.country: r for r in page.board if r.program == program}
        return [
            {"code": code, "name": name, "change": gains[code], "readiness": by_row.get(code)}
            for code, name in sorted_countries(c for c, g in gains.items() if g.last or g.previous)
        ]
    if availability:
        statuses = queries.availability_of(program) if program else {}
        kept = [c for c, s in statuses.items() if s == availability]
        codes = [c for c in kept if figures.in_scope(c, page.countries)]
        by_row = {r.country: r for r in page.board if r.program == program}
        return [
            {"code": c, "name": n, "readiness": by_row.get(c)} for c, n in sorted_countries(codes)
        ]
    rows = figures.rows_in(page.board, page.countries, program, kind or None) if program else []
    by_code = {r.country: r for r in rows}
    return [{"code": c, "name": n, "readiness": by_code[c]} for c, n in sorted_countries(by_code)]


# --- downloads -----------------------------------------------------------------------------------


def _csv(name: str, headings: list[str], rows: list[list]) -> Response:
    response = Response(csv_stream(headings, [rows]), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


CHARTS = (
    "readiness",
    "availability",
    "over-time",
    "responses-month",
    "responses-region",
    "responses-income",
    "responses-language",
    "map",
)


@blueprint.get("/<any(" + ", ".join(f'"{c}"' for c in CHARTS) + "):chart>.csv")
@viewer_required
def chart_csv(chart: str):
    """One chart's numbers as CSV, narrowed by the same filters as the page."""
    page = _page()
    headings, rows = chart_rows(chart, page)
    return _csv(chart, headings, rows)


def chart_rows(chart: str, page: Page) -> tuple[list[str], list[list]]:
    """The headings and rows of a chart, as the page shows them (codes beside their titles)."""
    if chart == "readiness":
        data = figures.readiness_chart(page.board, page.countries, page.filters.launch_programs())
        programs = list(data)
        return [_("Readiness"), *programs], [
            [labels.label("readiness_category", c), *(data[p][c] for p in programs)]
            for c in figures.CATEGORIES
        ]
    if chart == "availability":
        data = figures.availability_chart(page.countries)
        programs = [p for p in ("QOPI", "QCP", "QTP") if p in data]
        return [_("Availability"), *programs], [
            [labels.label("availability", s), *(data[p].get(s, 0) for p in programs)]
            for s in labels.AVAILABILITY
        ]
    if chart == "over-time":
        data = figures.readiness_over_time(page.filters, page.countries, page.today)
        states = ("ready", "awaiting_capacity", "near_ready", "launched")
        return [_("Month"), *(labels.label("readiness_state", s) for s in states)], [
            [month, *(counts[s] for s in states)] for month, counts in data.items()
        ]
    if chart == "map":
        program = _map_program(page.filters)
        states = _map_states(page, program)
        legend = map_legend()
        return [_("Country"), _("Code"), program], [
            [name, code, legend.get(states[code], states[code])]
            for code, name in sorted_countries(states)
        ]
    charts = figures.response_charts(page.filters, page.countries, page.today)
    dimension = chart.removeprefix("responses-")
    rows = getattr(charts, f"by_{dimension}")
    titles = {
        "month": (_("Month"), lambda key: key),
        "region": (_("Region"), lambda key: _region(key)),
        "income": (_("Income group"), lambda key: labels.label("income_group", key) or key),
        "language": (_("Language"), lambda key: LANGUAGE_NAMES.get(key, key)),
    }
    heading, title = titles[dimension]
    return [heading, _("Responses")], [[title(row.key), row.count] for row in rows]


def _region(code: str) -> str:
    return region_name(code) or code


@blueprint.get("/map.svg")
@viewer_required
def map_svg():
    """The coloured map as one SVG file (the page draws a PNG from it), same filters."""
    page = _page()
    program = _map_program(page.filters)
    states = _map_states(page, program)
    legend = map_legend()
    world = load_world_map()
    titles = {
        r.code: _(
            "%(country)s: %(state)s",
            country=country_name(r.code),
            state=legend.get(states.get(r.code, "not_available")),
        )
        for r in world.regions
    }
    body = standalone_svg(world, states, MAP_COLOURS, titles,
                          title=_("%(program)s by country", program=program))  # fmt: skip
    response = Response(body, mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'attachment; filename="map-{program}.svg"'
    return response


@blueprint.app_template_global()
def month_label(key: str) -> str:
    """A month ``YYYY-MM`` as the reader's language writes it ("Mar 2026", "mar 2026")."""
    try:
        first = date(int(key[:4]), int(key[5:7]), 1)
    except ValueError:
        return key
    return format_skeleton("yMMM", first, locale=get_locale())


def list_url(page: Page, **values: str) -> str:
    """The list behind a figure, with the page's filters (``values`` may change one)."""
    return url_for("dashboard.countries", **(page.filters.query() | values))


blueprint.add_app_template_global(list_url, "dashboard_list_url")
