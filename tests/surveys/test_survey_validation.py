"""Every bad input gets its clear error in the page's language, keeps what was typed, and
stores nothing (one test per bad input)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale, gettext
from freezegun import freeze_time
from itsdangerous import URLSafeTimedSerializer

from surveys.fields import bounds_message, whole_number_message
from surveys.forms import CSRF_EXPIRED, STAMP_SALT, TOKEN_INVALID
from tests.surveys.support import error_of, stored_responses, valid_form


def in_language(locale: str, message, **variables) -> str:
    """``message`` (a msgid, a lazy string or a callable) as a page in ``locale`` shows it."""
    with force_locale(locale):
        if callable(message):
            return message()
        if isinstance(message, str):
            return gettext(message, **variables)
        return str(message)


def csrf_token_of(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


REQUIRED = [
    ("name", "Enter your name.", {}),
    ("email", "Enter your email address.", {}),
    ("preferred_language", "Choose a language.", {}),
    ("practice_name", "Enter the name of your practice.", {}),
    ("country", "Choose the country where your practice is.", {}),
    ("practice_type", "Choose the type of practice.", {}),
    (
        "outpatient_hem_onc",
        "Choose whether your practice provides outpatient hematology-oncology care.",
        {},
    ),
    (
        "asco_members_count",
        "Enter the number of active ASCO members at your practice (0 if none).",
        {},
    ),
    (
        "interest_qopi",
        "Choose how interested your practice is in %(program)s.",
        {"program": "QOPI"},
    ),
    ("interest_qcp", "Choose how interested your practice is in %(program)s.", {"program": "QCP"}),
    ("interest_qtp", "Choose how interested your practice is in %(program)s.", {"program": "QTP"}),
    ("reads_english", "Choose whether your staff can read the QOPI measures in English.", {}),
    ("consent", "To send the survey, please accept the privacy notice.", {}),
]


@pytest.mark.parametrize(("field", "message", "variables"), REQUIRED, ids=[r[0] for r in REQUIRED])
def test_each_required_answer_missing_is_shown_next_to_its_question(
    post_survey, field, message, variables
):
    response = post_survey("es", **{field: None})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_of(html, field) == in_language("es", message, **variables)
    assert stored_responses() == 0


def test_a_missing_answer_keeps_everything_typed(post_survey):
    html = post_survey("es", name=None).get_data(as_text=True)
    assert 'value="Clínica São José"' in html
    assert '<option selected value="BR">' in html
    assert 'checked id="interest_qopi-0"' in html
    assert "Gostaríamos de participar.</textarea>" in html


def test_errors_are_summarized_at_the_top_with_links_to_their_questions(post_survey):
    html = post_survey("pt", name=None, interest_qcp=None).get_data(as_text=True)
    summary = html[
        html.index('class="error-summary"') : html.index("</div>", html.index("error-summary"))
    ]
    assert 'href="#name"' in summary
    assert 'href="#interest_qcp-0"' in summary
    assert 'aria-describedby="name-error"' in html
    assert 'aria-invalid="true"' in html


def test_a_name_of_only_spaces_counts_as_missing(post_survey):
    html = post_survey("en", name="   ").get_data(as_text=True)
    assert error_of(html, "name") == "Enter your name."
    assert stored_responses() == 0


NO_LETTERS = [
    ("practice_name", "---", "The name of your practice needs at least one letter or digit."),
    ("practice_name", " . / – ", "The name of your practice needs at least one letter or digit."),
    (
        "practice_name",
        "\u0301\u0301",
        "The name of your practice needs at least one letter or digit.",
    ),
    ("name", "¿?", "Your name needs at least one letter or digit."),
]


@pytest.mark.parametrize(("field", "value", "message"), NO_LETTERS)
def test_a_name_of_punctuation_only_gets_its_error_next_to_the_field(
    post_survey, field, value, message
):
    # Its matching key would be "": every practice so named in a country would be one.
    response = post_survey("es", **{field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_of(html, field) == in_language("es", message)
    assert stored_responses() == 0


@pytest.mark.parametrize("value", ["3M", "C.O.I.", "東京がんクリニック", "١٢٣"])
def test_a_practice_name_with_one_letter_or_digit_is_accepted(post_survey, value):
    response = post_survey("en", practice_name=value)
    assert response.status_code == 303
    assert stored_responses() == 1


EMAIL_FORMAT = "Enter an email address in the form name@example.com."
BAD_VALUES = [
    ("email", "ana@", EMAIL_FORMAT),
    ("email", "ana at clinica.example", EMAIL_FORMAT),
    ("asco_members_count", "-1", lambda: bounds_message(0, 10_000)),
    ("oncologists_count", "10001", lambda: bounds_message(0, 10_000)),
    ("new_patients_per_year", "99999999999999999999", lambda: bounds_message(0, 10_000_000)),
    ("new_patients_per_year", "9" * 5000, lambda: bounds_message(0, 10_000_000)),
    ("asco_members_count", "two", whole_number_message),
    ("asco_members_count", "2,5", whole_number_message),
    ("asco_members_count", "2.5", whole_number_message),
    ("name", "x" * 10_240, lambda: gettext("Use no more than %(max)d characters.", max=200)),
    ("city", "x" * 10_240, lambda: gettext("Use no more than %(max)d characters.", max=200)),
    ("comments", "x" * 5_001, lambda: gettext("Use no more than %(max)d characters.", max=5000)),
]


@pytest.mark.parametrize(
    ("field", "value", "message"), BAD_VALUES, ids=[f"{r[0]}-{r[1][:12]}" for r in BAD_VALUES]
)
def test_a_bad_value_gets_its_error_and_is_kept_for_correction(post_survey, field, value, message):
    response = post_survey("pt", **{field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_of(html, field) == in_language("pt_BR", message)
    assert value[:200] in html
    assert stored_responses() == 0


def test_numbers_are_formatted_for_the_page_language_in_errors(post_survey):
    html = post_survey("es", new_patients_per_year="-5").get_data(as_text=True)
    assert "10.000.000" in error_of(html, "new_patients_per_year")


TAMPERED = [
    ("country", "ZZ", "Choose a country from the list."),
    ("country", "br", "Choose a country from the list."),
    ("interest_qopi", "extremely", "Choose one of the options shown."),
    ("practice_type", "hospital", "Choose one of the options shown."),
    ("preferred_language", "fr", "Choose one of the options shown."),
    ("qtp_formats", ["one_day", "weekend"], "Choose one of the options shown."),
    ("licensing", ["everything"], "Choose one of the options shown."),
]


@pytest.mark.parametrize(
    ("field", "value", "message"), TAMPERED, ids=[f"{r[0]}-{r[1]}" for r in TAMPERED]
)
def test_a_choice_not_offered_is_a_bad_request_with_its_error(post_survey, field, value, message):
    response = post_survey("es", **{field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error_of(html, field) == in_language("es", message)
    assert 'value="Ana Pérez"' in html
    assert stored_responses() == 0


@pytest.mark.parametrize("token", [None, "", "short", "x" * 65, "<script>alert(1)</script>"])
def test_a_missing_or_malformed_submission_token_is_replaced_and_nothing_stored(post_survey, token):
    response = post_survey("en", submission_token=token)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert in_language("en", TOKEN_INVALID) in html
    fresh = re.search(r'name="submission_token" type="hidden" value="([^"]*)"', html).group(1)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", fresh)
    assert stored_responses() == 0


def test_the_honeypot_filled_stores_nothing_and_shows_a_neutral_page(post_survey):
    response = post_survey("es", website="https://spam.example")
    assert response.status_code == 200
    assert in_language("es", "Your answers were not sent") in response.get_data(as_text=True)
    assert stored_responses() == 0


def test_a_json_post_is_a_bad_request_page_in_the_language(client):
    response = client.post("/es/survey", json=valid_form())
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<html lang="es">' in html
    assert in_language("es", "Bad request") in html
    assert stored_responses() == 0


def test_a_plain_text_post_is_a_bad_request(client):
    response = client.post("/pt/survey", data="name=Ana", content_type="text/plain")
    assert response.status_code == 400
    assert stored_responses() == 0


TOO_LARGE = "The form you sent was too large. Please shorten your longest answers and try again."


@pytest.mark.parametrize("path", ["/pt/survey", "/pt/survey/language"])
def test_an_oversized_body_is_a_bad_request_in_the_language_never_413_or_500(client, path):
    response = client.post(path, data=valid_form(comments="x" * 150_000))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<html lang="pt-BR">' in html
    assert in_language("pt_BR", "Bad request") in html
    assert in_language("pt_BR", TOO_LARGE) in html
    assert stored_responses() == 0


def test_an_oversized_multipart_body_is_a_bad_request_too(client):
    data = {**valid_form(), "comments": "x" * 150_000}
    response = client.post("/es/survey", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert in_language("es", TOO_LARGE) in response.get_data(as_text=True)
    assert stored_responses() == 0


def test_an_unknown_language_segment_is_404(client):
    assert client.get("/fr/survey").status_code == 404


def test_another_method_is_405_not_500(client):
    assert client.put("/es/survey", data=valid_form()).status_code == 405


@pytest.mark.csrf
def test_a_missing_csrf_token_keeps_every_answer_with_a_clear_message(client):
    client.get("/es/survey")
    response = client.post("/es/survey", data=valid_form())
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert in_language("es", CSRF_EXPIRED) in html
    assert 'value="Ana Pérez"' in html
    assert stored_responses() == 0


@pytest.mark.csrf
def test_a_stamp_signed_by_another_secret_is_refused(app, client):
    """The survey's CSRF token is a stamp signed with the app's secret
    (docs/decisions.md#survey-stamp): one from another deployment is refused."""
    forged = URLSafeTimedSerializer("another secret", salt=STAMP_SALT).dumps(1)
    response = client.post("/en/survey", data=valid_form(csrf_token=forged))
    assert response.status_code == 400
    assert in_language("en", CSRF_EXPIRED) in response.get_data(as_text=True)
    assert stored_responses() == 0


@pytest.mark.csrf
def test_an_expired_stamp_keeps_the_answers_and_the_next_send_works(app, client):
    token = csrf_token_of(client.get("/pt/survey").get_data(as_text=True))
    fields = valid_form(csrf_token=token)
    days = app.config["SURVEY_DRAFT_DAYS"]
    with freeze_time(datetime.now() + timedelta(days=days, hours=1)):
        response = client.post("/pt/survey", data=fields)
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert 'value="Ana Pérez"' in html
        assert stored_responses() == 0
        again = client.post("/pt/survey", data={**fields, "csrf_token": csrf_token_of(html)})
    assert again.status_code == 303
    assert stored_responses() == 1


@pytest.mark.csrf
def test_the_same_form_sent_twice_stores_one_response_and_shows_the_same_thanks(client):
    token = csrf_token_of(client.get("/es/survey").get_data(as_text=True))
    fields = valid_form(csrf_token=token)
    first = client.post("/es/survey", data=fields)
    second = client.post("/es/survey", data=fields)
    assert (first.status_code, second.status_code) == (303, 303)
    assert first.headers["Location"] == second.headers["Location"]
    assert stored_responses() == 1


@pytest.mark.ratelimit
def test_the_rate_limit_shows_a_friendly_page_with_the_answers_kept(app, client):
    app.config["SURVEY_SUBMIT_RATE_LIMIT"] = "2 per hour"
    for _attempt in range(2):
        assert client.post("/es/survey", data=valid_form(consent=None)).status_code == 200
    response = client.post("/es/survey", data=valid_form())
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert in_language("es", "Please wait a few minutes") in html
    assert 'value="Ana Pérez"' in html
    assert stored_responses() == 0


@pytest.mark.ratelimit
def test_the_rate_limit_counts_submits_only(app, client):
    app.config["SURVEY_SUBMIT_RATE_LIMIT"] = "1 per hour"
    client.post("/es/survey", data=valid_form(consent=None))
    assert client.get("/es/survey").status_code == 200
    assert client.post("/pt/survey/language", data=valid_form()).status_code == 200
