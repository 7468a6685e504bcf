"""Public availability pages (docs/domain.md#availability): exactly the availability data, in
three languages with no English left, cached by ETag, changing as soon as staff change
availability."""

from __future__ import annotations

import re
from datetime import date

import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from crm.core.i18n import collation_key, country_name, region_name
from crm.countries import operations as pipeline
from crm.countries.models import Availability, Country
from crm.countries.queries import get_country_or_404
from tests.countries.test_seed import SPEC_AVAILABLE

PAGES = {"en": "en", "es": "es", "pt": "pt_BR"}


def section(html: str, program: str) -> str:
    match = re.search(rf'<section id="program-{program}".*?</section>', html, re.S)
    assert match, f"no section for {program}"
    return match.group(0)


def listed(html: str, program: str) -> set[str]:
    return set(re.findall(r'<li data-country="([A-Z]{2})"', section(html, program)))


def visible_text(html: str) -> list[str]:
    """Text between tags (scripts and styles dropped), one string per text node."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return [" ".join(t.split()) for t in re.split(r"<[^>]+>", html) if t.strip()]


@pytest.mark.parametrize("segment", PAGES)
@pytest.mark.parametrize("program", ["QOPI", "QCP", "QTP"])
def test_each_program_lists_exactly_the_seeded_availability(client, segment, program):
    response = client.get(f"/{segment}/availability")
    assert response.status_code == 200
    assert listed(response.get_data(as_text=True), program) == SPEC_AVAILABLE[program]


@pytest.mark.parametrize("segment", ["es", "pt"])
def test_no_english_is_left_on_the_translated_pages(client, db, segment):
    english = visible_text(client.get("/en/availability").get_data(as_text=True))
    translated_html = client.get(f"/{segment}/availability").get_data(as_text=True)
    translated = set(visible_text(translated_html))
    locale = PAGES[segment]
    # Words that are the same in both languages: program names, country and region names
    # that CLDR spells alike, language names in the switcher, numbers and dates.
    same = {"QOPI", "QCP", "QTP", "English", "Español", "Português", "·"}
    for code in db.session.scalars(select(Country.code)):
        if country_name(code, "en") == country_name(code, locale):
            same.add(country_name(code, "en"))
    for region in db.session.scalars(select(Country.region).distinct()):
        if region_name(region, "en") == region_name(region, locale):
            same.add(region_name(region, "en"))
    leaks = [
        text
        for text in english
        if text in translated and text not in same and re.search(r"[A-Za-z]{3}", text)
    ]
    assert leaks == []
    assert f'lang="{locale.replace("_", "-")}"' in translated_html


@pytest.mark.parametrize("segment", PAGES)
def test_countries_are_grouped_by_localized_region_and_sorted_by_the_languages_rules(
    client, db, segment
):
    html = section(client.get(f"/{segment}/availability").get_data(as_text=True), "QOPI")
    locale = PAGES[segment]
    regions = re.findall(r"<h3>(.*?)</h3>", html)
    assert regions == sorted(regions, key=collation_key)
    assert region_name("150", locale) in regions  # Europe / Europa
    europe = html.split(f"<h3>{region_name('150', locale)}</h3>")[1].split("</ul>")[0]
    names = [re.sub(r"\s*<.*", "", n) for n in re.findall(r'data-status="\w+">([^<]+)', europe)]
    assert names == sorted(names, key=collation_key)
    assert country_name("DE", locale) in names


def test_the_qcp_map_colours_the_qcp_countries(client):
    html = client.get("/en/availability").get_data(as_text=True)
    coloured = set(re.findall(r'data-country="([A-Z]{2})" data-state="available"', html))
    assert coloured == SPEC_AVAILABLE["QCP"]
    assert html.count('class="world-map"') == 1


def test_the_page_says_as_of_when_and_links_to_the_survey(client, db):
    newest = db.session.scalar(select(func.max(Availability.as_of)))
    html = client.get("/pt/availability").get_data(as_text=True)
    assert format_date(newest, "medium", locale="pt_BR") in html  # the one date style
    assert 'href="/pt/survey"' in html


def test_a_staff_change_shows_at_once_with_a_new_etag(client, db):
    first = client.get("/en/availability")
    etag = first.headers["ETag"]
    assert client.get("/en/availability", headers={"If-None-Match": etag}).status_code == 304
    pipeline.set_availability(
        get_country_or_404("CO"), "QOPI", "available", since=date(2026, 12, 1)
    )
    db.session.commit()
    again = client.get("/en/availability", headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert again.headers["ETag"] != etag
    assert "CO" in listed(again.get_data(as_text=True), "QOPI")


def test_a_country_that_lost_availability_leaves_the_list(client, db):
    pipeline.set_availability(get_country_or_404("PK"), "QOPI", "suspended")
    db.session.commit()
    assert "PK" not in listed(client.get("/es/availability").get_data(as_text=True), "QOPI")


def test_each_language_has_its_own_etag(client):
    tags = {client.get(f"/{s}/availability").headers["ETag"] for s in PAGES}
    assert len(tags) == 3


def test_the_pages_need_no_login_and_are_cacheable(client):
    response = client.get("/es/availability")
    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"]
    assert "public" in response.headers["Cache-Control"]


def test_an_unknown_language_is_a_404(client):
    assert client.get("/fr/availability").status_code == 404


def test_the_survey_links_to_the_availability_page(client):
    html = client.get("/es/survey").get_data(as_text=True)
    assert 'href="/es/availability"' in html


def test_the_json_feed_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/public/availability" in document["paths"]


def test_a_new_catalog_gives_a_new_etag(app, client):
    """A deployment with new wording must not be answered with a stale 304."""
    import os

    catalog = os.path.join(app.root_path, "translations", "es", "LC_MESSAGES", "messages.mo")
    etag = client.get("/es/availability").headers["ETag"]
    stat = os.stat(catalog)
    try:
        os.utime(catalog, (stat.st_atime, stat.st_mtime + 60))
        assert client.get("/es/availability").headers["ETag"] != etag
    finally:
        os.utime(catalog, (stat.st_atime, stat.st_mtime))


@pytest.mark.parametrize("path", ["/favicon.ico", "/robots.txt", "/de/"])
def test_a_one_segment_path_that_is_no_language_is_a_plain_404(client, path):
    # "/<lang>/" used to take any segment: /favicon.ico redirected to /favicon.ico/ first.
    response = client.get(path)
    assert response.status_code == 404
    assert "Location" not in response.headers
