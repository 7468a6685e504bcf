"""The response inbox: filters and pages, the side-by-side detail, triage buttons, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm.audit.models import AuditEvent
from crm.core import pagination
from crm.responses.models import Practice, SurveyResponse

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def staff_client(request, client, create_user, login):
    """A client logged in as staff; under ``@pytest.mark.csrf`` the session is set directly,
    since the login form itself then wants a token."""
    user = create_user("staff")
    if request.node.get_closest_marker("csrf"):
        with client.session_transaction() as session:
            session["_user_id"] = user.fs_uniquifier
            session["_fresh"] = True
        return client
    return login(user)


@pytest.fixture
def suggested(submit_response):
    """A response whose close-named practice is suggested as a duplicate
    (docs/domain.md#eligible-practices)."""
    submit_response(practice_name="Instituto Nacional de Cancerología", email="a@inc.example")
    return submit_response(
        practice_name="Instituto Nacional de Cancerologia ESE",
        email="b@inc.example",
        at=T0 + timedelta(days=1),
    )


def html(response) -> str:
    return response.get_data(as_text=True)


def test_index_lists_new_responses_by_default(staff_client, submit_response):
    submit_response(practice_name="Clínica Nueva")
    submit_response(practice_name="Clínica Nueva", email="x@y.example", city="Bogotá")
    page = html(staff_client.get("/staff/responses"))
    assert page.count("Clínica Nueva</a>") == 1  # the second one is linked, not new


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("country=MX", "Oncología Puebla", "Clínica Bogotá"),
        ("language=en", "Oncología Puebla", "Clínica Bogotá"),
        ("suggested=y", "Instituto Nacional de Cancerologia ESE", "Clínica Bogotá"),
        ("status=all", "Clínica Bogotá", "nothing-hidden"),
    ],
)
def test_index_filters(staff_client, submit_response, suggested, query, shown, hidden):
    submit_response(practice_name="Clínica Bogotá")
    submit_response(practice_name="Oncología Puebla", country="MX", city="Puebla", language="en")
    page = html(staff_client.get(f"/staff/responses?{query}"))
    assert shown in page
    assert hidden not in page


def test_index_shows_an_error_for_an_unknown_status_instead_of_failing(staff_client):
    response = staff_client.get("/staff/responses?status=bogus")
    assert response.status_code == 200
    assert "error-message" in html(response)


def test_index_is_paginated_newest_first(staff_client, submit_response, monkeypatch):
    monkeypatch.setattr(pagination, "PER_PAGE", 2)
    for day, name in enumerate(("Clínica Aurora", "Instituto Boreal", "Centro Cenit")):
        submit_response(practice_name=name, at=T0 + timedelta(days=day))
    first = html(staff_client.get("/staff/responses"))
    second = html(staff_client.get("/staff/responses?page=2"))
    assert ("Centro Cenit" in first, "Instituto Boreal" in first, "Clínica Aurora" in first) == (
        True,
        True,
        False,
    )
    assert "Clínica Aurora" in second


def test_index_treats_a_bad_page_number_as_the_first(staff_client, submit_response):
    submit_response()
    assert staff_client.get("/staff/responses?page=abc").status_code == 200


def test_detail_shows_translated_labels_and_escaped_free_text(staff_client, submit_response):
    response = submit_response(comments="<script>alert(1)</script>")
    page = html(staff_client.get(f"/staff/responses/{response.id}"))
    assert "Very interested" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_detail_shows_the_suggested_practice_side_by_side(staff_client, suggested):
    page = html(staff_client.get(f"/staff/responses/{suggested.id}"))
    assert "Instituto Nacional de Cancerología</a>" in page
    assert "Instituto Nacional de Cancerologia ESE</a>" in page
    assert "Merge into the suggested practice" in page


def test_detail_of_an_unknown_response_is_404(staff_client):
    assert staff_client.get("/staff/responses/999999").status_code == 404


def test_search_lists_practices_of_the_same_country_only(staff_client, submit_response):
    response = submit_response(practice_name="Oncólogos Asociados")
    submit_response(practice_name="Clínica San Rafael", email="r@sr.example")
    submit_response(practice_name="Clínica San Rafael", country="MX", city="Puebla")
    page = html(staff_client.get(f"/staff/responses/{response.id}?q=san+rafael"))
    assert page.count('name="practice_id"') == 1


def test_merge_button_asks_first_then_merges_the_two_practices(db, staff_client, suggested):
    """A merge cannot be undone: the inbox's button opens the confirmation the scan uses, whose
    Cancel comes back to the response; only its Confirm merges."""
    target_id = suggested.suggested_practice_id
    source_id = suggested.practice_id
    reply = staff_client.post(f"/staff/responses/{suggested.id}/merge")
    assert reply.status_code == 303
    assert reply.headers["Location"].startswith(
        f"/staff/practices/{source_id}/merge?into={target_id}"
    )
    assert db.session.scalar(select(func.count()).select_from(Practice)) == 2
    page = html(staff_client.get(reply.headers["Location"]))
    assert f'href="/staff/responses/{suggested.id}"' in page  # Cancel
    reply = staff_client.post(
        f"/staff/practices/{source_id}/merge", data={"into": target_id, "confirmed": "1"}
    )
    assert reply.status_code == 303
    db.session.expire_all()
    assert db.session.get(SurveyResponse, suggested.id).practice_id == target_id
    assert db.session.scalar(select(func.count()).select_from(Practice)) == 1


def test_the_merge_page_never_goes_back_to_another_site(staff_client, suggested):
    source, target = suggested.practice_id, suggested.suggested_practice_id
    page = html(
        staff_client.get(f"/staff/practices/{source}/merge?into={target}&next=/%5Cevil.example")
    )
    assert 'href="/\\evil.example"' not in page
    assert 'value="/\\evil.example"' not in page
    assert f'href="/staff/practices/{source}"' in page  # Cancel goes to the practice instead


def test_merge_without_a_suggestion_explains_itself(staff_client, submit_response):
    response = submit_response()
    reply = staff_client.post(f"/staff/responses/{response.id}/merge", follow_redirects=True)
    assert "no suggested practice" in html(reply)


@pytest.mark.parametrize(("action", "status"), [("spam", "spam"), ("duplicate", "duplicate")])
def test_buttons_set_the_triage_status_and_record_who(
    db, create_user, login, submit_response, action, status
):
    staff = create_user("staff")
    client = login(staff)
    response = submit_response()
    client.post(f"/staff/responses/{response.id}/{action}")
    db.session.expire_all()
    stored = db.session.get(SurveyResponse, response.id)
    assert (stored.triage_status, stored.triaged_by_id) == (status, staff.id)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == f"response.{action}"))
    assert event.one().actor == staff.email


def test_duplicate_of_the_suggested_practice_files_it_there(db, staff_client, suggested):
    target_id = suggested.suggested_practice_id
    staff_client.post(
        f"/staff/responses/{suggested.id}/duplicate", data={"of_practice_id": str(target_id)}
    )
    db.session.expire_all()
    stored = db.session.get(SurveyResponse, suggested.id)
    assert (stored.practice_id, stored.triage_status) == (target_id, "duplicate")


def test_duplicate_of_an_unknown_practice_is_404(staff_client, submit_response):
    response = submit_response()
    reply = staff_client.post(
        f"/staff/responses/{response.id}/duplicate", data={"of_practice_id": "999999"}
    )
    assert reply.status_code == 404


@pytest.mark.parametrize("raw_id", ["²", "１２", "-3", "1e3"])
def test_duplicate_of_a_malformed_practice_id_is_400(staff_client, submit_response, raw_id):
    response = submit_response()
    reply = staff_client.post(
        f"/staff/responses/{response.id}/duplicate", data={"of_practice_id": raw_id}
    )
    assert reply.status_code == 400


def test_unknown_action_is_404(staff_client, submit_response):
    response = submit_response()
    assert staff_client.post(f"/staff/responses/{response.id}/explode").status_code == 404


def test_link_files_the_response_under_the_chosen_practice(db, staff_client, submit_response):
    target = submit_response(practice_name="Clínica San Rafael").practice
    response = submit_response(practice_name="Clínica S. Rafael", email="z@sr.example")
    reply = staff_client.post(
        f"/staff/responses/{response.id}/link", data={"practice_id": str(target.id)}
    )
    assert reply.status_code == 303
    db.session.expire_all()
    assert db.session.get(SurveyResponse, response.id).practice_id == target.id


@pytest.mark.parametrize(
    ("practice_id", "message"),
    [
        ("", "Choose the practice"),
        ("999999", "no longer exists"),
        ("abc", "Not a valid integer value"),
        ("mexican", "within one country"),
    ],
)
def test_link_with_bad_input_shows_the_error_next_to_the_choice(
    db, staff_client, submit_response, practice_id, message
):
    response = submit_response()
    if practice_id == "mexican":
        practice_id = str(submit_response(country="MX", city="Puebla").practice_id)
    reply = staff_client.post(
        f"/staff/responses/{response.id}/link", data={"practice_id": practice_id, "q": "san"}
    )
    assert reply.status_code == 400
    assert 'class="error-message" id="practice_id-error"' in html(reply)
    assert message in html(reply)
    db.session.expire_all()
    assert db.session.get(SurveyResponse, response.id).triage_status == "new"


def test_restore_brings_a_spam_response_back(db, staff_client, submit_response):
    response = submit_response()
    staff_client.post(f"/staff/responses/{response.id}/spam")
    staff_client.post(f"/staff/responses/{response.id}/restore")
    db.session.expire_all()
    assert db.session.get(SurveyResponse, response.id).triage_status == "new"


def test_viewers_may_not_open_the_inbox(create_user, login):
    client = login(create_user("viewer"))
    assert client.get("/staff/responses").status_code == 403


def test_anonymous_visitors_are_sent_to_login(client):
    reply = client.get("/staff/responses")
    assert reply.status_code in (302, 303)
    assert "/staff/login" in reply.headers["Location"]


@pytest.mark.csrf
def test_triage_buttons_need_the_csrf_token(db, staff_client, submit_response):
    response = submit_response()
    reply = staff_client.post(f"/staff/responses/{response.id}/spam")
    assert reply.status_code == 400
    db.session.expire_all()
    assert db.session.get(SurveyResponse, response.id).triage_status == "new"


@pytest.mark.csrf
def test_link_needs_the_csrf_token(db, staff_client, submit_response):
    target = submit_response(practice_name="Clínica San Rafael").practice
    response = submit_response(practice_name="Otra", email="o@x.example")
    reply = staff_client.post(
        f"/staff/responses/{response.id}/link", data={"practice_id": str(target.id)}
    )
    assert reply.status_code == 400
    db.session.expire_all()
    assert db.session.get(SurveyResponse, response.id).practice_id != target.id


@pytest.mark.parametrize(
    "path",
    [
        "/staff/responses/99999999999999999999999",
        "/staff/practices/99999999999999999999999",
        "/staff/contacts/99999999999999999999999/edit",
    ],
)
def test_ids_beyond_any_row_are_404_not_a_database_error(staff_client, path):
    assert staff_client.get(path).status_code == 404


def test_link_to_an_impossible_practice_id_is_a_field_error(staff_client, submit_response):
    response = submit_response()
    reply = staff_client.post(
        f"/staff/responses/{response.id}/link", data={"practice_id": "9" * 30}
    )
    assert reply.status_code == 400
    assert "no longer exists" in html(reply)
