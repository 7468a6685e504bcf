"""The privacy notice: versioned, in three languages, every version readable."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import create_app
from config import ConfigError
from crm.core.extensions import db
from crm.privacy.notice import VERSIONS, current_version
from crm.responses.models import SurveyResponse
from tests.conftest import BASE_OVERRIDES

LANGS = ["en", "es", "pt"]


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_the_configured_version_is_a_published_one(app):
    assert current_version(app.config).version == app.config["PRIVACY_NOTICE_VERSION"]


def test_versions_are_listed_oldest_first_with_distinct_ids():
    assert [v.effective_on for v in VERSIONS] == sorted(v.effective_on for v in VERSIONS)
    assert len({v.version for v in VERSIONS}) == len(VERSIONS)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("version", [v.version for v in VERSIONS])
def test_every_version_is_readable_in_every_language(client, lang, version):
    html = page(client, f"/{lang}/privacy/{version}")
    assert version in html


@pytest.mark.parametrize(
    ("lang", "date"),
    [("en", "Nov 29, 2026"), ("es", "29 nov 2026"), ("pt", "29 de nov. de 2026")],
)
def test_the_current_notice_shows_its_version_and_date(app, client, lang, date):
    app.config["PRIVACY_NOTICE_VERSION"] = "2026-11-29"
    html = page(client, f"/{lang}/privacy")
    assert "2026-11-29" in html
    assert date in html


def test_an_earlier_version_says_so_and_links_to_the_current_one(app, client):
    app.config["PRIVACY_NOTICE_VERSION"] = "2026-11-29"
    html = page(client, "/en/privacy/2026-11")
    assert "This is an earlier version of the notice" in html
    assert 'href="/en/privacy"' in html
    assert '<meta name="robots" content="noindex">' in html


def test_the_current_version_does_not_call_itself_earlier(app, client):
    html = page(client, f"/es/privacy/{app.config['PRIVACY_NOTICE_VERSION']}")
    assert "anterior" not in html.split("<h2>")[0]
    assert "noindex" not in html


def test_a_version_never_published_is_a_404(client):
    assert client.get("/pt/privacy/1999-01").status_code == 404


def test_the_notice_states_legal_bases_retention_and_contact_from_the_settings(app, client):
    app.config.update(RAW_ANSWER_RETENTION_DAYS=90, PRIVACY_CONTACT_EMAIL="dpo@society.example")
    html = page(client, "/en/privacy/2026-11-29")
    assert "consent" in html
    assert "legitimate interest" in html
    assert "deleted 90 days after they were sent" in html
    assert 'href="mailto:dpo@society.example"' in html


def test_the_notice_in_spanish_names_the_retention_period(app, client):
    app.config["RAW_ANSWER_RETENTION_DAYS"] = 1
    html = page(client, "/es/privacy/2026-11-29")
    assert " 1 día " in html


def test_an_unpublished_configured_version_stops_the_start(database_url):
    with pytest.raises(ConfigError, match="PRIVACY_NOTICE_VERSION"):
        create_app(
            {
                **BASE_OVERRIDES,
                "SQLALCHEMY_DATABASE_URI": database_url,
                "PRIVACY_NOTICE_VERSION": "draft",
            }
        )


def test_the_survey_links_to_the_current_notice(client):
    assert 'href="/pt/privacy"' in page(client, "/pt/survey")


def test_the_staff_response_page_links_to_the_version_accepted(
    client, create_user, login, post_survey
):
    post_survey("es")
    response = db.session.scalars(select(SurveyResponse)).one()
    response.privacy_notice_version = "2026-11"
    db.session.commit()
    login(create_user("staff"))
    html = page(client, f"/staff/responses/{response.id}")
    assert "privacy notice 2026-11 accepted" in html
    assert 'href="/en/privacy/2026-11"' in html


def test_the_current_notice_is_the_one_that_tells_of_drafts(app):
    assert app.config["PRIVACY_NOTICE_VERSION"] == "2026-12-07"
    assert VERSIONS[-1].version == "2026-12-07"


def test_the_notice_states_drafts_their_days_and_the_device(app, client):
    app.config["SURVEY_DRAFT_DAYS"] = 14
    html = page(client, "/en/privacy/2026-12-07")
    assert "If you save your answers to finish later" in html
    assert "deleted 14 days after you last saved them" in html
    assert "The survey sets no cookie" in html
    assert "kept in your browser's storage on your device" in html


def test_the_notice_in_spanish_states_the_drafts_days(app, client):
    app.config["SURVEY_DRAFT_DAYS"] = 1
    html = page(client, "/es/privacy/2026-12-07")
    assert "se borran 1 día después de la última vez que las guardó" in html
    assert "La encuesta no usa cookies" in html


def test_the_earlier_notice_is_kept_as_published(client):
    html = page(client, "/en/privacy/2026-11-29")
    assert "The survey sets one cookie" in html
    assert "finish later" not in html
