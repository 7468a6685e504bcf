"""The survey's own CSRF token, a signed stamp tied to no cookie and valid SURVEY_DRAFT_DAYS
(docs/decisions.md#survey-stamp): a survey sent again hours later, from a reloaded page or a
restarted browser, is stored once; a stamp past its days, altered or missing is refused with
every answer kept; every other form keeps Flask-WTF's session token."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from freezegun import freeze_time

from crm.core.columns import utcnow
from tests.surveys.support import HALF_WAY, stored_responses, valid_form

pytestmark = pytest.mark.csrf


def stamp_of(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def rendered_form(app, lang: str = "es") -> dict:
    """A valid survey as a page rendered now would send it (its stamp and one-time token)."""
    html = app.test_client().get(f"/{lang}/survey").get_data(as_text=True)
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', html).group(1)
    return valid_form(csrf_token=stamp_of(html), submission_token=token)


def test_the_survey_sets_no_cookie(client):
    for path in ("/es/survey", "/pt/survey", "/en/privacy"):
        assert client.get(path).headers.getlist("Set-Cookie") == [], path


def test_a_stamp_needs_no_session_a_fresh_browser_sends_it(app):
    form = rendered_form(app)
    response = app.test_client().post("/pt/survey", data=form)  # another client: no cookie
    assert response.status_code == 303
    assert stored_responses() == 1


def test_a_survey_sent_again_hours_later_is_stored_once(app):
    form = rendered_form(app)
    client = app.test_client()
    with freeze_time(utcnow() + timedelta(hours=5)):  # Flask-WTF's token lasts one hour
        assert client.post("/pt/survey", data=form).status_code == 303
    with freeze_time(utcnow() + timedelta(hours=9)):  # the same submission replayed
        assert client.post("/pt/survey", data=form).status_code == 303
    assert stored_responses() == 1


def test_a_stamp_lasts_as_long_as_a_draft(app):
    app.config["SURVEY_DRAFT_DAYS"] = 2
    form = rendered_form(app)
    with freeze_time(utcnow() + timedelta(days=2, minutes=1)):
        response = app.test_client().post("/es/survey", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert stored_responses() == 0
    assert "Sus respuestas siguen aquí" in html
    assert 'value="Ana Pérez"' in html
    assert stamp_of(html) != form["csrf_token"]  # a fresh stamp to send with


@pytest.mark.parametrize("stamp", [None, "", "forged", "x.y.z"])
def test_a_missing_or_forged_stamp_is_refused_with_the_answers_kept(app, client, stamp):
    form = rendered_form(app)
    form = valid_form(**{k: v for k, v in form.items() if k != "csrf_token"}, csrf_token=stamp)
    response = client.post("/es/survey", data=form)
    assert response.status_code == 400
    assert stored_responses() == 0
    assert 'value="Clínica São José"' in response.get_data(as_text=True)


def test_a_save_hours_later_is_accepted_too(app):
    html = app.test_client().get("/es/survey").get_data(as_text=True)
    with freeze_time(utcnow() + timedelta(hours=6)):
        fields = {**HALF_WAY, "csrf_token": stamp_of(html), "submission_token": "s" * 32}
        response = app.test_client().post("/es/survey/save", data=fields)
    assert response.status_code == 303


def test_a_survey_stamp_opens_no_other_form(app, client, create_user):
    stamp = stamp_of(client.get("/es/survey").get_data(as_text=True))
    user = create_user("staff")
    response = client.post(
        "/staff/login",
        data={"email": user.email, "password": user.test_password, "csrf_token": stamp},
    )
    assert response.status_code == 400
