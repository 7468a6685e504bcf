"""Stored and reflected XSS: markup typed by a respondent or a staff member is shown as text on
every page that displays it.

Payloads go in through the real forms (the survey, the staff screens), then every page that
shows them is fetched: each must hold the escaped payload and never the raw markup.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import select

from crm.accounts.models import User
from crm.activities.models import Task
from crm.core.clock import org_today
from crm.countries.models import CountryAgreement, PrivacyReview
from crm.outreach.models import OutboxMessage
from crm.outreach.operations import run_alerts
from crm.responses.models import SurveyResponse
from tests.data.spreadsheets import HEADINGS, csv_bytes
from tests.data.spreadsheets import changed_row as with_row
from tests.data.test_views import selected_options, upload
from tests.surveys.support import valid_form

ROOT = Path(__file__).resolve().parent.parent

#: Raw markup that must never reach a page: a script element and an attribute break-out.
RAW_MARKUP = ("<script>alert", "<img src=x")


def payload(tag: str) -> str:
    """A script element and an attribute break-out, tagged so a page shows which field leaked."""
    return f'<script>alert("{tag}")</script>"><img src=x onerror=alert(1)>'


def short_payload(tag: str) -> str:
    """For fields of 40 characters (phone)."""
    return f'<script>alert("{tag}")</script>'


def escaped(tag: str) -> str:
    """The escaped form of the script part of ``payload(tag)``, as Jinja and WTForms write it."""
    return str(escape(short_payload(tag)))


def body(response) -> str:
    return response.get_data(as_text=True)


def leaks(html: str) -> list[str]:
    return [marker for marker in RAW_MARKUP if marker in html]


SURVEY_TEXT_FIELDS = ("name", "role", "practice_name", "city", "comments")


@pytest.fixture
def admin_client(app, client, create_user, login):
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False
    admin = create_user("admin", email="admin@society.example")
    login(admin)
    client.admin = admin
    return client


@pytest.fixture
def stored(app, db, admin_client):
    """Payloads in every free-text survey answer and every staff text field, entered through
    the forms. Returns the ids the pages need."""
    client = admin_client
    survey = valid_form(
        **{field: payload(f"survey-{field}") for field in SURVEY_TEXT_FIELDS},
        phone=short_payload("survey-phone"),
        email="respondent@clinica.example",
        country="BR",
    )
    reply = client.post("/en/survey", data=survey)
    assert reply.status_code == 303, body(reply)[:500]
    thanks = reply.headers["Location"]
    response = db.session.scalars(select(SurveyResponse)).one()
    practice_id, contact_id = response.practice_id, response.contact_id
    today = org_today().isoformat()

    posts = {
        "/staff/countries/BR/activities": {
            "activity-kind": "note",
            "activity-subject": payload("country-activity-subject"),
            "activity-body": payload("country-activity-body"),
            "activity-occurred_on": today,
        },
        f"/staff/practices/{practice_id}/activities": {
            "activity-kind": "call",
            "activity-subject": payload("practice-activity-subject"),
            "activity-body": payload("practice-activity-body"),
            "activity-occurred_on": today,
        },
        "/staff/countries/BR/tasks": {
            "task-title": payload("country-task-title"),
            "task-notes": payload("country-task-notes"),
            "task-owner_id": str(client.admin.id),
            # Due today: the alerts job tells its owner (the alerts page quotes the title).
            "task-due_on": today,
        },
        f"/staff/practices/{practice_id}/tasks": {
            "task-title": payload("practice-task-title"),
            "task-notes": payload("practice-task-notes"),
            "task-owner_id": str(client.admin.id),
        },
        f"/staff/contacts/{contact_id}/edit": {
            "name": payload("contact-name"),
            "role": payload("contact-role"),
            "email": "respondent@clinica.example",
            "phone": short_payload("contact-phone"),
            "preferred_language": "pt_BR",
            "permission_to_contact": "y",
        },
        "/staff/countries/BR/privacy-reviews/new": {
            "programs": "QOPI",
            "status": "approved_with_conditions",
            "applicable_law": payload("review-law"),
            "counsel": payload("review-counsel"),
            "conditions": payload("review-conditions"),
            "notes": payload("review-notes"),
        },
        "/staff/countries/BR/agreements/new": {
            "programs": "QOPI",
            "counterparty": payload("agreement-counterparty"),
            "status": "draft",
            "notes": payload("agreement-notes"),
        },
        "/staff/countries/BR/thresholds/QOPI": {
            "min_eligible_practices": "1",
            "reason": payload("threshold-reason"),
        },
        "/staff/countries/BR/availability/QTP": {
            "status": "in_pipeline",
            "source": payload("availability-source"),
            "note": payload("availability-note"),
        },
        "/staff/admin/users/new": {
            "email": "colleague@society.example",
            "name": payload("user-name"),
            "role": "staff",
            "locale": "en",
            "password": "a long staff passphrase 42",
            "password_confirm": "a long staff passphrase 42",
        },
    }
    for url, data in posts.items():
        reply = client.post(url, data=data)
        assert reply.status_code in (302, 303), (url, body(reply)[:3000])
    # The practice's own name and city, edited by staff (after the tasks that quote it).
    reply = client.post(
        f"/staff/practices/{practice_id}/edit",
        data={"name": payload("practice-name"), "city": payload("practice-city")},
    )
    assert reply.status_code in (302, 303), body(reply)[:3000]
    reply = client.post("/staff/account/", data={"name": payload("own-name"), "locale": "en"})
    assert reply.status_code in (302, 303), body(reply)[:3000]
    # The respondent is invited (the invitations list shows their name and practice); another
    # respondent is left to invite, for the page that previews the email.
    reply = client.post(
        "/staff/invitations/new",
        data={
            **dict.fromkeys(("country", "program", "readiness_state"), ""),
            "emails": "respondent@clinica.example",
            "action": "send",
            "contact_ids": str(contact_id),
        },
    )
    assert reply.status_code == 303, body(reply)[:3000]
    invitee = valid_form(
        name=payload("invitee-name"),
        practice_name=payload("invitee-practice"),
        email="invitee@clinica.example",
        country="BR",
    )
    assert client.post("/en/survey", data=invitee).status_code == 303
    run_alerts()
    db.session.commit()
    return {
        "thanks": thanks,
        "response_id": response.id,
        "practice_id": practice_id,
        "contact_id": contact_id,
        "review_id": db.session.scalars(select(PrivacyReview.id)).one(),
        "agreement_id": db.session.scalars(select(CountryAgreement.id)).one(),
        "colleague_id": db.session.scalars(
            select(User.id).where(User.email == "colleague@society.example")
        ).one(),
        "task_id": db.session.scalars(select(Task.id)).first(),
    }


def pages(ids: dict) -> dict[str, tuple[str, ...]]:
    """Page → the tagged payloads it must show (escaped). Every page is checked for raw markup."""
    practice, contact = ids["practice_id"], ids["contact_id"]
    return {
        ids["thanks"]: (),
        "/staff/responses?status=all": ("survey-practice_name",),
        f"/staff/responses/{ids['response_id']}": (
            *(f"survey-{field}" for field in SURVEY_TEXT_FIELDS),
            "survey-phone",
        ),
        "/staff/countries/": (),
        "/staff/countries/BR": (
            "country-activity-subject",
            "country-activity-body",
            "country-task-title",
            "review-law",
            "review-counsel",
            "review-conditions",
            "agreement-counterparty",
            "threshold-reason",
            "practice-name",
        ),
        f"/staff/countries/BR/privacy-reviews/{ids['review_id']}": (
            "review-law",
            "review-counsel",
            "review-conditions",
            "review-notes",
        ),
        f"/staff/countries/BR/agreements/{ids['agreement_id']}": (
            "agreement-counterparty",
            "agreement-notes",
        ),
        "/staff/countries/BR/thresholds/QOPI": ("threshold-reason",),
        "/staff/countries/BR/availability/QTP": (),
        "/staff/practices": ("practice-name",),
        f"/staff/practices/{practice}": (
            "practice-name",
            "practice-city",
            "practice-activity-subject",
            "practice-activity-body",
            "practice-task-title",
            "contact-name",
        ),
        f"/staff/practices/{practice}/edit": ("practice-name", "practice-city"),
        "/staff/contacts": ("contact-name", "practice-name"),
        f"/staff/contacts/{contact}/edit": ("contact-name", "contact-role", "contact-phone"),
        "/staff/dashboard/": (),
        "/staff/dashboard/board": (),
        "/staff/tasks": ("country-task-title", "practice-task-title"),
        "/staff/admin/": (),
        "/staff/admin/users": ("user-name", "own-name"),
        f"/staff/admin/users/{ids['colleague_id']}": ("user-name",),
        "/staff/admin/audit": ("country-activity-subject", "practice-name", "user-name"),
        "/staff/account/": ("own-name",),
        "/staff/invitations/": ("contact-name", "practice-name"),
        # The selection and the email preview of the contacts found.
        "/staff/invitations/new?emails=invitee%40clinica.example": (
            "invitee-name",
            "invitee-practice",
        ),
        "/staff/alerts/": ("country-task-title",),
    }


def test_stored_markup_is_escaped_on_every_page_that_shows_it(stored, admin_client):
    problems = {}
    for url, shown in pages(stored).items():
        reply = admin_client.get(url)
        html = body(reply)
        missing = [tag for tag in shown if escaped(tag) not in html]
        if reply.status_code != 200 or leaks(html) or missing:
            problems[url] = (reply.status_code, leaks(html), missing)
    assert problems == {}


def test_the_data_subject_screen_escapes_what_it_finds(stored, admin_client):
    reply = admin_client.post(
        "/staff/privacy-requests/", data={"email": "respondent@clinica.example"}
    )
    html = body(reply)
    assert leaks(html) == []
    assert escaped("contact-name") in html
    assert escaped("practice-name") in html


def test_a_flash_quoting_a_practice_name_is_escaped(db, stored, admin_client):
    other = db.session.get(SurveyResponse, stored["response_id"])
    reply = admin_client.post(
        f"/staff/responses/{other.id}/link",
        data={"practice_id": str(stored["practice_id"])},
        follow_redirects=True,
    )
    html = body(reply)
    assert leaks(html) == []
    assert escaped("practice-name") in html


@pytest.mark.parametrize(
    "url",
    [
        "/staff/responses?q={}",
        "/staff/practices?q={}",
        "/staff/contacts?q={}",
        "/staff/admin/audit?actor={}",
        "/staff/countries/?region={}",
        "/staff/data/export/responses?q={}",
        "/staff/data/export/practices?q={}",
        "/staff/dashboard/?program={}",
    ],
)
def test_markup_in_a_query_string_is_not_reflected_raw(admin_client, url):
    reply = admin_client.get(url.format(payload("query")))
    assert reply.status_code in (200, 400, 404)
    assert leaks(body(reply)) == []


def test_markup_in_the_data_subject_search_is_not_reflected_raw(admin_client):
    reply = admin_client.post("/staff/privacy-requests/", data={"email": payload("query")})
    assert leaks(body(reply)) == []


def test_a_payload_in_the_next_field_cannot_become_a_link(stored, admin_client):
    reply = admin_client.post(
        "/staff/countries/BR/activities",
        data={"activity-subject": "", "activity-next": "javascript:alert(1)"},
    )
    assert reply.status_code == 400
    assert 'href="javascript:' not in body(reply)


#: A file name with markup (no quote or slash: a multipart file name keeps neither).
FILE_NAME = "<img src=x onerror=alert(1)>"


def import_through_the_screens(client) -> dict[str, str]:
    """A legacy CSV with markup in a heading, in cells and in its file name, taken through
    upload → columns → answers → preview → commit. Returns each step's page."""
    heading = short_payload("import-heading")
    good = with_row(
        **{"Practice name": payload("import-practice"), "Contact name": payload("import-name")},
        City=payload("import-city"),
    )
    good.append(payload("import-extra"))
    bad = with_row(Country=payload("import-country"), Email="other@x.example")
    bad.append("")
    content = csv_bytes([[*HEADINGS, heading], good, bad])
    reply = upload(client, content, name=f"{FILE_NAME}.csv")
    assert reply.status_code == 303, body(reply)[:2000]
    columns_url = reply.headers["Location"]
    pages = {"columns": body(client.get(columns_url))}
    reply = client.post(columns_url, data=selected_options(pages["columns"]))
    values_url = reply.headers["Location"]
    pages["values"] = body(client.get(values_url))
    reply = client.post(values_url, data=selected_options(pages["values"]))
    preview_url = reply.headers["Location"]
    pages["preview"] = body(client.get(preview_url))
    reply = client.post(f"{preview_url}/commit", data={"skip_invalid": "y"})
    assert reply.status_code == 303, body(reply)[:2000]
    pages["index"] = body(client.get("/staff/data/"))
    pages["inbox"] = body(client.get("/staff/responses?status=all"))
    pages["export"] = body(client.get("/staff/data/export/practices"))
    return pages


def test_markup_in_an_imported_file_is_escaped_on_every_step(admin_client):
    pages = import_through_the_screens(admin_client)
    shown = {
        "columns": [escaped("import-heading"), escaped("import-practice")],
        "preview": [escaped("import-country")],
        "index": [str(escape(FILE_NAME))],
        "inbox": [escaped("import-practice")],
    }
    problems = {
        step: (leaks(html), [text for text in shown.get(step, ()) if text not in html])
        for step, html in pages.items()
        if leaks(html) or any(text not in html for text in shown.get(step, ()))
    }
    assert problems == {}


API_FIELDS = {
    "/api/v1/responses/{response_id}": "survey-comments",
    "/api/v1/practices/{practice_id}": "practice-name",
    "/api/v1/privacy-reviews/{review_id}": "review-conditions",
    "/api/v1/agreements/{agreement_id}": "agreement-counterparty",
}


def json_strings(value) -> list[str]:
    """Every string inside a decoded JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [text for item in value for text in json_strings(item)]
    return []


@pytest.mark.parametrize("url", list(API_FIELDS))
def test_the_api_returns_markup_as_json_text_never_as_html(stored, admin_client, url):
    reply = admin_client.get(url.format(**stored))
    assert reply.status_code == 200
    assert reply.mimetype == "application/json"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    # The value comes back exactly as typed; its markup characters are \u-escaped in the body,
    # so even a client that pastes the JSON into a page or a script element runs nothing.
    assert payload(API_FIELDS[url]) in json_strings(reply.json)
    assert leaks(body(reply)) == []


def test_no_email_shows_markup(db, stored):
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert {"confirmation", "invitation"} <= {m.kind for m in messages}
    assert {m.id: leaks(m.html_body or "") for m in messages if leaks(m.html_body or "")} == {}


#: Every place that turns text into markup without escaping, and why it is safe.
REVIEWED_UNESCAPED: dict[str, str] = {
    # Search highlights: ``Markup % value`` escapes the value, ``Markup.join`` every part that
    # is not already Markup (the text around each match is escaped first).
    "crm/search/highlight.py:27": "the matched word, escaped by Markup's % operator",
    "crm/search/highlight.py:30": "parts joined: escaped text and escaped <mark> runs",
}


def test_nothing_in_the_templates_or_code_bypasses_escaping():
    pattern = re.compile(r"\|\s*safe\b|Markup\(|autoescape\s+false|render_template_string")
    found = {}
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("crm/**/*.py")]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                found[f"{path.relative_to(ROOT)}:{number}"] = line.strip()
    for path in ROOT.glob("surveys/**/*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                found[f"{path.relative_to(ROOT)}:{number}"] = line.strip()
    assert set(found) == set(REVIEWED_UNESCAPED), found
