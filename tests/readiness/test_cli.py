"""``flask --app app readiness`` (docs/architecture.md#interfaces): the board as text, or as JSON
objects."""

from __future__ import annotations

import json


def run(app, *args: str):
    result = app.test_cli_runner().invoke(args=["readiness", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_json_lists_every_country_for_qopi_and_qcp(app):
    board = json.loads(run(app, "--format", "json"))
    assert len(board) == 2 * 250
    assert {e["program"] for e in board} == {"QOPI", "QCP"}
    brazil = {e["program"]: e for e in board if e["country"] == "BR"}
    assert brazil["QOPI"]["state"] == "launched"
    assert brazil["QCP"]["availability"] == "available"


def test_json_objects_have_the_documented_keys(app):
    entry = json.loads(run(app, "--format", "json"))[0]
    assert {"country", "program", "availability", "state", "criteria"} <= entry.keys()
    assert {"key", "met", "detail"} <= entry["criteria"][0].keys()


def test_state_filter(app):
    board = json.loads(run(app, "--format", "json", "--state", "launched"))
    assert board
    assert {e["state"] for e in board} == {"launched"}


def test_text_board_explains_each_criterion(app):
    output = run(app, "--state", "blocked")
    assert "CO  QOPI" in output
    assert "- Eligible practices: 0 of 5" in output
