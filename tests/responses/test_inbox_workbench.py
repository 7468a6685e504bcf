"""The inbox for real volume: search, filters and sort, bulk actions, the next response of the
same list after triage, explained choices, likely-spam flags (docs/domain.md#inbox)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from crm.audit.models import AuditEvent
from crm.core import pagination
from crm.responses.models import SurveyResponse
from tests.responses.helpers import T0, eligible_answers, submit_response


@pytest.fixture
def staff(create_user, db):
    user = create_user("staff")
    user.name = "Marta Ríos"
    db.session.commit()
    return user


@pytest.fixture
def staff_client(client, login, staff):
    return login(staff)


def html(answer) -> str:
    return answer.get_data(as_text=True)


def test_bulk_spam_of_fifty_in_one_action_is_audited(staff_client, db, monkeypatch):
    responses = [submit_response(db, eligible_answers(n), at=T0 + timedelta(minutes=n))
                 for n in range(50)]  # fmt: skip
    ids = [r.id for r in responses]
    answer = staff_client.post(
        "/staff/responses/bulk", data={"ids": ids, "action": "spam", "list": "status=new"}
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/staff/responses?status=new")
    statuses = db.session.scalars(select(SurveyResponse.triage_status)).all()
    assert statuses == ["spam"] * 50
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "response.spam"))
    assert sorted(int(e.entity_id) for e in events) == sorted(ids)
    page = html(staff_client.get("/staff/responses?status=new"))
    assert "50 responses changed." in page


def test_bulk_assign_names_the_assignee(staff_client, staff, db):
    response = submit_response(db, eligible_answers(1))
    staff_client.post(
        "/staff/responses/bulk",
        data={"ids": [response.id], "action": "assign", "assignee": staff.id},
    )
    assert db.session.get(SurveyResponse, response.id).assigned_to_id == staff.id
    page = html(staff_client.get("/staff/responses?assigned=me"))
    assert "Marta Ríos" in page
    assert html(staff_client.get("/staff/responses?assigned=none")).count("Clínica Número") == 0


def test_bulk_without_a_selection_says_so(staff_client):
    answer = staff_client.post("/staff/responses/bulk", data={"action": "spam"},
                               follow_redirects=True)  # fmt: skip
    assert "Select at least one response." in html(answer)


def test_triage_opens_the_next_response_of_the_same_filtered_list(staff_client, db):
    colombian = [submit_response(db, eligible_answers(n), at=T0 + timedelta(hours=n))
                 for n in range(3)]  # fmt: skip
    submit_response(db, eligible_answers(9, country="MX", city="Puebla"),
                    at=T0 + timedelta(hours=1, minutes=30))  # fmt: skip
    the_list = urlencode({"country": "CO", "status": "new"})
    newest, middle, oldest = colombian[2], colombian[1], colombian[0]
    page = html(staff_client.get(f"/staff/responses/{newest.id}?list={the_list}"))
    assert f"/staff/responses/{middle.id}?list=" in page  # the next one, not the Mexican one
    answer = staff_client.post(f"/staff/responses/{newest.id}/spam", data={"list": the_list})
    assert answer.status_code == 303
    assert re.search(rf"/staff/responses/{middle.id}\?list=country%3DCO%26status%3Dnew$",
                     answer.headers["Location"])  # fmt: skip
    answer = staff_client.post(f"/staff/responses/{middle.id}/dismiss", data={"list": the_list})
    assert f"/staff/responses/{oldest.id}?" in answer.headers["Location"]
    answer = staff_client.post(f"/staff/responses/{oldest.id}/spam", data={"list": the_list})
    assert answer.headers["Location"].endswith(f"/staff/responses?{the_list}")


def test_the_default_inbox_is_a_list_whose_next_response_opens(staff_client, db):
    older = submit_response(db, eligible_answers(1), at=T0)
    newer = submit_response(db, eligible_answers(2), at=T0 + timedelta(hours=1))
    inbox = html(staff_client.get("/staff/responses"))
    link = re.search(rf'href="(/staff/responses/{newer.id}\?list=[^"]+)"', inbox)
    assert link is not None  # the row names the default list, not an empty one
    page = html(staff_client.get(link.group(1).replace("&amp;", "&")))
    assert "After each choice the next response of this list opens." in page
    the_list = re.search(r'name="list" value="([^"]+)"', page).group(1).replace("&amp;", "&")
    answer = staff_client.post(f"/staff/responses/{newer.id}/spam", data={"list": the_list})
    assert f"/staff/responses/{older.id}?list=" in answer.headers["Location"]
    # A link of the plain inbox carrying an empty list is that list too.
    page = html(staff_client.get(f"/staff/responses/{older.id}?list="))
    assert "After each choice the next response of this list opens." in page
    # Opened from elsewhere (no list at all), the page stays after a choice.
    page = html(staff_client.get(f"/staff/responses/{older.id}"))
    assert "After each choice the next response of this list opens." not in page


def test_the_next_response_follows_the_chosen_sort(staff_client, db):
    first = submit_response(db, eligible_answers(1), at=T0)
    second = submit_response(db, eligible_answers(2), at=T0 + timedelta(hours=1))
    the_list = urlencode({"sort": "submitted"})  # oldest first
    answer = staff_client.post(f"/staff/responses/{first.id}/spam", data={"list": the_list})
    assert f"/staff/responses/{second.id}?" in answer.headers["Location"]


def test_filters_received_between_search_and_sort(staff_client, db):
    submit_response(db, eligible_answers(1, practice_name="Clínica Aurora"), at=T0)
    submit_response(db, eligible_answers(2, practice_name="Clínica Boreal", name="Úrsula Peña"),
                    at=T0 + timedelta(days=3))  # fmt: skip
    submit_response(db, eligible_answers(3, practice_name="Oncología Cenit", country="AR",
                                         city="Rosario"), at=T0 + timedelta(days=6))  # fmt: skip
    page = html(
        staff_client.get("/staff/responses?received_from=2026-11-03&received_to=2026-11-05")
    )
    assert "Clínica Boreal" in page
    assert "Clínica Aurora" not in page
    page = html(staff_client.get("/staff/responses?q=ursula+pena"))
    assert "Clínica Boreal" in page
    assert "Oncología Cenit" not in page
    page = html(staff_client.get("/staff/responses?sort=country"))
    assert page.index("Oncología Cenit") < page.index("Clínica Aurora")  # Argentina first
    assert 'aria-sort="ascending"' in page


def test_an_inverted_period_is_refused_next_to_its_field(staff_client):
    page = html(
        staff_client.get("/staff/responses?received_from=2026-11-05&received_to=2026-11-01")
    )
    assert "Choose a day on or after the first day." in page


def test_likely_spam_is_flagged_with_its_reasons_and_kept(staff_client, db):
    linked = submit_response(db, eligible_answers(1, practice_name="Best pills www.cheap.example"))
    contradicted = submit_response(db, eligible_answers(
        2, email="x@clinica.com.br", phone="+55 11 3333 4444"))  # fmt: skip
    burst = [submit_response(db, eligible_answers(3 + n, email="bot@spam.example"),
                             at=T0 + timedelta(minutes=n)) for n in range(3)]  # fmt: skip
    plain = submit_response(db, eligible_answers(10))
    codes = {r.id: [s["code"] for s in (db.session.get(SurveyResponse, r.id).spam_signals or [])]
             for r in (linked, contradicted, *burst, plain)}  # fmt: skip
    assert codes[linked.id] == ["link_in_name"]
    assert codes[contradicted.id] == ["country_contradicted"]
    assert [codes[r.id] for r in burst] == [[], [], ["burst"]]
    assert codes[plain.id] == []
    assert all(r.triage_status != "spam" for r in (linked, contradicted, *burst))
    page = html(staff_client.get("/staff/responses?likely_spam=y&status=all"))
    assert page.count("Likely spam</span>") == 3
    page = html(staff_client.get(f"/staff/responses/{contradicted.id}"))
    assert "both point to Brazil" in page


def test_each_triage_choice_is_explained_in_one_sentence(staff_client, db):
    submit_response(db, eligible_answers(1, practice_name="Hospital Universitario San Ignacio",
                                         email="a@hsi.example"))  # fmt: skip
    response = submit_response(
        db,
        eligible_answers(
            2, practice_name="Hosp. Univ. San Ignacio", email="b@other.example", city="Cali"
        ),
    )
    page = html(staff_client.get(f"/staff/responses/{response.id}"))
    for explained in ("merge", "dismiss", "duplicate-of", "duplicate", "spam"):
        assert f'aria-describedby="explain-{explained}"' in page
        assert f'id="explain-{explained}"' in page
    # The response beside the suggested practice: what differs is marked.
    assert "<mark>Cali</mark>" in page
    assert "<mark>Bogotá</mark>" in page
    assert "Different city: Cali and Bogotá." in page


def test_paging_keeps_the_list(staff_client, db, monkeypatch):
    monkeypatch.setattr(pagination, "PER_PAGE", 2)
    for n in range(3):
        submit_response(db, eligible_answers(n), at=T0 + timedelta(hours=n))
    page = html(staff_client.get("/staff/responses?country=CO&page=2"))
    assert "list=country%3DCO" in page
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 3


def test_confirming_its_own_practice_is_recorded_as_that(staff_client, db):
    response = submit_response(db, eligible_answers(1))
    assert response.suggested_practice_id is None
    page = html(staff_client.get(f"/staff/responses/{response.id}"))
    assert f'action="/staff/responses/{response.id}/confirm"' in page
    answer = staff_client.post(f"/staff/responses/{response.id}/confirm", data={"list": ""})
    assert answer.status_code == 303
    assert db.session.get(SurveyResponse, response.id).triage_status == "linked"
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_id == str(response.id))
    ).all()  # fmt: skip
    assert "response.confirm_own" in actions
    assert "response.dismiss_suggestion" not in actions
    again = staff_client.post(f"/staff/responses/{response.id}/confirm", data={"list": ""},
                              follow_redirects=True)  # fmt: skip
    assert "This response was already triaged." in html(again)
