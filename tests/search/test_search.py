"""The global search: case-, accent- and punctuation-insensitive on SQLite and PostgreSQL
(``TEST_DATABASE_URL``), kept right by every write, role-aware (docs/decisions.md#search-index)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm.api.tokens import create_token
from crm.responses import operations as triage
from crm.responses.intake import accept_response, file_pending
from crm.responses.models import Contact, Practice
from crm.search import index
from crm.search.index import newest_ids, terms
from crm.search.queries import search
from tests.responses.helpers import T0, eligible_answers, submit_response


def found(kind: str, query: str) -> list:
    return [hit.id for hit in search(query, people=True).groups.get(kind, [])]


@pytest.fixture
def nunez(db):
    answers = eligible_answers(
        1, name="Ángela Núñez", email="angela.nunez@hsp.example", phone="+55 (11) 3333-4444",
        practice_name="Hospital São Paulo de Oncologia", city="São Paulo", country="BR",
    )  # fmt: skip
    return submit_response(db, answers)


def test_terms_drop_accents_case_and_punctuation():
    assert terms("Núñez, São-Paulo!").words == ("nunez", "sao", "paulo")
    assert terms("+55 (11) 3333-4444").digits == "551133334444"
    assert not terms("  ¿? ")


@pytest.mark.parametrize(
    ("kind", "query"),
    [
        ("contacts", "nunez"),
        ("contacts", "ANGELA NÚÑEZ"),
        ("contacts", "angela.nunez@hsp"),
        ("contacts", "3333-4444"),
        ("contacts", "+55 11 33334444"),
        ("practices", "sao paulo"),
        ("practices", "hosp sao"),
        ("responses", "nunez"),
        ("responses", "Sao-Paulo"),
    ],
)
def test_found_whatever_the_case_accents_and_punctuation(db, nunez, kind, query):
    wanted = {"contacts": nunez.contact_id, "practices": nunez.practice_id,
              "responses": nunez.id}[kind]  # fmt: skip
    assert wanted in found(kind, query)


def test_every_word_must_match(db, nunez):
    assert found("contacts", "nunez perez") == []


def test_countries_are_found_by_their_name_in_each_language(app, db):
    with app.test_request_context("/"):
        for query in ("alemania", "Alemanha", "germany", "DE"):
            assert "DE" in [h.id for h in search(query, people=False).groups["countries"]]
        hit = search("alemania", people=False).groups["countries"][0]
        assert (hit.title, hit.detail) == ("Germany", "Alemania")


def test_the_index_follows_renames_and_deletions(db, nunez):
    practice = db.session.get(Practice, nunez.practice_id)
    practice.name = "Instituto Kalomera"
    db.session.commit()
    assert found("practices", "kalomera") == [practice.id]
    assert found("practices", "oncologia") == []
    contact = db.session.get(Contact, nunez.contact_id)
    contact.phone = None
    db.session.commit()
    assert found("contacts", "3333") == []


def test_a_response_is_found_once_filed(db):
    answers = eligible_answers(5, name="Zoraida Quintero")
    response_id = accept_response(answers, language="es", submission_token="t-zoraida",
                                  consent_at=T0, privacy_notice_version="2026-11",
                                  submitted_at=T0)  # fmt: skip
    db.session.commit()
    assert found("responses", "zoraida") == []
    file_pending(response_id)
    db.session.commit()
    assert found("responses", "zoraida") == [response_id]


def test_newest_first_and_more_is_said(db):
    for n in range(10):
        submit_response(db, eligible_answers(n, practice_name=f"Clínica Vidanova {n}"),
                        at=T0 + timedelta(hours=n))  # fmt: skip
    results = search("vidanova", people=True, per_kind=3)
    assert [h.title for h in results.groups["practices"]] == [
        "Clínica Vidanova 9", "Clínica Vidanova 8", "Clínica Vidanova 7"]  # fmt: skip
    assert "practices" in results.more


@pytest.mark.parametrize("recent_rows", [1, 4, 30])
def test_the_newest_matches_whatever_part_of_the_table_is_read_first(db, monkeypatch,
                                                                      recent_rows):  # fmt: skip
    """PostgreSQL reads the newest rows first (``RECENT_ROWS``), then all of them when fewer
    match: the answer is the same (on SQLite the FTS table walks its own matches)."""
    practices = [
        submit_response(
            db, eligible_answers(n, practice_name=f"Clínica {word} {n}"), at=T0 + timedelta(hours=n)
        ).practice  # fmt: skip
        for n, word in enumerate(["Vidanova", "Otra", "Vidanova", "Otra", "Otra", "Otra"])
    ]
    monkeypatch.setattr(index, "RECENT_ROWS", recent_rows)
    assert newest_ids("practices", terms("vidanova"), 2) == [practices[2].id, practices[0].id]
    assert newest_ids("practices", terms("otra"), 3) == [p.id for p in practices[5:2:-1]]
    assert newest_ids("practices", terms("nadie"), 3) == []


def test_spam_and_duplicates_are_still_found(db, nunez):
    triage.mark_spam(nunez)
    db.session.commit()
    assert found("responses", "nunez") == [nunez.id]


def test_the_page_marks_what_matched(client, create_user, login, nunez):
    login(create_user("staff"))
    page = client.get("/staff/search?q=nunez").get_data(as_text=True)
    assert "Ángela <mark>Núñez</mark>" in page
    assert 'id="results-contacts"' in page


def test_viewers_find_countries_and_never_people(client, create_user, login, nunez):
    login(create_user("viewer"))
    page = client.get("/staff/search?q=brasil").get_data(as_text=True)
    assert 'href="/staff/countries/BR"' in page
    page = client.get("/staff/search?q=nunez").get_data(as_text=True)
    assert "Núñez" not in page
    assert "results-contacts" not in page


def test_the_api_searches_as_the_screen_does(client, create_user, db, nunez):
    staff = {"Authorization": f"Bearer {create_token(create_user('staff'))[1]}"}
    viewer = {"Authorization": f"Bearer {create_token(create_user('viewer'))[1]}"}
    db.session.commit()
    body = client.get("/api/v1/search?q=nunez", headers=staff).get_json()
    assert {(i["kind"], i["id"]) for i in body["items"]} >= {
        ("contacts", nunez.contact_id),
        ("responses", nunez.id),
    }
    body = client.get("/api/v1/search?q=nunez", headers=viewer).get_json()
    assert body["kinds"] == ["countries"]
    assert body["items"] == []
    assert client.get("/api/v1/search", headers=viewer).status_code == 422


def test_the_index_is_kept_by_the_database_itself(db):
    """A later migration that recreates one of these tables on SQLite must recreate its
    triggers (docs/decisions.md#search-index)."""
    from sqlalchemy import text

    if db.engine.dialect.name == "postgresql":
        names = set(db.session.scalars(text(
            "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'fts_%'")))  # fmt: skip
        assert names == {f"fts_{k}_document" for k in ("practices", "contacts", "responses",
                                                        "tasks")}  # fmt: skip
        return
    triggers = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'fts_%'"
    names = set(db.session.scalars(text(triggers)))
    assert names == {f"fts_{kind}_{event}" for kind in ("practices", "contacts", "responses",
                                                         "tasks")
                     for event in ("insert", "delete", "update")}  # fmt: skip
