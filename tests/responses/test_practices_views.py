"""Practices and contacts pages: search, detail with its audit trail, edits, bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.audit.models import AuditEvent
from crm.responses import operations as triage
from crm.responses.models import Contact, Practice


@pytest.fixture
def staff_client(request, client, create_user, login):
    """A client logged in as staff (session set directly under ``@pytest.mark.csrf``)."""
    user = create_user("staff")
    if request.node.get_closest_marker("csrf"):
        with client.session_transaction() as session:
            session["_user_id"] = user.fs_uniquifier
            session["_fresh"] = True
        return client
    return login(user)


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("q=SAN+JOSE", "Clínica San José", "Oncología Puebla"),
        ("country=MX", "Oncología Puebla", "Clínica San José"),
        ("program=QCP", "Clínica San José", "Oncología Puebla"),
    ],
)
def test_practice_list_search_and_filters(staff_client, submit_response, query, shown, hidden):
    submit_response(practice_name="Clínica San José")
    submit_response(
        practice_name="Oncología Puebla", country="MX", city="Puebla", interest_qcp="not_at_all"
    )
    page = html(staff_client.get(f"/staff/practices?{query}"))
    assert f"{shown}</a>" in page
    assert f"{hidden}</a>" not in page


def test_practice_list_with_an_unknown_country_shows_an_error(staff_client):
    reply = staff_client.get("/staff/practices?country=ZZ")
    assert reply.status_code == 200
    assert "error-message" in html(reply)


def test_practice_page_shows_contacts_interests_and_responses(staff_client, submit_response):
    response = submit_response(name="Ana Pérez", email="ana@sj.example")
    page = html(staff_client.get(f"/staff/practices/{response.practice_id}"))
    assert "ana@sj.example" in page
    assert "Very interested" in page
    assert f'href="/staff/responses/{response.id}"' in page


def test_practice_page_shows_its_audit_trail(staff_client, submit_response, db):
    response = submit_response()
    triage.mark_spam(response)
    db.session.commit()
    page = html(staff_client.get(f"/staff/practices/{response.practice_id}"))
    assert "as spam" in page  # the trail in words: "… marked the response … as spam"


def test_unknown_practice_is_404(staff_client):
    assert staff_client.get("/staff/practices/999999").status_code == 404


def test_editing_the_name_recomputes_its_matching_key(db, staff_client, submit_response):
    practice_id = submit_response().practice_id
    reply = staff_client.post(
        f"/staff/practices/{practice_id}/edit",
        data={"name": "Clínica San José de Bogotá", "city": "Bogotá", "practice_type": ""},
    )
    assert reply.status_code == 303
    db.session.expire_all()
    assert db.session.get(Practice, practice_id).name_key == "clinicasanjosedebogota"


def test_practice_edit_is_audited_with_old_and_new_values(db, staff_client, submit_response):
    practice_id = submit_response().practice_id
    staff_client.post(
        f"/staff/practices/{practice_id}/edit",
        data={"name": "Clínica San José", "city": "Chía", "practice_type": "cancer_center"},
    )
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "practice.update"))
    assert event.one().changes == {
        "city": ["Bogotá", "Chía"],
        "practice_type": ["private_practice", "cancer_center"],
    }


def test_practice_edit_with_an_empty_name_keeps_what_was_typed(staff_client, submit_response):
    practice_id = submit_response().practice_id
    reply = staff_client.post(
        f"/staff/practices/{practice_id}/edit",
        data={"name": " ", "city": "Zipaquirá", "practice_type": "bogus"},
    )
    assert reply.status_code == 400
    page = html(reply)
    assert 'id="name-error"' in page
    assert 'id="practice_type-error"' in page
    assert 'value="Zipaquirá"' in page


def test_practice_renamed_to_punctuation_alone_is_refused(db, staff_client, submit_response):
    response = submit_response()
    reply = staff_client.post(
        f"/staff/practices/{response.practice_id}/edit", data={"name": "- - -", "city": "Cali"}
    )
    assert reply.status_code == 400
    assert "The name needs at least one letter or digit." in html(reply)
    db.session.expire_all()
    assert db.session.get(Practice, response.practice_id).name != "- - -"


def test_contact_list_searches_name_and_email(staff_client, submit_response):
    submit_response(name="Ana Pérez", email="ana@sj.example")
    submit_response(name="Luis Gómez", email="luis@norte.example", practice_name="Norte")
    page = html(staff_client.get("/staff/contacts?q=norte"))
    assert "Luis Gómez" in page
    assert "Ana Pérez" not in page


def test_withdrawing_permission_records_when(db, staff_client, submit_response):
    contact_id = submit_response(name="Ana Pérez", email="ana@sj.example").contact_id
    reply = staff_client.post(
        f"/staff/contacts/{contact_id}/edit",
        data={"name": "Ana Pérez", "email": "ana@sj.example", "preferred_language": "es"},
    )
    assert reply.status_code == 303
    db.session.expire_all()
    contact = db.session.get(Contact, contact_id)
    assert contact.permission_to_contact is False
    assert contact.permission_changed_at is not None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "contact.update"))
    assert event.one().changes["permission_to_contact"] == [True, False]


def test_contact_edit_with_a_bad_email_shows_the_error_next_to_it(staff_client, submit_response):
    contact_id = submit_response().contact_id
    reply = staff_client.post(
        f"/staff/contacts/{contact_id}/edit",
        data={"name": "Ana Pérez", "email": "not-an-email", "role": "Directora"},
    )
    assert reply.status_code == 400
    assert 'id="email-error"' in html(reply)
    assert 'value="Directora"' in html(reply)


def test_unknown_contact_is_404(staff_client):
    assert staff_client.get("/staff/contacts/999999/edit").status_code == 404


@pytest.mark.parametrize("path", ["/staff/practices", "/staff/contacts"])
def test_viewers_do_not_see_practices_or_contacts(create_user, login, path):
    assert login(create_user("viewer")).get(path).status_code == 403


@pytest.mark.csrf
def test_contact_edit_needs_the_csrf_token(db, staff_client, submit_response):
    contact_id = submit_response(name="Ana Pérez").contact_id
    reply = staff_client.post(
        f"/staff/contacts/{contact_id}/edit", data={"name": "Mallory", "email": "m@x.example"}
    )
    assert reply.status_code == 400
    db.session.expire_all()
    assert db.session.get(Contact, contact_id).name == "Ana Pérez"


@pytest.mark.csrf
def test_practice_edit_needs_the_csrf_token(db, staff_client, submit_response):
    practice_id = submit_response().practice_id
    reply = staff_client.post(f"/staff/practices/{practice_id}/edit", data={"name": "Mallory"})
    assert reply.status_code == 400
    db.session.expire_all()
    assert db.session.get(Practice, practice_id).name == "Clínica San José"


def test_programs_are_listed_in_their_own_order_not_alphabetically(staff_client, submit_response):
    # docs/domain.md#programs: QOPI, QCP, QTP; sorted as text, QCP came before QOPI.
    from crm.labels import program_order

    assert program_order(["QTP", "QCP", "QOPI"]) == ["QOPI", "QCP", "QTP"]
    response = submit_response(practice_name="Clínica Orden", interest_qtp="very")
    listing = html(staff_client.get("/staff/practices?q=Orden"))
    row = listing[listing.index("Clínica Orden") :]
    assert row.index("QOPI:") < row.index("QCP:") < row.index("QTP:")
    detail = html(staff_client.get(f"/staff/practices/{response.practice_id}"))
    interests = detail[detail.index('id="interests-heading"') :]
    assert interests.index(">QOPI<") < interests.index(">QCP<") < interests.index(">QTP<")


@pytest.mark.parametrize(
    ("segment", "order"),
    [("en", ["Argentina", "Germany", "United Arab Emirates"]),
     ("es", ["Alemania", "Argentina", "Emiratos Árabes Unidos"])],
)  # fmt: skip
def test_practice_list_follows_country_names_in_the_reader_language(
    staff_client, submit_response, segment, order
):
    # docs/domain.md#countries: by ISO code, the Emirates (AE) came first in every language.
    for code in ("DE", "AE", "AR"):
        submit_response(practice_name=f"Clínica {code}", country=code, city="X")
    staff_client.get(f"/language/{'es' if segment == 'es' else 'en'}?next=/staff/")
    listing = html(staff_client.get("/staff/practices"))
    positions = [listing.index(f"<td>{name}</td>") for name in order]
    assert positions == sorted(positions)


def test_the_database_country_order_places_kosovo_by_its_name(db):
    # XK is CLDR's and the countries table's, not pycountry's: it sorted after every country.
    from sqlalchemy import column, select, text

    from crm.core.i18n import country_order

    rows = " UNION ALL ".join(f"SELECT '{code}' AS code" for code in ("XK", "KW", "KI", "AE"))
    codes = text(rows).columns(column("code")).subquery()
    statement = select(codes.c.code).order_by(country_order(codes.c.code, "en"))
    assert db.session.scalars(statement).all() == ["KI", "XK", "KW", "AE"]
