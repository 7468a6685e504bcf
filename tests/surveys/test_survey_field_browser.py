"""The survey in the field, in Debian's Chromium (docs/domain.md#drafts,
docs/decisions.md#answers-in-the-browser): saved and resumed in a fresh browser, in Spanish;
answers that survive a reload and a lost connection, stored once; saving and resuming with
JavaScript off; the sections and "Section N of 5"; axe finds nothing on the new states."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import func, select

from crm.core.extensions import db
from crm.drafts.models import SurveyDraft
from tests.surveys.test_survey_browser import (
    SPANISH,
    assert_no_axe_violations,
    fill_survey,
    responses_from,
)

pytestmark = pytest.mark.browser

SAVE = "Guardar y continuar más tarde"
SAVED = "Sus respuestas están guardadas"
OFFLINE = "No se pudieron enviar sus respuestas: se perdió la conexión."
RESTORED = "Recuperamos las respuestas que escribió antes en este dispositivo."
START_AGAIN = "Empezar de nuevo con el formulario vacío"


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A browser with JavaScript on."""
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def new_page(browser: Browser, *, javascript: bool = True) -> Page:
    """A page in a browser context of its own: a fresh browser, no storage, no cookie."""
    return browser.new_context(java_script_enabled=javascript).new_page()


def drafts_of(live_server, email: str) -> int:
    with live_server.app.app_context():
        count = db.session.scalar(
            select(func.count())
            .select_from(SurveyDraft)
            .where(SurveyDraft.email_key == email.lower())
        )
        db.session.remove()
        return count


def fill_half(page: Page, email: str) -> None:
    """About half the survey, as a respondent leaving for a meeting would."""
    page.get_by_label(SPANISH["name"], exact=True).fill("Lucía Gómez")
    page.get_by_label(SPANISH["email"], exact=True).fill(email)
    page.get_by_label(SPANISH["practice"], exact=True).fill("Centro Oncológico del Sur")
    page.get_by_label(SPANISH["country"], exact=True).select_option(label="Colombia")
    page.get_by_label(SPANISH["city"], exact=True).fill("Medellín")
    page.get_by_label(SPANISH["asco_members"]).fill("1.500")
    legend, answer = SPANISH["interest"]
    page.get_by_role("group", name=legend.format(program="QOPI")).get_by_label(answer).check()
    formats = page.get_by_role("group", name="¿Qué formatos de QTP le convendrían a su equipo?")
    formats.get_by_label("El curso de un día").check()


def expect_half(page: Page, email: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_label(SPANISH["name"], exact=True)).to_have_value("Lucía Gómez")
    expect(page.get_by_label(SPANISH["email"], exact=True)).to_have_value(email)
    expect(page.get_by_label(SPANISH["practice"], exact=True)).to_have_value(
        "Centro Oncológico del Sur"
    )
    expect(page.get_by_label(SPANISH["country"], exact=True)).to_have_value("CO")
    expect(page.get_by_label(SPANISH["city"], exact=True)).to_have_value("Medellín")
    expect(page.get_by_label(SPANISH["asco_members"])).to_have_value("1.500")
    legend, answer = SPANISH["interest"]
    group = page.get_by_role("group", name=legend.format(program="QOPI"))
    expect(group.get_by_label(answer)).to_be_checked()
    expect(page.get_by_label("El curso de un día")).to_be_checked()


def save_and_read_link(page: Page) -> str:
    page.get_by_role("button", name=SAVE).click()
    expect(page.get_by_role("heading", name=SAVED)).to_be_visible()
    return page.locator(".draft-link a").get_attribute("href")


def finish_and_send(page: Page, email: str) -> None:
    """Answer what ``fill_half`` left, then send."""
    fill_survey(page, SPANISH, email=email, country="Colombia")
    page.get_by_role("button", name=SPANISH["send"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SPANISH["thanks"])


def test_saved_then_resumed_in_a_fresh_browser_in_spanish_then_sent_once(live_server, browser):
    email = f"{uuid.uuid4().hex[:8]}@centro.example"
    first = new_page(browser)
    first.goto(f"{live_server.url}/es/survey")
    fill_half(first, email)
    link = save_and_read_link(first)
    assert re.fullmatch(rf"{re.escape(live_server.url)}/es/survey/resume/[\w-]{{43}}", link)
    first.context.close()

    later = new_page(browser)  # another device: nothing in its storage
    later.goto(link)
    expect(later.get_by_text("Hola de nuevo")).to_be_visible()
    expect(later.get_by_role("status").filter(has_text=RESTORED)).to_be_hidden()
    expect_half(later, email)
    finish_and_send(later, email)
    assert responses_from(live_server, email) == 1
    assert drafts_of(live_server, email) == 0
    later.goto(link)
    expect(later.get_by_role("heading", level=1)).to_have_text(
        "Este enlace a respuestas guardadas no funciona"
    )
    later.context.close()


def test_a_reload_mid_way_brings_the_answers_back_and_start_again_clears_them(live_server, page):
    email = f"{uuid.uuid4().hex[:8]}@centro.example"
    page.goto(f"{live_server.url}/es/survey")
    fill_half(page, email)
    page.reload()
    expect(page.get_by_text(RESTORED)).to_be_visible()
    expect_half(page, email)
    page.get_by_role("button", name=START_AGAIN).click()
    expect(page.get_by_label(SPANISH["name"], exact=True)).to_have_value("")
    expect(page.get_by_label("El curso de un día")).not_to_be_checked()
    page.reload()
    expect(page.get_by_text(RESTORED)).to_be_hidden()
    expect(page.get_by_label(SPANISH["name"], exact=True)).to_have_value("")


def test_answers_typed_are_forgotten_once_sent(live_server, page):
    email = f"{uuid.uuid4().hex[:8]}@centro.example"
    page.goto(f"{live_server.url}/es/survey")
    fill_survey(page, SPANISH, email=email, country="Colombia")
    page.get_by_role("button", name=SPANISH["send"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SPANISH["thanks"])
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('iqp-survey'))") == []
    page.goto(f"{live_server.url}/es/survey")
    expect(page.get_by_text(RESTORED)).to_be_hidden()


def test_a_send_with_the_network_cut_keeps_the_answers_and_stores_one_once_back(
    live_server, context, page
):
    email = f"{uuid.uuid4().hex[:8]}@centro.example"
    page.goto(f"{live_server.url}/es/survey")
    fill_survey(page, SPANISH, email=email, country="Colombia")
    context.set_offline(True)
    page.get_by_role("button", name=SPANISH["send"]).click()
    expect(page.get_by_role("alert").filter(has_text=OFFLINE)).to_be_visible()
    expect(page.get_by_label(SPANISH["name"], exact=True)).to_have_value("Lucía Gómez")
    page.get_by_role("button", name=SPANISH["send"]).click()  # pressed again while offline
    assert responses_from(live_server, email) == 0
    context.set_offline(False)
    expect(page.get_by_role("heading", level=1)).to_have_text(SPANISH["thanks"], timeout=20_000)
    assert responses_from(live_server, email) == 1


def test_a_send_whose_answer_is_lost_is_sent_again_and_stored_once(live_server, page):
    """The connection drops after the server stored the answers: the page cannot tell, keeps
    them, sends again with the same one-time token, and the server stores nothing twice."""
    email = f"{uuid.uuid4().hex[:8]}@centro.example"
    lost = []

    def lose_the_first_answer(route):
        if route.request.method == "POST" and not lost:
            route.fetch(max_redirects=0)  # reaches the server, which stores the answers
            lost.append(True)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/es/survey", lose_the_first_answer)
    page.goto(f"{live_server.url}/es/survey")
    fill_survey(page, SPANISH, email=email, country="Colombia")
    page.get_by_role("button", name=SPANISH["send"]).click()
    expect(page.get_by_role("alert").filter(has_text=OFFLINE)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(SPANISH["thanks"], timeout=25_000)
    assert lost == [True]
    assert responses_from(live_server, email) == 1


def test_without_javascript_save_and_resume_work(live_server, browser):
    email = f"{uuid.uuid4().hex[:8]}@centro.example"
    first = new_page(browser, javascript=False)
    first.goto(f"{live_server.url}/es/survey")
    fill_half(first, email)
    link = save_and_read_link(first)
    expect_half(first, email)  # the page after a save keeps everything
    first.context.close()
    later = new_page(browser, javascript=False)
    later.goto(link)
    expect_half(later, email)
    finish_and_send(later, email)
    assert responses_from(live_server, email) == 1
    later.context.close()


def test_the_sections_are_links_and_the_progress_follows_the_reader(live_server, page):
    page.goto(f"{live_server.url}/es/survey")
    sections = page.get_by_role("navigation", name="Secciones de la encuesta")
    expect(sections.get_by_role("link")).to_have_count(5)
    progress = page.locator("#survey-progress")
    expect(progress).to_have_text("Sección 1 de 5")
    sections.get_by_role("link", name="3. Su interés en los programas").click()
    expect(page.locator("#section-programs")).to_be_focused()
    expect(progress).to_have_text("Sección 3 de 5")
    expect(sections.get_by_role("link", name="3. Su interés en los programas")).to_have_attribute(
        "aria-current", "step"
    )
    page.keyboard.press("Tab")  # the keyboard goes on from the section reached
    reached = "document.activeElement.closest('section').querySelector('h2').id"
    assert page.evaluate(reached) == "section-programs"


def test_without_javascript_the_section_links_work(live_server, browser):
    page = new_page(browser, javascript=False)
    page.goto(f"{live_server.url}/es/survey")
    expect(page.locator("#survey-progress")).to_be_hidden()
    expect(page.get_by_text("Sección 2 de 5")).to_be_visible()
    page.get_by_role("link", name="2. Su centro").click()
    expect(page).to_have_url(re.compile(r"#section-practice$"))
    expect(page.locator("#section-practice")).to_be_focused()
    page.context.close()


def test_axe_finds_nothing_on_the_saved_restored_and_offline_pages(live_server, context, page):
    email = f"{uuid.uuid4().hex[:8]}@centro.example"
    page.goto(f"{live_server.url}/es/survey")
    fill_half(page, email)
    link = save_and_read_link(page)
    assert_no_axe_violations(page)
    page.goto(link)
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}/es/survey")
    page.get_by_label(SPANISH["city"], exact=True).fill("Cali")
    page.reload()
    expect(page.get_by_text(RESTORED)).to_be_visible()
    assert_no_axe_violations(page)
    context.set_offline(True)
    page.get_by_role("button", name=SPANISH["send"]).click()
    expect(page.get_by_role("alert").filter(has_text=OFFLINE)).to_be_visible()
    assert_no_axe_violations(page)
    context.set_offline(False)
