"""The scan for duplicate practices on its screen, in the API and on the command line; who may
merge (docs/domain.md#merges)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from crm.api.tokens import create_token
from crm.audit.models import AuditEvent
from crm.responses.models import Practice
from tests.responses.helpers import eligible_answers, submit_response


def merge_events(db) -> int:
    """How many merges the audit trail holds."""
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "practice.merge")
    )


@pytest.fixture
def pair(db):
    full = submit_response(
        db, eligible_answers(1, practice_name="Clínica Santa María", email="ana@csm.example")
    )
    short = submit_response(
        db, eligible_answers(2, practice_name="Clín. Sta. María", email="luis@csm.example")
    )
    return full.practice_id, short.practice_id


@pytest.fixture
def token_for(db, create_user):
    def make(role: str) -> dict[str, str]:
        _row, plain = create_token(create_user(role))
        db.session.commit()
        return {"Authorization": f"Bearer {plain}"}

    return make


def test_the_scan_page_lists_the_pair_with_its_reasons(client, create_user, login, pair):
    login(create_user("staff"))
    page = client.get("/staff/practices/duplicates?country=CO").get_data(as_text=True)
    assert "Clín. Sta. María" in page
    assert "Same email domain (csm.example)." in page
    assert "score 100 of 100" in page


def test_merging_from_the_scan_asks_first_then_keeps_the_chosen_practice(
    client, create_user, login, pair, db
):
    full, short = pair
    login(create_user("staff"))
    scan = "/staff/practices/duplicates?country=CO"
    unconfirmed = client.post(f"/staff/practices/{short}/merge", data={"into": full, "next": scan})
    assert unconfirmed.status_code == 303  # to the question, nothing merged
    assert f"/staff/practices/{short}/merge?into={full}" in unconfirmed.headers["Location"]
    assert db.session.get(Practice, short) is not None
    question = client.get(unconfirmed.headers["Location"]).get_data(as_text=True)
    assert "Merge Clín. Sta. María into Clínica Santa María?" in question
    assert 'name="confirmed" type="hidden" value="1"' in question
    assert f'href="{scan}"' in question  # Cancel: back to the scan
    assert '<th scope="row">Responses</th><td>1</td><td>2</td>' in question  # moves, after
    assert merge_events(db) == 0
    answer = client.post(
        f"/staff/practices/{short}/merge", data={"into": full, "next": scan, "confirmed": "1"}
    )
    assert answer.status_code == 303
    assert merge_events(db) == 1  # one merge, one entry in the audit trail
    assert answer.headers["Location"].endswith(f"/staff/practices/{full}")
    assert db.session.get(Practice, short) is None
    page = client.get("/staff/practices/duplicates?country=CO").get_data(as_text=True)
    assert "0 likely duplicate pairs" in page


def test_not_the_same_from_the_scan_leaves_the_pair_out(client, create_user, login, pair):
    full, short = pair
    login(create_user("staff"))
    answer = client.post(
        "/staff/practices/duplicates/not-the-same", data={"first": full, "second": short}
    )
    assert answer.status_code == 303
    page = client.get("/staff/practices/duplicates?country=CO").get_data(as_text=True)
    assert "Clín. Sta. María" not in page


def test_merging_into_another_country_is_refused_with_a_message(
    client, create_user, login, db, pair
):
    full, _short = pair
    mexican = submit_response(db, eligible_answers(3, country="MX", city="Puebla")).practice_id
    login(create_user("staff"))
    for confirmed in ("", "1"):
        answer = client.post(
            f"/staff/practices/{mexican}/merge",
            data={"into": full, "confirmed": confirmed},
            follow_redirects=True,
        )
        assert "only be combined within one country" in answer.get_data(as_text=True)
    assert db.session.get(Practice, mexican) is not None


def test_viewers_cannot_scan_or_merge(client, create_user, login, pair, db):
    full, short = pair
    login(create_user("viewer"))
    assert client.get("/staff/practices/duplicates?country=CO").status_code == 403
    assert client.post(f"/staff/practices/{short}/merge", data={"into": full}).status_code == 403
    assert (
        client.post(
            "/staff/practices/duplicates/not-the-same", data={"first": full, "second": short}
        ).status_code
        == 403
    )
    assert db.session.get(Practice, short) is not None


def test_the_api_merges_a_practice(client, token_for, pair, db):
    full, short = pair
    answer = client.post(
        f"/api/v1/practices/{short}/merge", json={"into": full}, headers=token_for("staff")
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["merged"] == short
    assert body["practice"]["id"] == full
    assert db.session.get(Practice, short) is None
    assert merge_events(db) == 1  # one merge, one entry in the audit trail


@pytest.mark.parametrize(("role", "status"), [("viewer", 403)])
def test_viewers_cannot_merge_through_the_api(client, token_for, pair, db, role, status):
    full, short = pair
    answer = client.post(
        f"/api/v1/practices/{short}/merge", json={"into": full}, headers=token_for(role)
    )
    assert answer.status_code == status
    assert db.session.get(Practice, short) is not None


def test_the_api_refuses_a_merge_it_cannot_do(client, token_for, pair):
    full, _short = pair
    headers = token_for("staff")
    itself = client.post(f"/api/v1/practices/{full}/merge", json={"into": full}, headers=headers)
    assert itself.status_code == 422
    assert "into" in itself.get_json()["error"]["errors"]
    unknown = client.post(f"/api/v1/practices/{full}/merge", json={"into": 999999}, headers=headers)
    assert unknown.status_code == 422
    assert (
        client.post(
            "/api/v1/practices/999999/merge", json={"into": full}, headers=headers
        ).status_code
        == 404
    )
    assert (
        client.post(f"/api/v1/practices/{full}/merge", json={}, headers=headers).status_code == 422
    )


def test_flask_practices_duplicates_prints_the_pairs(app, pair):
    full, short = pair
    result = app.test_cli_runner().invoke(
        args=["practices", "duplicates", "--country", "co", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    pairs = json.loads(result.output)
    assert [(p["first"], p["second"], p["score"]) for p in pairs] == [(full, short, 100)]
    assert pairs[0]["reasons"][0]["code"] == "name"
    text = app.test_cli_runner().invoke(args=["practices", "duplicates"]).output
    assert f"#{full} Clínica Santa María  ~  #{short} Clín. Sta. María" in text


@pytest.mark.parametrize(
    ("locale", "title", "other_word"),
    [("es", "Centros duplicados", "ráctica"), ("pt_BR", "Serviços duplicados", "línica")],
)
def test_the_scan_names_a_practice_as_the_product_does(
    client, create_user, login, pair, db, locale, title, other_word
):
    user = create_user("staff")
    user.locale = locale
    db.session.commit()
    login(user)
    full, short = pair
    for path in ("/staff/practices/duplicates?country=CO",
                 f"/staff/practices/{short}/merge?into={full}"):  # fmt: skip
        page = client.get(path).get_data(as_text=True)
        text = page.replace("Clínica Santa María", "").replace("Clín. Sta. María", "")
        assert other_word not in text, path
    assert title in client.get("/staff/practices/duplicates?country=CO").get_data(as_text=True)
