"""The survey in a real browser (Debian's Chromium through Playwright), as a respondent uses it:
by visible labels, in Spanish and Portuguese, with JavaScript off; and axe-core finds no
accessibility violation on the form, the form with errors and the thank-you page."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from crm.core.extensions import db
from crm.responses.models import SurveyResponse

pytestmark = pytest.mark.browser

#: What a respondent reads and clicks, in each language.
ENGLISH = {
    "lang": "en",
    "name": "Your full name",
    "email": "Email address",
    "practice": "Name of your practice or institution",
    "country": "Country",
    "city": "City (optional)",
    "practice_type": ("What type of practice is it?", "Private practice"),
    "hem_onc": ("Does your practice provide outpatient hematology-oncology care?", "Yes"),
    "asco_members": "How many people at your practice are active ASCO members?",
    "interest": ("How interested is your practice in {program}?", "Very interested"),
    "reads_english": ("Can the staff who would enter QOPI data", "Yes"),
    "consent": "I have read the privacy notice",
    "contact": "You may contact me",
    "send": "Send my answers",
    "thanks": "Thank you, we have received your answers",
    "errors": "Please check your answers",
    "name_missing": "Enter your name.",
}
SPANISH = {
    "lang": "es",
    "name": "Nombre y apellido",
    "email": "Correo electrónico",
    "practice": "Nombre de su centro o institución",
    "country": "País",
    "city": "Ciudad (opcional)",
    "practice_type": ("¿Qué tipo de centro es?", "Consultorio privado"),
    "hem_onc": ("¿Su centro presta atención ambulatoria de hematología y oncología?", "Sí"),
    "asco_members": "¿Cuántas personas de su centro son miembros activos de ASCO?",
    "interest": ("¿Qué tan interesado está su centro en {program}?", "Muy interesado"),
    "reads_english": ("¿El personal que ingresaría los datos de QOPI", "Sí"),
    "consent": "He leído el aviso de privacidad",
    "contact": "Pueden contactarme",
    "send": "Enviar mis respuestas",
    "thanks": "Gracias, recibimos sus respuestas",
    "errors": "Revise sus respuestas",
    "name_missing": "Escriba su nombre.",
}
PORTUGUESE = {
    "lang": "pt",
    "name": "Nome completo",
    "email": "E-mail",
    "practice": "Nome do seu serviço ou instituição",
    "country": "País",
    "city": "Cidade (opcional)",
    "practice_type": ("Que tipo de serviço é?", "Hospital público"),
    "hem_onc": ("Seu serviço oferece atendimento ambulatorial em hematologia e oncologia?", "Sim"),
    "asco_members": "Quantas pessoas do seu serviço são membros ativos da ASCO?",
    "interest": ("Quão interessado o seu serviço está no {program}?", "Muito interessado"),
    "reads_english": ("A equipe que faria a entrada de dados do QOPI", "Sim"),
    "consent": "Li o aviso de privacidade",
    "contact": "Vocês podem entrar em contato comigo",
    "send": "Enviar minhas respostas",
    "thanks": "Obrigado! Recebemos suas respostas",
    "errors": "Confira suas respostas",
    "name_missing": "Digite seu nome.",
}


@pytest.fixture
def page_without_js(browser: Browser) -> Iterator[Page]:
    """A page whose JavaScript is off: the survey must work entirely without it."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_with_js(browser: Browser) -> Iterator[Page]:
    """A page with JavaScript on, which axe-core needs to run."""
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def responses_from(live_server, email: str) -> int:
    with live_server.app.app_context():
        count = db.session.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(func.json_extract(SurveyResponse.answers, "$.email") == email)
        )
        db.session.remove()
        return count


def fill_survey(page: Page, words: dict, *, email: str, country: str) -> None:
    """Answer every required question the way a person does: by the labels on the screen."""
    page.get_by_label(words["name"], exact=True).fill("Lucía Gómez")
    page.get_by_label(words["email"], exact=True).fill(email)
    page.get_by_label(words["practice"], exact=True).fill("Centro Oncológico del Sur")
    page.get_by_label(words["country"], exact=True).select_option(label=country)
    page.get_by_label(words["city"], exact=True).fill("Medellín")
    for question in ("practice_type", "hem_onc", "reads_english"):
        legend, answer = words[question]
        page.get_by_role("group", name=legend).get_by_label(answer, exact=True).check()
    page.get_by_label(words["asco_members"]).fill("1")
    legend, answer = words["interest"]
    for program in ("QOPI", "QCP", "QTP"):
        group = page.get_by_role("group", name=legend.format(program=program))
        group.get_by_label(answer, exact=True).check()
    page.get_by_label(words["consent"]).check()
    page.get_by_label(words["contact"]).check()


@pytest.mark.parametrize(
    ("words", "country", "available"),
    [
        (SPANISH, "Colombia", "QOPI todavía no está disponible en su país."),
        (PORTUGUESE, "Brasil", "O QOPI já está disponível no seu país."),
    ],
    ids=["es", "pt"],
)
def test_a_respondent_fills_and_sends_the_survey_without_javascript(
    live_server, page_without_js, words, country, available
):
    page = page_without_js
    email = f"{uuid.uuid4().hex[:8]}@centro.example"
    page.goto(f"{live_server.url}/{words['lang']}/survey")
    fill_survey(page, words, email=email, country=country)
    page.get_by_role("button", name=words["send"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["thanks"])
    expect(page.get_by_text(available)).to_be_visible()
    expect(page.get_by_role("heading", level=2).first).to_contain_text(country)
    assert responses_from(live_server, email) == 1


@pytest.mark.parametrize("words", [SPANISH, PORTUGUESE], ids=["es", "pt"])
def test_errors_are_shown_in_the_language_next_to_their_questions(
    live_server, page_without_js, words
):
    page = page_without_js
    page.goto(f"{live_server.url}/{words['lang']}/survey")
    page.get_by_label(words["practice"], exact=True).fill("Centro Oncológico del Sur")
    page.get_by_role("button", name=words["send"]).click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text(words["errors"])
    expect(summary.get_by_role("link", name=words["name_missing"])).to_be_visible()
    name = page.get_by_label(words["name"], exact=True)
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description(re.compile(re.escape(words["name_missing"])))
    expect(page.get_by_label(words["practice"], exact=True)).to_have_value(
        "Centro Oncológico del Sur"
    )


def test_a_double_click_on_send_stores_one_response(live_server, page_without_js):
    page = page_without_js
    email = f"{uuid.uuid4().hex[:8]}@centro.example"
    page.goto(f"{live_server.url}/es/survey")
    fill_survey(page, SPANISH, email=email, country="Perú")
    page.get_by_role("button", name=SPANISH["send"]).dblclick()
    expect(page.get_by_role("heading", level=1)).to_have_text(SPANISH["thanks"])
    assert responses_from(live_server, email) == 1


def test_a_network_retry_of_the_same_submit_stores_one_response(live_server, page_without_js):
    page = page_without_js
    email = f"{uuid.uuid4().hex[:8]}@centro.example"

    def send_twice(route):
        route.fetch(max_redirects=0)  # the first answer is lost on the way back
        route.fulfill(response=route.fetch(max_redirects=0))

    page.route(
        "**/pt/survey",
        lambda route: send_twice(route) if route.request.method == "POST" else route.continue_(),
    )
    page.goto(f"{live_server.url}/pt/survey")
    fill_survey(page, PORTUGUESE, email=email, country="Brasil")
    page.get_by_role("button", name=PORTUGUESE["send"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PORTUGUESE["thanks"])
    assert responses_from(live_server, email) == 1


def test_going_back_and_sending_again_stores_nothing_more(live_server, page_without_js):
    """Playwright's Chromium has no back/forward cache, so Back re-fetches a blank form (a
    browser that restores the filled page resends its one-time token: the retry case)."""
    page = page_without_js
    email = f"{uuid.uuid4().hex[:8]}@centro.example"
    page.goto(f"{live_server.url}/pt/survey")
    fill_survey(page, PORTUGUESE, email=email, country="Brasil")
    page.get_by_role("button", name=PORTUGUESE["send"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PORTUGUESE["thanks"])
    page.go_back()
    page.get_by_role("button", name=PORTUGUESE["send"]).click()
    expect(page.get_by_role("alert").get_by_role("heading")).to_have_text(PORTUGUESE["errors"])
    assert responses_from(live_server, email) == 1


def test_pressing_enter_sends_the_form_rather_than_switching_language(live_server, page_without_js):
    page = page_without_js
    page.goto(f"{live_server.url}/es/survey")
    page.get_by_label(SPANISH["name"], exact=True).fill("Lucía Gómez")
    page.get_by_label(SPANISH["name"], exact=True).press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("alert").get_by_role("heading")).to_have_text(SPANISH["errors"])


def test_switching_language_keeps_what_was_typed(live_server, page_without_js):
    page = page_without_js
    page.goto(f"{live_server.url}/es/survey")
    page.get_by_label(SPANISH["name"], exact=True).fill("Lucía Gómez")
    page.get_by_label(SPANISH["country"], exact=True).select_option(label="Colombia")
    page.get_by_role("button", name="Português").click()
    expect(page.locator("html")).to_have_attribute("lang", "pt-BR")
    expect(page.get_by_label(PORTUGUESE["name"], exact=True)).to_have_value("Lucía Gómez")
    expect(page.get_by_label(PORTUGUESE["country"], exact=True)).to_have_value("CO")
    expect(page.get_by_role("alert")).to_have_count(0)


@pytest.mark.parametrize("lang", ["en", "es", "pt"])
def test_the_survey_fits_a_360_pixel_screen(live_server, browser, lang, tmp_path):
    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/survey")
    page.screenshot(path=str(tmp_path / f"survey-{lang}-360.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow <= 0


def assert_no_axe_violations(page: Page) -> None:
    results = Axe().run(page)
    violations = [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in results.response["violations"]
    ]
    assert violations == [], json.dumps(violations, indent=1)


WORDS = {"en": ENGLISH, "es": SPANISH, "pt": PORTUGUESE}


@pytest.mark.parametrize("lang", ["en", "es", "pt"])
def test_axe_finds_no_violation_on_the_empty_form(live_server, page_with_js, lang):
    page = page_with_js
    page.goto(f"{live_server.url}/{lang}/survey")
    assert_no_axe_violations(page)


@pytest.mark.parametrize("lang", ["en", "es", "pt"])
def test_axe_finds_no_violation_on_the_form_with_errors(live_server, page_with_js, lang):
    page = page_with_js
    page.goto(f"{live_server.url}/{lang}/survey")
    page.get_by_role("button", name=WORDS[lang]["send"]).click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)


@pytest.mark.parametrize("lang", ["en", "es", "pt"])
def test_axe_finds_no_violation_on_the_thank_you_page(live_server, page_with_js, lang):
    page = page_with_js
    page.goto(f"{live_server.url}/{lang}/survey")
    fill_survey(page, WORDS[lang], email=f"{uuid.uuid4().hex[:8]}@a.example", country="Chile")
    page.get_by_role("button", name=WORDS[lang]["send"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(WORDS[lang]["thanks"])
    assert_no_axe_violations(page)
