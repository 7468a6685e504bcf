"""The staff screens fit a 360-pixel phone: only a wide table scrolls, inside its own box,
never the whole page (long names and addresses wrap)."""

from __future__ import annotations

from datetime import date

import pytest

from crm.countries import operations as pipeline
from crm.countries.queries import get_country_or_404

pytestmark = pytest.mark.browser

LONG_EMAIL = "bruno.lima@nucleodehematologiaeoncologiadoriograndedosul.example"


@pytest.mark.parametrize("locale", ["en", "es", "pt_BR"])
def test_staff_pages_do_not_scroll_sideways_on_a_phone(
    app_server, browser, create_user, db, submit_response, locale
):
    response = submit_response(email=LONG_EMAIL, practice_name="Núcleo de Hematologia e Oncologia")
    pipeline.record_privacy_review(
        get_country_or_404("CO"),
        programs=["QOPI"],
        status="approved",
        applicable_law="Ley 1581 de 2012",
        counsel="Outside counsel",
        requested_on=date(2026, 10, 1),
        decided_on=date(2026, 11, 2),
    )
    user = create_user("staff")
    user.locale = locale
    db.session.commit()
    practice_id, email, password = response.practice_id, user.email, user.test_password
    db.session.close()  # the server thread writes the session row
    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(app_server + "/staff/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click(".staff-form button[type=submit]")
    page.wait_for_url("**/staff/**")
    wide = {}
    for path in (
        "/staff/countries/CO",
        f"/staff/practices/{practice_id}",
        "/staff/search?q=nucleo",
        "/staff/responses?status=all",
        "/staff/dashboard/",
    ):
        page.goto(app_server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            wide[path] = overflow
    context.close()
    assert wide == {}
