"""The staff screens, Flask-Security's pages included, pass axe (WCAG 2.1 AA) in Chromium."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PAGES = [
    "/staff/dashboard/",
    "/staff/dashboard/?program=QCP",
    "/staff/dashboard/board",
    "/staff/dashboard/?region=019&income_group=upper_middle&period=6",
    "/staff/dashboard/countries?of=QOPI&category=blocked",
    "/staff/dashboard/countries?figure=responses",
    "/staff/what-if/?qopi_threshold=3&qcp_capacity=8",
    "/staff/countries/?region=019",
    "/staff/countries/CO",
    "/staff/countries/CO/privacy-reviews/new",
    "/staff/countries/CO/agreements/new",
    "/staff/countries/CO/thresholds/QOPI",
    "/staff/admin/users",
    "/staff/admin/users/new",
    "/staff/admin/programs",
    "/staff/admin/audit",
    "/staff/admin/tokens",
    "/staff/account/",
    "/staff/change",
    "/staff/tf-setup",
]


def violations(page) -> list[tuple[str, list]]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in result.response["violations"]]


def test_login_and_staff_pages_pass_axe(app_server, browser_page, create_user, db):
    from crm.api.tokens import create_token

    page = browser_page

    user = create_user("admin")
    create_token(user, label="Website sync")  # so the token list shows its table
    db.session.commit()
    email, password = user.email, user.test_password
    # Reading the user opened a transaction here; end it so the server thread can write.
    db.session.close()
    page.goto(app_server + "/staff/login")
    found = {"/staff/login": violations(page)}
    page.fill("#email", email)
    page.fill("#password", password)
    page.click(".staff-form button[type=submit]")
    page.wait_for_url("**/staff/**")
    for path in PAGES:
        page.goto(app_server + path)
        found[path] = violations(page)
    page.goto(app_server + "/staff/countries/CO/agreements/new")
    page.fill("#counterparty", "MinSalud")
    page.fill("#signed_on", "2026-05-10")
    page.fill("#expires_on", "2026-05-01")
    page.click(".staff-form button[type=submit]")
    found["agreement with errors"] = violations(page)
    assert {path: v for path, v in found.items() if v} == {}


def log_in(page, server: str, email: str, password: str) -> None:
    page.goto(server + "/staff/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click(".staff-form button[type=submit]")
    page.wait_for_url("**/staff/**")


@pytest.mark.parametrize("program", ["QOPI", "QCP", "QTP"])
def test_map_shows_every_seeded_available_country_in_its_colour(
    app_server, browser_page, create_user, db, program
):
    page = browser_page
    from tests.countries.test_seed import SPEC_AVAILABLE

    user = create_user("viewer")
    email, password = user.email, user.test_password
    db.session.close()
    log_in(page, app_server, email, password)
    page.goto(f"{app_server}/staff/dashboard/?program={program}")
    fills = page.eval_on_selector_all(
        ".world-map .map-country[data-country]",
        "shapes => shapes.map(p => [p.dataset.country, getComputedStyle(p).fill])",
    )
    available_colour = page.eval_on_selector(
        ".map-legend .map-country--available", "e => getComputedStyle(e).backgroundColor"
    )
    coloured = {code for code, fill in fills if fill == "rgb(0, 158, 115)"}
    assert coloured == SPEC_AVAILABLE[program]
    assert available_colour == "rgb(0, 158, 115)"
