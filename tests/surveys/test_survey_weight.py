"""The survey stays light and its no-JavaScript submit unchanged (docs/decisions.md
#answers-in-the-browser): the page with its stylesheet and script weighs at most 60 KB on the
wire even uncompressed, and a plain form POST still runs the same three statements and
answers 303 to the thank-you page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from tests.surveys.support import stored_responses, valid_form

#: The survey's budget on the wire: the page, its stylesheet and its script.
BUDGET = 60 * 1024
#: What a survey POST ran before drafts and the script existed (with the worker filing): the
#: response's INSERT … ON CONFLICT and the tally's upsert (on SQLite after BEGIN IMMEDIATE).
PLAIN_SUBMIT = ["INSERT", "INSERT"]


def plain_bytes(client, path: str) -> int:
    """Bytes of ``path``'s body sent uncompressed (``Accept-Encoding: identity``): what the
    wire carries at most."""
    response = client.get(path, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200, path
    assert "Content-Encoding" not in response.headers
    return len(response.get_data())


@pytest.mark.parametrize("lang", ["en", "es", "pt"])
def test_the_page_its_stylesheet_and_script_fit_the_budget_even_uncompressed(client, lang):
    html = client.get(f"/{lang}/survey").get_data(as_text=True)
    assets = re.findall(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"', html)
    assert len(assets) == 2
    assert any("survey" in a and a.endswith(".js") for a in assets)
    total = plain_bytes(client, f"/{lang}/survey") + sum(plain_bytes(client, a) for a in assets)
    assert total <= BUDGET, f"{total} bytes"


def test_the_script_is_served_by_the_app_under_its_csp(client):
    page = client.get("/es/survey")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    html = page.get_data(as_text=True)
    assert re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html) is None  # no inline script
    assert re.search(r"<[^>]*\son[a-z]+=", html) is None  # no inline handler


def test_a_plain_submit_runs_the_same_statements_as_before(app, client, db):
    app.config["SURVEY_FILING"] = "worker"
    client.get("/pt/survey")  # the page first, as a respondent (it reads the country list once)
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.split()[0].upper())

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.post("/pt/survey", data=valid_form())
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 303
    assert "/pt/survey/thanks/" in response.headers["Location"]
    begin = ["BEGIN"] if db.engine.dialect.name == "sqlite" else []
    assert statements == begin + PLAIN_SUBMIT
    assert stored_responses() == 1
