"""The IQSG dashboard: readiness board, world map, pipeline and survey charts
(docs/architecture.md#packages)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from crm import labels
from crm.core.access import viewer_required
from crm.core.clock import org_today
from crm.core.i18n import LANGUAGE_NAMES, sort_by_country, sorted_countries
from crm.countries.models import PROGRAM_CODES
from crm.readiness import queries as dashboard
from crm.readiness.queries import readiness_board
from crm.readiness.rules import PROGRAMS_WITH_LAUNCH, State
from crm.readiness.worldmap import load_world_map

blueprint = Blueprint("dashboard", __name__, url_prefix="/staff/dashboard")
BOARD_STATES = (State.READY, State.AWAITING_CAPACITY, State.NEAR_READY, State.BLOCKED)


@blueprint.context_processor
def dashboard_helpers() -> dict:
    return {
        "language_name": lambda code: LANGUAGE_NAMES.get(code, code),
        "today": org_today(),
    }


def grouped_board(board, locale: str | None = None) -> dict[str, dict[str, list]]:
    """Program → board state → rows, for the board's columns (launched countries left out);
    each column in the alphabetical order of its countries' names in ``locale`` (default: the
    page's), as the steering group reads it, never by ISO code."""
    grouped: dict[str, dict[str, list]] = {
        p: {s.value: [] for s in BOARD_STATES} for p in PROGRAMS_WITH_LAUNCH
    }
    for row in sort_by_country(board, lambda row: row.country, locale):
        if row.state in BOARD_STATES:
            grouped[row.program][row.state.value].append(row)
    return grouped


def map_legend() -> dict[str, str]:
    """Map state → translated legend text, in legend order."""
    titles = {**labels.AVAILABILITY, **labels.READINESS_STATE}
    return {state: str(titles[state]) for state in dashboard.MAP_STATES}


def map_table(states: dict[str, str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The map as a table for screen readers and print: ``(state, [(code, localized name)])``
    in legend order, names sorted by the page language's rules; countries the program is not
    available in are left to one summary line (most of the world)."""
    by_state: dict[str, list[str]] = {}
    for code, state in states.items():
        by_state.setdefault(state, []).append(code)
    return [
        (state, sorted_countries(by_state[state]))
        for state in dashboard.MAP_STATES
        if state != "not_available" and by_state.get(state)
    ]


@blueprint.get("/")
@viewer_required
def index():
    """The whole dashboard; ``?program=`` picks the program the map is coloured by."""
    program = request.args.get("program", "QOPI")
    if program not in PROGRAM_CODES:
        abort(404)
    board = readiness_board()
    states = dashboard.map_states(program, dashboard.availability_of(program), board)
    return render_template(
        "readiness/index.html",
        program=program,
        programs=PROGRAM_CODES,
        board=grouped_board(board),
        world=load_world_map(),
        map_states=states,
        map_table=map_table(states),
        legend=map_legend(),
        availability_pipeline=dashboard.availability_pipeline(),
        readiness_pipeline=dashboard.readiness_pipeline(board),
        by_month=dashboard.responses_by_month(),
        by_region=dashboard.responses_by_region(),
        by_income=dashboard.responses_by_income_group(),
        by_language=dashboard.responses_by_language(),
    )


@blueprint.get("/board")
@viewer_required
def board():
    """The readiness board alone, laid out for printing at steering-group meetings."""
    return render_template("readiness/board.html", board=grouped_board(readiness_board()))
