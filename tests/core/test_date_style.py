"""One date style and one date-time style per language, in the organization's time zone, and
a day typed without a time shown as a day (docs/domain.md#dates)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import flask_babel
import pytest
from freezegun import freeze_time

import config
from crm.activities.operations import add_activity
from crm.core.presentation import change_value, localized_date, localized_datetime
from crm.countries import operations as pipeline
from crm.countries.queries import get_country_or_404

#: 2026-11-22 21:16 UTC is 4:16 PM in New York (EST), the default organization zone. CLDR puts
#: a narrow no-break space (U+202F) before AM/PM.
INSTANT = datetime(2026, 11, 22, 21, 16, tzinfo=UTC)
DAY = {"en": "Nov 22, 2026", "es": "22 nov 2026", "pt_BR": "22 de nov. de 2026"}
MOMENT = {
    "en": "Nov 22, 2026, 4:16\u202fPM EST",
    "es": "22 nov 2026, 16:16 GMT-05:00",
    "pt_BR": "22 de nov. de 2026 16:16 GMT-05:00",
}
LOCALES = pytest.mark.parametrize("locale", ["en", "es", "pt_BR"])
#: A numeric "short" date (12/6/26, 06/12/2026): read in opposite orders around the world.
NUMERIC_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")
TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}")


def text_of(html: str) -> str:
    """What a reader sees: the page without its tags (ISO ``datetime`` attributes dropped)."""
    return re.sub(r"<[^>]+>", " ", html)


def section(html: str, start: str, end: str) -> str:
    part = html[html.index(start) :]
    return part[: part.index(end)]


@pytest.fixture
def staff_in(client, create_user, db):
    """``staff_in(locale, role="staff")``: the client logged in as a user who reads ``locale``."""

    def log_in(locale: str, role: str = "staff"):
        user = create_user(role)
        user.locale = locale
        db.session.commit()
        client.post("/staff/login", data={"email": user.email, "password": user.test_password})
        client.get(f"/language/{locale}?next=/")
        return client

    return log_in


# --- the two styles -----------------------------------------------------------------------------


@LOCALES
def test_a_day_has_one_style(app, locale):
    assert localized_date(date(2026, 11, 22), locale) == DAY[locale]


@LOCALES
def test_a_moment_is_the_same_date_a_short_time_and_the_zone_named(app, locale):
    assert localized_datetime(INSTANT, locale) == MOMENT[locale]
    assert localized_datetime(INSTANT, locale).startswith(DAY[locale])


def test_summer_time_is_named_as_such(app):
    assert localized_datetime(datetime(2026, 7, 1, 20, 0, tzinfo=UTC), "en") == (
        "Jul 1, 2026, 4:00\u202fPM EDT"
    )


@LOCALES
def test_a_date_given_as_a_moment_gets_no_invented_time(app, locale):
    assert localized_datetime(date(2026, 11, 22), locale) == DAY[locale]


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("America/New_York", "Nov 22, 2026, 4:16\u202fPM EST"),
        ("America/Sao_Paulo", "Nov 22, 2026, 6:16\u202fPM GMT-03:00"),
        ("Asia/Tokyo", "Nov 23, 2026, 6:16\u202fAM GMT+09:00"),
    ],
)
def test_times_are_converted_to_the_organizations_zone(app, zone, shown):
    app.config["ORG_TIMEZONE"] = zone
    assert localized_datetime(INSTANT, "en") == shown
    # An instant shown as a day is the organization's day it falls on.
    assert localized_date(INSTANT, "en") == shown[: shown.index(", 2026") + 6]


def test_flask_babel_converts_to_the_same_zone(app):
    settings = config.load_config(
        {"SECRET_KEY": "k", "SECURITY_PASSWORD_SALT": "s", "TOTP_SECRET": "t"}
        | {"ORG_TIMEZONE": "Asia/Tokyo"}
    )
    assert settings["BABEL_DEFAULT_TIMEZONE"] == settings["ORG_TIMEZONE"] == "Asia/Tokyo"
    with app.test_request_context("/"):
        assert str(flask_babel.get_timezone()) == app.config["ORG_TIMEZONE"]


def test_audit_values_stored_in_iso_are_shown_in_the_reader_style(app):
    with app.test_request_context("/"), flask_babel.force_locale("es"):
        assert change_value("2026-11-22") == DAY["es"]
        assert change_value(INSTANT.isoformat()) == MOMENT["es"]
        assert change_value(["QCP", "QOPI"]) == "QCP y QOPI"
        assert change_value("2026-02-31") == "2026-02-31"
        assert change_value(None) == "—"


def test_templates_pass_no_other_date_style():
    """Only the ``date`` and ``datetime`` filters, without a style, write dates on every page
    and email, the survey's and the privacy notice's included."""
    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = [
        f"{path.relative_to(root)}: {match}"
        for path in root.rglob("*")
        if path.is_file()
        for match in re.findall(
            r"\|\s*date(?:time)?\s*\([^)]*\)|format_date\w*\(", path.read_text()
        )
    ]
    assert offenders == []


# --- activities ---------------------------------------------------------------------------------


@LOCALES
def test_a_date_only_activity_shows_no_time(db, staff_in, locale):
    add_activity(
        kind="call",
        subject="Llamada con el ministerio",
        body=None,
        occurred_on=date(2026, 11, 22),
        country_code="CO",
    )
    db.session.commit()
    html = staff_in(locale).get("/staff/countries/CO").get_data(as_text=True)
    timeline = section(html, 'class="timeline"', "</ol>")
    assert '<time datetime="2026-11-22">' in timeline
    assert DAY[locale] in text_of(timeline)
    assert not TIME_OF_DAY.search(text_of(timeline))


@freeze_time("2026-12-06 21:16:00")
def test_an_activity_logged_through_the_form_is_a_day(db, staff_in):
    client = staff_in("en")
    reply = client.post(
        "/staff/countries/CO/activities",
        data={
            "activity-kind": "note",
            "activity-subject": "Called the society",
            "activity-occurred_on": "2026-12-06",
        },
    )
    assert reply.status_code == 303
    timeline = section(
        client.get("/staff/countries/CO").get_data(as_text=True), "timeline", "</ol>"
    )
    assert "Dec 6, 2026" in timeline
    assert not TIME_OF_DAY.search(text_of(timeline))


def test_an_activity_with_a_time_shows_it_in_the_organizations_zone(db, staff_in):
    add_activity(
        kind="meeting",
        subject="Steering call",
        body=None,
        occurred_on=date(2026, 11, 22),
        occurred_at=INSTANT,
        country_code="CO",
    )
    db.session.commit()
    html = staff_in("en").get("/staff/countries/CO").get_data(as_text=True)
    assert MOMENT["en"] in text_of(section(html, 'class="timeline"', "</ol>"))


def test_an_activity_time_must_fall_on_its_day(db):
    with pytest.raises(ValueError, match="another organization day"):
        add_activity(
            kind="call",
            subject="x",
            body=None,
            occurred_on=date(2026, 11, 23),  # 21:16 UTC is still the 22nd in New York
            occurred_at=INSTANT,
            country_code="CO",
        )


# --- pages ----------------------------------------------------------------------------------------


@LOCALES
def test_the_audit_trail_and_a_table_show_the_same_style(db, staff_in, locale):
    with freeze_time(INSTANT):
        pipeline.record_country_agreement(
            get_country_or_404("CO"),
            programs=["QOPI"],
            counterparty="MinSalud",
            status="signed",
            signed_on=date(2026, 11, 22),
            expires_on=date(2028, 11, 22),
        )
        db.session.commit()
    html = staff_in(locale).get("/staff/countries/CO").get_data(as_text=True)
    agreements = text_of(section(html, 'id="agreements"', "</table>"))
    audit = text_of(section(html, 'id="audit"', "</ol>"))
    assert DAY[locale] in agreements
    assert MOMENT[locale] in audit
    assert DAY[locale] in audit.replace(MOMENT[locale], "")  # signed_on: ISO in, style out
    assert "2026-11-22" not in agreements + audit


@freeze_time("2026-12-07 02:16:00")
def test_staff_pages_show_no_numeric_short_dates(
    app, db, client, create_user, login, submit_response
):
    """The country page, the audit log, the inbox and its detail, alerts, invitations and API
    tokens in every language: no "12/6/26" anywhere a reader looks."""
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False
    admin = create_user("admin")
    response = submit_response(at=datetime(2026, 12, 7, 2, 16, tzinfo=UTC))
    get_country_or_404("CO").owner_id = admin.id
    pipeline.record_country_agreement(
        get_country_or_404("CO"),
        programs=["QOPI"],
        counterparty="MinSalud",
        status="signed",
        signed_on=date(2026, 12, 6),
        expires_on=date(2026, 12, 20),
    )
    add_activity(
        kind="note", subject="Nota", body=None, occurred_on=date(2026, 12, 6), country_code="CO"
    )
    db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["alerts", "run"]).exit_code == 0
    assert runner.invoke(args=["tokens", "create", "--email", admin.email]).exit_code == 0
    login(admin)
    pages = (
        "/staff/countries/CO",
        "/staff/admin/audit",
        "/staff/responses",
        f"/staff/responses/{response.id}",
        "/staff/alerts/",
        "/staff/invitations/",
        "/staff/admin/tokens",
    )
    for locale in ("en", "es", "pt_BR"):
        client.get(f"/language/{locale}?next=/")
        for path in pages:
            page = client.get(path)
            assert page.status_code == 200, path
            shown = text_of(page.get_data(as_text=True))
            assert not NUMERIC_DATE.search(shown), (locale, path, NUMERIC_DATE.search(shown))
