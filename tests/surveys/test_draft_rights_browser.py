"""A draft saved in Debian's Chromium and the person's rights (docs/domain.md#drafts): staff never
see it on their screens; a data-subject request finds and erases it, after which its link opens
nothing; the daily retention job, run with time frozen past ``SURVEY_DRAFT_DAYS``, deletes it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from freezegun import freeze_time
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from crm.core.columns import utcnow
from crm.core.jobs import run_daily_jobs
from crm.drafts.models import SurveyDraft
from tests.surveys.test_survey_field_browser import fill_half, new_page, save_and_read_link

pytestmark = [pytest.mark.browser, pytest.mark.csrf]

GONE = "Este enlace a respuestas guardadas no funciona"


def drafts_of(db, email: str) -> int:
    count = db.session.scalar(
        select(func.count()).select_from(SurveyDraft).where(SurveyDraft.email_key == email)
    )
    db.session.close()  # end the read: the server thread writes next
    return count


def saved_in_the_browser(browser: Browser, server: str) -> tuple[str, str]:
    """A respondent types half the survey in Spanish and saves it; its email and resume link."""
    email = f"{uuid.uuid4().hex[:8]}@centro.example"
    page = new_page(browser)
    page.goto(f"{server}/es/survey")
    fill_half(page, email)
    link = save_and_read_link(page)
    page.context.close()
    return email, link


def staff_page(browser: Browser, server: str, email: str, password: str) -> Page:
    """A staff member logged in through the login form, in a browser of their own."""
    page = new_page(browser)
    page.goto(f"{server}/staff/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click(".staff-form button[type=submit]")
    page.wait_for_url("**/staff/**")
    return page


def expect_link_gone(browser: Browser, link: str) -> None:
    page = new_page(browser)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(GONE)
    expect(page.locator("body")).not_to_contain_text("Centro Oncológico del Sur")
    assert "Lucía" not in page.content()
    page.context.close()


def test_a_data_subject_request_finds_and_erases_a_draft_no_staff_screen_shows(
    app_server, browser, create_user, db
):
    admin = create_user("admin")
    login = (admin.email, admin.test_password)
    db.session.close()
    email, link = saved_in_the_browser(browser, app_server)
    assert drafts_of(db, email) == 1

    staff = staff_page(browser, app_server, *login)
    for path in ("/staff/responses", "/staff/practices", "/staff/contacts", "/staff/search"):
        staff.goto(f"{app_server}{path}?q=Lucía")
        expect(staff.locator("main")).not_to_contain_text("Centro Oncológico del Sur")
        expect(staff.locator("main")).not_to_contain_text(email)

    staff.goto(f"{app_server}/staff/privacy-requests/")
    staff.get_by_label("Email").first.fill(email)
    staff.get_by_role("button", name="Find").click()
    drafts = staff.get_by_role("heading", name="Saved survey drafts")
    expect(drafts).to_be_visible()
    rows = staff.locator("h3:has-text('Saved survey drafts') + p + .table-wrap tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").nth(1)).to_have_text("es")
    staff.get_by_label("Type the email address again to confirm").fill(email)
    staff.get_by_role("button", name="Erase this person's data").click()
    expect(staff.get_by_text("1 saved survey draft deleted.")).to_be_visible()
    staff.context.close()

    assert drafts_of(db, email) == 0
    expect_link_gone(browser, link)


def test_the_retention_job_deletes_a_draft_past_its_day(app, app_server, browser, db):
    email, link = saved_in_the_browser(browser, app_server)
    days = app.config["SURVEY_DRAFT_DAYS"]
    with freeze_time(utcnow() + timedelta(days=days) - timedelta(minutes=1)):
        run_daily_jobs()
    assert drafts_of(db, email) == 1  # a minute before its day: kept
    with freeze_time(utcnow() + timedelta(days=days, minutes=1)):
        run_daily_jobs()
    assert drafts_of(db, email) == 0
    expect_link_gone(browser, link)
