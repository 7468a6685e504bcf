"""Outreach pages pass axe (WCAG 2.1 AA) in Chromium: the public availability pages in three
languages, the invitation links and unsubscribe page, and the staff outreach screens."""

from __future__ import annotations

from datetime import date

import pytest

from crm.countries import operations as pipeline
from crm.countries.queries import get_country_or_404
from crm.outreach.operations import run_alerts
from tests.outreach.helpers import invite, link_path, new_contact, unsubscribe_path
from tests.test_staff_accessibility import log_in, violations

pytestmark = pytest.mark.browser


def test_public_outreach_pages_pass_axe(app_server, browser_page, db):
    page = browser_page
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
        page.goto(app_server + path)
        found[path] = violations(page)
    assert {path: v for path, v in found.items() if v} == {}


def test_staff_outreach_pages_pass_axe(app_server, browser_page, db, create_user):
    page = browser_page
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
    log_in(page, app_server, email, password)
    found = {}
    for path in (
        "/staff/invitations/",
        "/staff/invitations/new?country=CO",
        "/staff/alerts/",
        "/staff/countries/CO",
    ):
        page.goto(app_server + path)
        found[path] = violations(page)
    page.goto(app_server + "/staff/invitations/new")
    page.select_option("#country", "CO")
    page.click("button[value=find]")
    for box in page.locator("input[name=contact_ids]").all():
        box.uncheck()
    page.click("button[value=send]")
    assert page.locator("#contact_ids-error").count() == 1
    found["send with nothing ticked"] = violations(page)
    assert {path: v for path, v in found.items() if v} == {}
