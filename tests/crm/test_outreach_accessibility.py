"""Outreach pages pass axe (WCAG 2.1 AA) in Chromium: the public availability pages in three
languages, the invitation links and unsubscribe page, and the staff outreach screens."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from werkzeug.serving import make_server

from crm.operations import pipeline
from crm.operations.alerts import run_alerts
from crm.queries import get_country_or_404
from tests.crm.outreach_helpers import invite, link_path, new_contact, unsubscribe_path
from tests.crm.test_staff_accessibility import CHROMIUM, log_in, violations

pytestmark = pytest.mark.browser


@pytest.fixture
def server_url(app):
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def browser_page(server_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield browser.new_page()
        browser.close()


def test_public_outreach_pages_pass_axe(server_url, browser_page, db):
    contact = new_contact(db)
    invitation, _token = invite(db, contact)
    paths = [
        "/en/availability",
        "/es/availability",
        "/pt/availability",
        link_path(invitation.outbox_message),
        "/es/survey/i/" + "A" * 43,
        unsubscribe_path(invitation.outbox_message),
    ]
    db.session.close()
    found = {}
    for path in paths:
        browser_page.goto(server_url + path)
        found[path] = violations(browser_page)
    assert {path: v for path, v in found.items() if v} == {}


def test_staff_outreach_pages_pass_axe(server_url, browser_page, db, create_user):
    user = create_user("staff")
    email, password = user.email, user.test_password
    get_country_or_404("CO").owner_id = user.id
    contact = new_contact(db, 0)
    new_contact(db, 1)
    invite(db, contact)
    pipeline.record_country_agreement(
        get_country_or_404("CO"),
        programs=["QOPI"],
        counterparty="MinSalud",
        status="signed",
        signed_on=date(2024, 1, 1),
        expires_on=date.today(),
    )
    db.session.commit()
    run_alerts()
    db.session.commit()
    db.session.close()
    page = browser_page
    log_in(page, server_url, email, password)
    found = {}
    for path in (
        "/staff/invitations/",
        "/staff/invitations/new?country=CO",
        "/staff/alerts/",
        "/staff/countries/CO",
    ):
        page.goto(server_url + path)
        found[path] = violations(page)
    page.goto(server_url + "/staff/invitations/new")
    page.select_option("#country", "CO")
    page.click("button[value=find]")
    for box in page.locator("input[name=contact_ids]").all():
        box.uncheck()
    page.click("button[value=send]")
    assert page.locator("#contact_ids-error").count() == 1
    found["send with nothing ticked"] = violations(page)
    assert {path: v for path, v in found.items() if v} == {}
