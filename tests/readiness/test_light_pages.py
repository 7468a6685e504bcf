"""Light pages (docs/decisions.md#compression, docs/decisions.md#world-map): the public
availability page and the dashboard weighed on the wire as Chromium loads them; static files
compressed, fingerprinted and cached a year; the map keeps every country the old one had."""

from __future__ import annotations

import re

import pytest

from crm.core.assets import YEAR_SECONDS
from crm.readiness.worldmap import load_world_map

#: Every code drawn by the map used before (@svg-maps/world 2.0.0), its U.S. Minor Outlying
#: Islands' parts as UM, its two non-ISO islands (Glorioso, Juan de Nova) left out.
OLD_MAP = set(
    "AD AE AF AG AI AL AM AO AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS "
    "BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC "
    "EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY "
    "HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ "
    "LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW "
    "MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA "
    "RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH "
    "TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM "
    "ZW".split()
)
BROWSER_ENCODINGS = {"Accept-Encoding": "gzip, deflate, br, zstd"}


def test_the_map_keeps_every_country_of_the_old_one():
    world = load_world_map()
    assert world.codes >= OLD_MAP
    dots = {r.code for r in world.regions if r.is_dot}
    assert {"MT", "SG", "BH", "MV", "TV", "UM"} <= dots  # small island states: dots
    assert "XK" in world.codes
    assert "XK" not in dots
    assert "SS" in world.codes


def test_a_page_carries_no_geometry_only_classes(client):
    html = client.get("/en/availability").get_data(as_text=True)
    assert " d=" not in html  # no path data in the page
    uses = re.findall(r'<use href="(/static/vendor/world-map/world-[0-9a-f]{32}\.svg)#(\w+)"', html)
    assert len(uses) == len(load_world_map().regions)
    assert len({href for href, _ in uses}) == 1


def test_static_files_are_fingerprinted_compressed_and_kept_a_year(client):
    html = client.get("/en/availability").get_data(as_text=True)
    (css,) = re.findall(r'href="(/static/css/app-[0-9a-f]{32}\.css)"', html)
    (shapes,) = set(re.findall(r'<use href="([^"#]+)#', html))
    for path in (css, shapes):
        response = client.get(path, headers=BROWSER_ENCODINGS)
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "br"
        assert response.headers["Cache-Control"] == f"public, max-age={YEAR_SECONDS}, immutable"
    plain = client.get("/static/css/app.css")
    assert "immutable" not in plain.headers.get("Cache-Control", "")


def test_pages_are_compressed(client):
    response = client.get("/en/availability", headers=BROWSER_ENCODINGS)
    assert response.headers["Content-Encoding"] == "br"
    assert response.headers["ETag"].startswith('W/"')
    again = client.get(
        "/en/availability", headers={**BROWSER_ENCODINGS, "If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def wire_bytes(page, url: str) -> tuple[int, list[str]]:
    """Bytes Chromium received for ``url`` and everything it loaded (bodies as sent, headers
    included), and the URLs it loaded."""
    loaded = []

    def finished(request):
        sizes = request.sizes()
        loaded.append((request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"]))

    page.on("requestfinished", finished)
    page.goto(url, wait_until="networkidle")
    page.remove_listener("requestfinished", finished)
    return sum(n for _, n in loaded), [u for u, _ in loaded]


@pytest.mark.browser
def test_the_public_availability_page_weighs_at_most_150_kb(app_server, browser_page):
    total, urls = wire_bytes(browser_page, f"{app_server}/es/availability")
    assert any("/world-map/world-" in u for u in urls)  # with its map
    assert total <= 150 * 1024, total


@pytest.mark.browser
def test_the_dashboard_weighs_at_most_400_kb(app_server, browser, browser_page, create_user, db):
    from crm.demo.generate import load_demo

    load_demo()
    db.session.commit()
    user = create_user("viewer")
    email, password = user.email, user.test_password
    db.session.close()
    page = browser_page
    page.goto(app_server + "/staff/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click(".staff-form button[type=submit]")
    page.wait_for_url("**/staff/**")
    # A fresh browser cache, the login's cookie only: everything the dashboard needs comes.
    fresh = browser.new_context(storage_state=page.context.storage_state())
    try:
        measured = fresh.new_page()
        total, urls = wire_bytes(measured, f"{app_server}/staff/dashboard/")
        assert any("chart.umd.min" in u for u in urls)  # with Chart.js
        assert any("/world-map/world-" in u for u in urls)
        assert measured.locator(".chart canvas").count() >= 4  # the charts were drawn
    finally:
        fresh.close()
    assert total <= 400 * 1024, total


def test_a_page_with_the_csrf_token_is_never_compressed(client, create_user, login):
    """A staff page carries the session's CSRF token and can echo a search: compressed, its
    length would leak the token a guess at a time (BREACH), so it goes as it is."""
    staff_client = login(create_user("staff"))
    response = staff_client.get("/staff/search?q=csrf_token", headers=BROWSER_ENCODINGS)
    assert response.status_code == 200
    assert 'name="csrf_token"' in response.get_data(as_text=True)
    assert "Content-Encoding" not in response.headers
    styles = staff_client.get("/static/css/app.css", headers=BROWSER_ENCODINGS)
    assert styles.headers["Content-Encoding"] == "br"
