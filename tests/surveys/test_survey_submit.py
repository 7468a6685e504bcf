"""A valid survey is stored once, filed under its practice, and thanked in the respondent's
language with what is available in their country
(``docs/domain.md#survey``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from crm.countries.models import Availability
from crm.responses.models import Contact, Practice, SurveyResponse
from surveys.operations import survey_answers
from tests.surveys.support import stored_responses, valid_form


def in_language(locale: str, message: str, **variables) -> str:
    with force_locale(locale):
        return gettext(message, **variables)


def only_response(db) -> SurveyResponse:
    return db.session.scalars(select(SurveyResponse)).one()


def thanks_page(client, post_survey, lang: str = "pt", **overrides) -> str:
    response = post_survey(lang, **overrides)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_valid_survey_redirects_to_its_thank_you_page(post_survey):
    response = post_survey("pt", submission_token="T" * 32)
    assert response.status_code == 303
    assert response.headers["Location"] == "/pt/survey/thanks/" + "T" * 32


def test_the_response_records_language_versions_and_consent(app, db, post_survey):
    before = datetime.now(UTC)
    post_survey("pt")
    response = only_response(db)
    assert response.language == "pt_BR"
    assert response.questionnaire_version == "2026.1"
    assert response.privacy_notice_version == app.config["PRIVACY_NOTICE_VERSION"]
    assert before - timedelta(seconds=1) <= response.consent_at <= datetime.now(UTC)
    assert (response.source, response.permission_to_contact) == ("web", True)


def test_the_raw_answers_are_stored_with_the_questionnaire_keys(db, post_survey):
    post_survey("pt")
    assert only_response(db).answers == {
        "name": "Ana Pérez",
        "role": "Oncologista clínica",
        "email": "ana@clinica.example",
        "phone": "+55 81 5555 0100",
        "preferred_language": "pt_BR",
        "practice_name": "Clínica São José",
        "country": "BR",
        "city": "Recife",
        "practice_type": "private_practice",
        "outpatient_hem_onc": "yes",
        "oncologists_count": 4,
        "new_patients_per_year": 1200,
        "asco_members_count": 2,
        "ehr_use": "partial",
        "interest_qopi": "very",
        "interest_qcp": "somewhat",
        "interest_qtp": "not_very",
        "qtp_formats": ["six_month", "one_day"],
        "licensing": ["qtp_content"],
        "reads_english": "yes",
        "willing_to_sign_agreement": "yes",
        "willing_to_pay_qcp_fee": "unsure",
        "timeframe": "within_6_months",
        "comments": "Gostaríamos de participar.",
        "consent": True,
        "permission_to_contact": True,
    }


def test_intake_creates_the_practice_its_contact_and_one_interest_per_program(db, post_survey):
    post_survey("pt")
    response = only_response(db)
    practice = db.session.get(Practice, response.practice_id)
    assert (practice.name, practice.country_code, practice.city) == (
        "Clínica São José",
        "BR",
        "Recife",
    )
    assert {i.program_code: i.level for i in practice.interests} == {
        "QOPI": "very",
        "QCP": "somewhat",
        "QTP": "not_very",
    }
    contact = db.session.get(Contact, response.contact_id)
    assert (contact.name, contact.email, contact.preferred_language) == (
        "Ana Pérez",
        "ana@clinica.example",
        "pt_BR",
    )


def test_unanswered_optional_questions_are_left_out_of_the_answers():
    answers = survey_answers(
        {
            "name": "Ana",
            "role": "",
            "oncologists_count": None,
            "asco_members_count": 0,
            "qtp_formats": [],
            "licensing": ["quality_symposium", "qtp_content"],
            "consent": True,
            "permission_to_contact": False,
            "submission_token": "t" * 32,
            "website": "",
        }
    )
    assert answers == {
        "name": "Ana",
        "asco_members_count": 0,
        "licensing": ["qtp_content", "quality_symposium"],
        "consent": True,
        "permission_to_contact": False,
    }


def test_the_same_form_sent_twice_stores_one_response(post_survey):
    first = post_survey("es", submission_token="D" * 32)
    second = post_survey("es", submission_token="D" * 32, comments="network retry")
    assert first.headers["Location"] == second.headers["Location"]
    assert stored_responses() == 1


def test_a_second_response_from_the_same_practice_is_linked_to_it(db, post_survey):
    post_survey("pt")
    post_survey("pt", practice_name="clinica sao jose", email="joao@clinica.example")
    responses = db.session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)).all()
    assert [r.triage_status for r in responses] == ["new", "linked"]
    assert responses[0].practice_id == responses[1].practice_id


def test_a_likely_duplicate_is_stored_and_marked_for_staff(db, post_survey):
    post_survey("pt")
    post_survey("pt", practice_name="Clinica Sao Jose Oncologia", email="joao@outra.example")
    first, second = db.session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)).all()
    assert second.triage_status == "new"
    assert second.practice_id != first.practice_id
    assert second.suggested_practice_id == first.practice_id


def test_the_thank_you_page_tells_what_is_available_in_brazil_in_portuguese(client, post_survey):
    html = thanks_page(client, post_survey, "pt")
    assert '<html lang="pt-BR">' in html
    assert in_language("pt_BR", "%(country)s: what is available today", country="Brasil") in html
    assert in_language("pt_BR", "QOPI is available in your country.") in html
    assert in_language("pt_BR", "QCP is open for applications in your country.") in html


def test_the_thank_you_page_gives_next_steps_for_the_chosen_programs_only(client, post_survey):
    html = thanks_page(client, post_survey, "en", interest_qtp="not_at_all")
    next_steps = html[html.index('id="next-heading"') :]
    assert "Our team will contact you about joining QOPI" in next_steps
    assert "Our team will contact you about applying for QCP" in next_steps
    assert "QTP courses" not in next_steps


def test_where_qopi_is_not_open_interest_counts_toward_opening_it(client, post_survey):
    html = thanks_page(client, post_survey, "es", country="CO")
    assert in_language("es", "%(country)s: what is available today", country="Colombia") in html
    assert in_language("es", "QOPI is not yet available in your country.") in html
    assert in_language("es", "QCP is not yet open in your country.") in html
    assert (
        in_language(
            "es",
            "Your interest counts toward opening QOPI in your country. QOPI opens in a new "
            "country once a legal privacy review and an agreement for that country are "
            "complete and enough practices there are interested.",
        )
        in html
    )
    assert (
        in_language(
            "es",
            "QCP builds on QOPI, so it can open in your country only after QOPI does. "
            "Your interest counts toward both.",
        )
        in html
    )


def test_without_permission_to_contact_the_page_says_we_will_not_write(client, post_survey):
    html = thanks_page(client, post_survey, "en", permission_to_contact=None)
    assert "You did not give us permission to contact you" in html
    assert "Our team will contact you" not in html


def test_unmet_requirements_are_pointed_out(client, post_survey):
    html = thanks_page(client, post_survey, "en", asco_members_count="0", reads_english="no")
    assert html.count("at least one active ASCO member to take part") == 1
    assert "so someone at your practice needs to read the QOPI measures in English" in html


def test_not_interested_in_any_program_gets_a_thank_you_without_next_steps(client, post_survey):
    html = thanks_page(
        client,
        post_survey,
        "en",
        interest_qopi="not_at_all",
        interest_qcp="not_very",
        interest_qtp="not_at_all",
    )
    assert "You told us your practice is not interested in these programs for now." in html


def test_the_thank_you_page_shows_no_personal_data(client, post_survey):
    html = thanks_page(client, post_survey, "pt")
    for personal in ("Ana Pérez", "ana@clinica.example", "Clínica São José", "Recife", "5555"):
        assert personal not in html


def test_an_unknown_thank_you_token_is_404(client):
    assert client.get("/es/survey/thanks/" + "N" * 32).status_code == 404


@pytest.mark.parametrize(
    ("accept_language", "target"),
    [
        ("pt-PT", "/pt/survey"),
        ("pt-BR,pt;q=0.9", "/pt/survey"),
        ("es-419,en;q=0.5", "/es/survey"),
        ("fr-FR,es;q=0.8,en;q=0.5", "/es/survey"),
        ("de-DE", "/en/survey"),
        ("*", "/en/survey"),
        ("%%junk;;q=x", "/en/survey"),
    ],
)
@pytest.mark.parametrize("path", ["/", "/survey"])
def test_bare_paths_pick_the_language_from_accept_language(client, path, accept_language, target):
    response = client.get(path, headers={"Accept-Language": accept_language})
    assert response.status_code == 302
    assert response.headers["Location"] == target


@pytest.mark.parametrize(("lang", "html_lang"), [("en", "en"), ("es", "es"), ("pt", "pt-BR")])
def test_the_survey_page_declares_its_language(client, lang, html_lang):
    html = client.get(f"/{lang}/survey").get_data(as_text=True)
    assert f'<html lang="{html_lang}">' in html


#: Countries in the order a reader of each language expects them (ICU/CLDR collation): an
#: accented initial sorts with its letter, not after Z ("Áustria", "África do Sul", "Åland");
#: an accent inside a name weighs less than the letters after it ("Irán" after "Irak", but
#: "Irã" before "Iraque", "Países Bajos" before "Pakistán"). Fixed lists, not the app's own
#: sort key, so a wrong sort fails.
COUNTRY_ORDER = {
    "en": [
        "Afghanistan", "Åland Islands", "Albania", "Costa Rica", "Côte d’Ivoire", "Croatia",
        "Cuba", "Curaçao", "Cyprus", "Germany", "Qatar", "Réunion", "Romania", "San Marino",
        "São Tomé & Príncipe", "Saudi Arabia", "Tunisia", "Türkiye", "Turkmenistan", "Zimbabwe",
    ],
    "es": [
        "Afganistán", "Alemania", "Antártida", "Austria", "Baréin", "Bélgica", "Belice",
        "Costa Rica", "Côte d’Ivoire", "Croacia", "Egipto", "El Salvador",
        "Emiratos Árabes Unidos", "Eritrea", "Irak", "Irán", "Irlanda", "Líbano", "Liberia",
        "Níger", "Nigeria", "Omán", "Países Bajos", "Pakistán", "Panamá", "Sáhara Occidental",
        "Samoa", "Túnez", "Turkmenistán", "Zimbabue",
    ],
    "pt": [
        "Afeganistão", "África do Sul", "Albânia", "Alemanha", "Austrália", "Áustria",
        "Azerbaijão", "Iêmen", "Índia", "Indonésia", "Irã", "Iraque", "Micronésia",
        "Moçambique", "Moldávia", "Mônaco", "Mongólia", "Países Baixos", "Palau", "Zâmbia",
        "Zimbábue",
    ],
}  # fmt: skip


@pytest.mark.parametrize("lang", COUNTRY_ORDER)
def test_countries_are_named_and_sorted_in_the_page_language(client, lang):
    html = client.get(f"/{lang}/survey").get_data(as_text=True)
    select_html = html[html.index('<select autocomplete="country"') : html.index("</select>")]
    names = [
        unescape(name)
        for name in re.findall(r'<option value="[A-Z]{2}">([^<]+)</option>', select_html)
    ]
    assert len(names) >= 249
    expected = COUNTRY_ORDER[lang]
    assert [name for name in names if name in expected] == expected


@pytest.mark.parametrize("lang", ["en", "es", "pt"])
def test_the_address_a_language_switch_leaves_opens_the_survey(client, lang):
    # A bookmarked or shared /pt/survey/language?from=es was a 405 in English.
    response = client.get(f"/{lang}/survey/language?from=es")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/{lang}/survey")


def test_the_language_switch_keeps_the_answers_and_stores_nothing(client):
    fields = valid_form(name="Ana Pérez", submission_token="S" * 32)
    response = client.post("/es/survey/language", data={**fields, "switch_language": "es"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="es">' in html
    assert 'value="Ana Pérez"' in html
    assert '<option selected value="BR">' in html
    assert 'value="' + "S" * 32 + '"' in html
    assert 'class="error-summary"' not in html
    assert stored_responses() == 0


def header_of(html: str) -> str:
    return html[html.index('<header class="site-header">') : html.index("</header>")]


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/es/survey"), ("POST", "/es/survey"), ("POST", "/pt/survey/language")],
)
def test_the_survey_page_switches_language_only_through_the_form(client, method, path):
    # A header link would open the page afresh and drop every answer typed (after a switch it
    # would even GET a POST-only address): the form's own buttons are the only switch.
    data = valid_form(name=None) if method == "POST" else None
    html = client.open(path, method=method, data=data).get_data(as_text=True)
    header = header_of(html)
    assert 'class="language-switch"' not in header
    assert "/survey" not in header
    form = html[html.index('<form method="post"') : html.index("</form>")]
    current = {"es": "es", "pt": "pt_BR"}[path.split("/")[1]]
    others = {"en", "es", "pt_BR"} - {current}
    buttons = re.findall(r'<button type="submit"[^>]*name="switch_language" value="([^"]+)"', form)
    assert set(buttons) == others


@pytest.mark.parametrize("path", ["/es/privacy", "/es/availability"])
def test_other_public_pages_keep_the_header_language_links(client, path):
    header = header_of(client.get(path).get_data(as_text=True))
    assert 'class="language-switch"' in header
    assert 'hreflang="pt-BR"' in header


def test_the_survey_background_reads_availability_from_the_crm(db, client):
    availability = db.session.scalars(
        select(Availability).where(
            Availability.country_code == "CO", Availability.program_code == "QCP"
        )
    ).one()
    availability.status = "pilot"
    db.session.commit()
    html = client.get("/en/survey").get_data(as_text=True)
    qcp = html[html.index('id="program-QCP"') : html.index('id="program-QTP"')]
    assert "Colombia" in qcp


def test_the_survey_background_folds_the_eu_member_states_into_one_phrase(client):
    html = client.get("/en/survey").get_data(as_text=True)
    qopi = html[html.index('id="program-QOPI"') : html.index('id="program-QCP"')]
    assert "every member state of the European Union" in qopi
    assert "Austria" not in qopi
    assert "Argentina" in qopi


@pytest.mark.parametrize("lang", ["en", "es", "pt"])
def test_the_privacy_notice_is_available_in_each_language(app, client, lang):
    response = client.get(f"/{lang}/privacy")
    assert response.status_code == 200
    assert app.config["PRIVACY_NOTICE_VERSION"] in response.get_data(as_text=True)


def test_a_submit_queues_one_confirmation_in_the_survey_language(db, post_survey):
    from crm.outreach.models import OutboxMessage

    post_survey("pt", submission_token="E" * 32)
    post_survey("pt", submission_token="E" * 32)
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.kind == "confirmation"
    assert message.language == "pt_BR"
    assert "Recebemos suas respostas" in message.subject
