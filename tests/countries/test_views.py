"""Country list and country page: filters, sections, forms, bad input, 404s."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from crm.core.clock import org_today
from crm.countries import operations as pipeline
from crm.countries import thresholds
from crm.countries.models import CountryAgreement, PrivacyReview
from crm.countries.queries import get_country_or_404
from tests.responses.helpers import submit_eligible


@pytest.fixture
def staff(create_user, login):
    user = create_user("staff")
    login(user)
    return user


@pytest.fixture
def viewer(create_user, login):
    user = create_user("viewer")
    login(user)
    return user


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


def listed_codes(html: str) -> list[str]:
    return re.findall(r'href="/staff/countries/([A-Z]{2})"', html)


# --- list -----------------------------------------------------------------------------------------


def test_list_shows_every_country_with_availability_and_readiness(client, viewer):
    html = page(client, "/staff/countries/")
    assert len(listed_codes(html)) == 250
    assert 'data-program="QOPI" data-state="launched"' in html


def test_list_filters_by_region(client, viewer):
    codes = listed_codes(page(client, "/staff/countries/?region=009"))
    assert {"AU", "NZ"} <= set(codes)
    assert "BR" not in codes


def test_list_filters_by_program_and_availability(client, viewer):
    codes = listed_codes(page(client, "/staff/countries/?program=QCP&availability=available"))
    assert sorted(codes) == ["BR", "ES", "GR", "RO", "SA", "US"]


def test_list_filters_by_readiness(client, viewer, db):
    colombia = get_country_or_404("CO")
    pipeline.record_privacy_review(colombia, programs=["QOPI"], status="approved")
    pipeline.record_country_agreement(
        colombia,
        programs=["QOPI"],
        counterparty="MinSalud",
        status="signed",
        signed_on=date(2026, 1, 5),
    )
    db.session.commit()
    codes = listed_codes(page(client, "/staff/countries/?program=QOPI&readiness=near_ready"))
    assert codes == ["CO"]


def test_list_sorts_names_in_the_reader_language(client, viewer):
    client.get("/language/es")
    codes = listed_codes(page(client, "/staff/countries/?region=150"))
    # "Alemania" (DE) comes before "Austria" (AT) in Spanish, unlike the codes.
    assert codes.index("DE") < codes.index("AT")


def test_an_unknown_filter_value_is_shown_as_an_error_not_a_500(client, viewer):
    html = page(client, "/staff/countries/?region=zzz&readiness=great")
    assert html.count('class="error-message"') == 2
    assert len(listed_codes(html)) == 250


# --- country page ---------------------------------------------------------------------------------


def test_unknown_country_is_404(client, viewer):
    page(client, "/staff/countries/XX", status=404)
    page(client, "/staff/countries/COL", status=404)


def test_country_page_has_every_section(client, viewer):
    html = page(client, "/staff/countries/BR")
    for section in (
        "readiness",
        "availability",
        "thresholds",
        "privacy-reviews",
        "agreements",
        "practices",
        "activity",
        "audit",
    ):
        assert f'id="{section}"' in html


def test_country_page_shows_readiness_criteria_with_numbers(client, viewer, db):
    submit_eligible(db, 3)
    html = page(client, "/staff/countries/CO")
    assert 'data-program="QOPI" data-state="blocked"' in html
    assert "Eligible practices: 3 of 5" in html
    assert "No privacy review covers QOPI" in html


def test_threshold_shows_the_default(client, viewer):
    assert "5 (default)" in page(client, "/staff/countries/CO")


def test_threshold_shows_the_default_it_overrides(client, viewer, db):
    thresholds.set_threshold(get_country_or_404("CO"), "QOPI", 3)
    db.session.commit()
    assert "3 (overrides default 5)" in page(client, "/staff/countries/CO")


def test_country_page_lists_practices_and_interest(client, viewer, db):
    submit_eligible(db, 2)
    html = page(client, "/staff/countries/CO")
    assert "Clínica Número 1" in html
    assert 'data-eligible="2"' in html


def test_viewers_see_no_edit_links(client, viewer):
    html = page(client, "/staff/countries/CO")
    assert "/staff/countries/CO/availability/QOPI" not in html
    assert "/privacy-reviews/new" not in html


def test_staff_see_edit_links(client, staff):
    html = page(client, "/staff/countries/CO")
    assert "/staff/countries/CO/availability/QOPI" in html
    assert "/staff/countries/CO/privacy-reviews/new" in html


# --- forms ----------------------------------------------------------------------------------------


def test_change_availability_through_the_form(client, staff, db):
    response = client.post(
        "/staff/countries/CO/availability/QOPI",
        data={"status": "in_pipeline", "since": "2026-10-01", "note": "Society interested"},
    )
    assert response.status_code == 303
    html = page(client, "/staff/countries/CO")
    assert "Society interested" in html


def test_add_and_edit_a_privacy_review(client, staff, db):
    response = client.post(
        "/staff/countries/CO/privacy-reviews/new",
        data={"programs": ["QOPI", "QCP"], "status": "requested", "applicable_law": "Ley 1581"},
    )
    assert response.status_code == 303
    review = db.session.scalar(select(PrivacyReview))
    response = client.post(
        f"/staff/countries/CO/privacy-reviews/{review.id}",
        data={
            "programs": ["QOPI"],
            "status": "approved_with_conditions",
            "conditions": "Data stays in Colombia",
        },
    )
    assert response.status_code == 303
    db.session.refresh(review)
    assert (review.status, review.program_codes) == ("approved_with_conditions", {"QOPI"})


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {
                "programs": ["QOPI"],
                "status": "approved",
                "requested_on": "2026-03-09",
                "decided_on": "2026-03-02",
            },
            "decided_on",
            "The decision date cannot be before the request date.",
        ),
        ({"status": "approved"}, "programs", "Choose at least one program."),
        (
            {"programs": ["QOPI"], "status": "approved_with_conditions"},
            "conditions",
            "Describe the conditions of the approval.",
        ),
        (
            {"programs": ["QOPI"], "status": "approved", "decided_on": "31/02/2026"},
            "decided_on",
            "Not a valid date value.",
        ),
    ],
)
def test_bad_privacy_review_shows_the_error_next_to_the_field(
    client, staff, db, data, field, message
):
    response = client.post(
        "/staff/countries/CO/privacy-reviews/new", data={"counsel": "Ríos & Co", **data}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(rf'id="{field}-error">.*{re.escape(message)}', html)
    assert 'value="Ríos &amp; Co"' in html  # nothing typed is lost
    assert db.session.scalar(select(func.count()).select_from(PrivacyReview)) == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"signed_on": "2026-05-10", "expires_on": "2026-05-01"}, "expires_on"),
        ({"signed_on": "2026-05-10", "effective_on": "2026-05-01"}, "effective_on"),
        ({"signed_on": "2026-05-10", "expires_on": "9999-12-31"}, "expires_on"),
        ({"signed_on": "1066-10-14"}, "signed_on"),
    ],
    ids=[
        "expiry-before-signature",
        "effective-before-signature",
        "expiry-out-of-calendar",
        "signature-out-of-calendar",
    ],
)
def test_bad_agreement_dates_are_refused(client, staff, db, data, field):
    response = client.post(
        "/staff/countries/CO/agreements/new",
        data={"programs": ["QOPI"], "counterparty": "MinSalud", "status": "signed", **data},
    )
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CountryAgreement)) == 0


def test_an_agreement_signed_without_a_day_is_signed_today(client, staff, db):
    response = client.post(
        "/staff/countries/CO/agreements/new",
        data={"programs": ["QOPI"], "counterparty": "MinSalud", "status": "signed"},
    )
    assert response.status_code == 303
    agreement = db.session.scalar(select(CountryAgreement))
    assert agreement.signed_on == agreement.status_since == org_today()


@pytest.mark.parametrize("value", ["0", "10000", "-1", "three", ""])
def test_bad_threshold_is_refused(client, staff, value):
    response = client.post(
        "/staff/countries/CO/thresholds/QOPI", data={"min_eligible_practices": value}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="min_eligible_practices-error"' in html


def test_threshold_override_and_clear(client, staff):
    assert (
        client.post(
            "/staff/countries/CO/thresholds/QOPI",
            data={"min_eligible_practices": "3", "reason": "Small market"},
        ).status_code
        == 303
    )
    assert "3 (overrides default 5)" in page(client, "/staff/countries/CO")
    assert client.post("/staff/countries/CO/thresholds/QOPI/clear").status_code == 303
    assert "5 (default)" in page(client, "/staff/countries/CO")


def test_qcp_launch_refusal_is_shown_on_the_form(client, staff):
    response = client.post("/staff/countries/CO/availability/QCP", data={"status": "available"})
    assert response.status_code == 422
    assert "QCP can only be launched where QOPI is available or in pilot." in response.get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "url",
    [
        "/staff/countries/XX/availability/QOPI",
        "/staff/countries/CO/availability/ABC",
        "/staff/countries/CO/thresholds/QTP",
        "/staff/countries/CO/privacy-reviews/999",
        "/staff/countries/CO/agreements/999",
    ],
)
def test_unknown_things_in_form_urls_are_404(client, staff, url):
    assert client.get(url).status_code == 404
    assert client.post(url, data={}).status_code == 404


def test_a_review_of_another_country_is_404(client, staff, db):
    review = pipeline.record_privacy_review(
        get_country_or_404("PE"), programs=["QOPI"], status="requested"
    )
    db.session.commit()
    assert client.get(f"/staff/countries/CO/privacy-reviews/{review.id}").status_code == 404


def test_staff_pages_speak_spanish(client, staff):
    client.get("/language/es")
    html = page(client, "/staff/countries/CO")
    assert "Colombia" in html
    assert "Ninguna revisión de privacidad" in html or "privacidad" in html


def test_what_the_seed_wrote_is_shown_in_the_readers_language(client, viewer):
    """The seed's sources and notes are stored as written and read in the reader's language;
    only what staff typed is shown as typed."""
    client.get("/language/es?next=/")
    html = page(client, "/staff/countries/AR")
    assert "seed 001" not in html
    assert "Documento base 001" in html
    html = page(client, "/staff/countries/PR")
    assert "U.S. territory" not in html
    assert "Territorio de los Estados Unidos" in html


def test_a_launched_programs_unmet_criteria_are_not_shown_as_warnings(client, viewer):
    # docs/domain.md#readiness: a launched program's criteria are still shown; red "not met"
    # badges there read as problems to a newcomer.
    html = page(client, "/staff/countries/AR")
    start = html.index('data-program="QOPI" data-state="launched"')
    card = html[start : html.index("</article>", start)]
    assert "its criteria are kept for reference" in card
    assert "badge--reference" in card
    assert "badge--unmet" not in card
    blocked = page(client, "/staff/countries/CO")
    assert "badge--unmet" in blocked  # unlaunched: the same criteria are warnings
