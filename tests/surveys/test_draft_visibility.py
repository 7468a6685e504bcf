"""A draft is not a response (docs/domain.md#drafts): no staff screen, export, API answer,
count or search shows what was saved to finish later."""

from __future__ import annotations

import pytest

from tests.surveys.support import save, valid_form

NAME = "Zacarías Quintero"
PRACTICE = "Centro Invisible de Oncología"

STAFF_PAGES = [
    "/staff/responses",
    "/staff/responses?status=",
    "/staff/practices",
    "/staff/contacts",
    "/staff/practices/duplicates",
    "/staff/dashboard/",
    "/staff/dashboard/responses-month.csv",
    "/staff/dashboard/responses-language.csv",
    "/staff/countries/CO",
    "/staff/data/export/responses.csv",
    "/staff/data/export/practices.csv",
    "/staff/data/export/contacts.csv",
    "/api/v1/responses",
    "/api/v1/responses?filed=false",
    "/api/v1/practices",
    "/api/v1/search?q=Quintero",
]


@pytest.fixture
def staff_client(client, create_user, login):
    save(client, name=NAME, practice_name=PRACTICE, email="zq@invisible.example")
    save(client, lang="pt", name=NAME, practice_name=PRACTICE, country="CO")
    return login(create_user("admin"))


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_no_staff_screen_export_or_api_shows_a_draft(staff_client, path):
    response = staff_client.get(path)
    assert response.status_code == 200, path
    body = response.get_data(as_text=True)
    for typed in (NAME, "Zacar", PRACTICE, "Invisible", "zq@invisible.example"):
        assert typed not in body, (path, typed)


@pytest.mark.parametrize(
    ("query", "typed"),
    [("Zacarías", (PRACTICE, "zq@invisible.example")), ("Invisible", (NAME, "zq@invisible"))],
)
def test_the_search_finds_no_draft(staff_client, query, typed):
    """The page repeats the query; nothing else the draft holds shows."""
    body = staff_client.get(f"/staff/search?q={query}").get_data(as_text=True)
    for text in typed:
        assert text not in body, (query, text)


def test_the_dashboard_counts_no_response(staff_client):
    rows = staff_client.get("/staff/dashboard/responses-language.csv").get_data(as_text=True)
    counts = [line.rsplit(",", 1)[-1].strip() for line in rows.strip().splitlines()[1:]]
    assert all(count in ("0", "") for count in counts), rows


@pytest.mark.parametrize(
    "path",
    [
        "/staff/responses",
        "/staff/data/export/responses.csv",
        "/api/v1/responses",
        "/staff/search?q=Zacarías",
    ],
)
def test_the_same_answers_sent_show_there(staff_client, path):
    """The check above looks where a response does show."""
    form = valid_form(name=NAME, practice_name=PRACTICE, country="CO", email="zq@invisible.example")
    assert staff_client.post("/pt/survey", data=form).status_code == 303
    assert "Invisible" in staff_client.get(path).get_data(as_text=True)  # JSON escapes "í"
