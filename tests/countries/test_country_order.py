"""Every list of countries a person reads follows the names in the reader's language, not the
ISO codes (docs/domain.md#countries): the readiness board and the dashboard's map table, the
country list, the public availability pages, alert digests and the in-app alerts, the pipeline
export and ``flask readiness``.

The fixture countries are ordered differently by code and by name in Spanish and Portuguese:
AT, DE, DK, HR by code; Alemania/Alemanha (DE), Austria/Áustria (AT), Croacia/Croácia (HR),
Dinamarca (DK) by name. Each test would fail with the code order.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from crm.core.i18n import collation_key, country_name
from crm.countries import operations as pipeline
from crm.countries.queries import get_country_or_404
from crm.outreach.models import Alert, OutboxMessage
from crm.outreach.operations import queue_digests
from crm.readiness.rules import State

FIXTURE = ("AT", "DE", "DK", "HR")
BY_NAME = ["DE", "AT", "HR", "DK"]
LANGUAGES = pytest.mark.parametrize(
    ("locale", "segment"), [("es", "es"), ("pt_BR", "pt")], ids=["es", "pt_BR"]
)


def order_in(text: str, pattern: str, codes=FIXTURE) -> list[str]:
    """The fixture codes in the order ``pattern`` (with one group: the code) finds them."""
    seen = []
    for code in re.findall(pattern, text):
        if code in codes and code not in seen:
            seen.append(code)
    return seen


def links_in(html: str) -> list[str]:
    return order_in(html, r'href="/staff/countries/([A-Z]{2})"')


def test_the_fixture_reads_differently_by_code_and_by_name():
    for locale in ("es", "pt_BR"):
        names = sorted(FIXTURE, key=lambda code: collation_key(country_name(code, locale)))
        assert names == BY_NAME != sorted(FIXTURE)


@pytest.fixture
def viewer_in(client, create_user, db):
    """``viewer_in(locale)``: the test client logged in as a viewer who reads ``locale``."""

    def log_in(locale: str):
        user = create_user("viewer")
        user.locale = locale
        db.session.commit()
        client.post("/staff/login", data={"email": user.email, "password": user.test_password})
        client.get(f"/language/{locale}?next=/")
        return client

    return log_in


@pytest.fixture
def under_way(db):
    """QCP work under way in the fixture countries (QOPI is launched there: QCP is blocked,
    two or more criteria short, with a privacy review in review)."""
    for code in FIXTURE:
        pipeline.record_privacy_review(
            get_country_or_404(code), programs=["QCP"], status="in_review"
        )
    db.session.commit()


# --- readiness board and dashboard -------------------------------------------------------------


@LANGUAGES
@pytest.mark.parametrize("path", ["/staff/dashboard/", "/staff/dashboard/board"])
def test_the_readiness_board_lists_countries_by_name(viewer_in, under_way, locale, segment, path):
    html = viewer_in(locale).get(path).get_data(as_text=True)
    blocked = html[html.index('class="board__blocked"') :]
    blocked = blocked[: blocked.index("</details>")]
    assert links_in(blocked) == BY_NAME


@LANGUAGES
@pytest.mark.parametrize(
    "state", [State.READY, State.AWAITING_CAPACITY, State.NEAR_READY, State.BLOCKED]
)
def test_every_board_column_is_in_name_order(app, locale, segment, state):
    from crm.readiness.views.dashboard import grouped_board

    rows = [SimpleNamespace(country=code, program="QCP", state=state) for code in FIXTURE]
    column = grouped_board(rows, locale=locale)["QCP"][state.value]
    assert [row.country for row in column] == BY_NAME


@LANGUAGES
def test_the_dashboard_map_table_lists_countries_by_name(viewer_in, locale, segment):
    html = viewer_in(locale).get("/staff/dashboard/?program=QOPI").get_data(as_text=True)
    table = html[html.index('class="map-table"') :]
    available = next(row for row in table.split("<tr>") if "map-country--available" in row)
    listed = re.findall(r'href="/staff/countries/([A-Z]{2})"', available)
    assert order_in(available, r'href="/staff/countries/([A-Z]{2})"') == BY_NAME
    names = [country_name(code, locale) for code in listed]
    assert names == sorted(names, key=collation_key)


# --- country list and public pages ------------------------------------------------------------


@LANGUAGES
def test_the_country_list_is_in_name_order(viewer_in, locale, segment):
    html = viewer_in(locale).get("/staff/countries/?region=150").get_data(as_text=True)
    assert links_in(html) == BY_NAME


@LANGUAGES
def test_the_public_availability_page_is_in_name_order(client, locale, segment):
    html = client.get(f"/{segment}/availability").get_data(as_text=True)
    qopi = html[html.index('id="program-QOPI"') : html.index('id="program-QCP"')]
    assert order_in(qopi, r'data-country="([A-Z]{2})"') == BY_NAME


# --- alerts: digests and the in-app list ------------------------------------------------------


@pytest.fixture
def reader_of_alerts(create_user, db):
    """``reader_of_alerts(locale)``: a staff user with one new-responses alert per fixture
    country, all found by one run of the job (so stored in code order)."""

    def make(locale: str):
        user = create_user("staff")
        user.locale, user.digest = locale, "daily"
        found = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
        for code in FIXTURE:
            db.session.add(
                Alert(
                    user_id=user.id,
                    kind="new_responses",
                    key=f"responses:{code}:2026-11-30",
                    country_code=code,
                    params={"count": 2, "day": "2026-11-30"},
                    created_at=found,
                )
            )
        db.session.commit()
        return user

    return make


def alert_countries(text: str, locale: str) -> list[str]:
    names = {country_name(code, locale): code for code in FIXTURE}
    pattern = "|".join(re.escape(name) for name in names)
    return [names[name] for name in re.findall(pattern, text)]


@LANGUAGES
def test_a_digest_lists_its_alerts_by_country_name(db, reader_of_alerts, locale, segment):
    user = reader_of_alerts(locale)
    assert queue_digests(date(2026, 12, 1), datetime(2026, 12, 1, 17, 0, tzinfo=UTC)) == 1
    digest = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    assert alert_countries(digest.text_body, locale) == BY_NAME
    assert alert_countries(digest.html_body, locale) == BY_NAME


@LANGUAGES
def test_the_in_app_alerts_list_a_days_countries_by_name(
    client, login, reader_of_alerts, locale, segment
):
    login(reader_of_alerts(locale))
    html = client.get("/staff/alerts/").get_data(as_text=True)
    assert order_in(html, r'href="/staff/countries/([A-Z]{2})"') == BY_NAME


# --- exports and the command line ---------------------------------------------------------------


@LANGUAGES
def test_the_pipeline_export_rows_follow_the_readers_names(viewer_in, locale, segment):
    body = viewer_in(locale).get("/staff/data/export/pipeline.csv?region=150&labels=codes")
    rows = list(csv.DictReader(io.StringIO(body.get_data(as_text=True).lstrip("\ufeff"))))
    codes = [row["country"] for row in rows]
    assert [code for code in codes if code in FIXTURE] == BY_NAME
    names = [row["country_name"] for row in rows]
    assert names == sorted(names, key=collation_key)


@LANGUAGES
def test_flask_readiness_text_follows_the_names_in_its_language(app, under_way, locale, segment):
    result = app.test_cli_runner().invoke(
        args=["readiness", "--lang", locale, "--state", "blocked"]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line[:2] in FIXTURE]
    assert order_in("\n".join(lines), r"(?m)^([A-Z]{2})  QCP ") == BY_NAME
    assert f"{country_name('DE', locale)}:" in result.output
