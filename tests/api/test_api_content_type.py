"""An API write whose body is not JSON is refused with 415, never answered 200 unchanged."""

from __future__ import annotations

import pytest

from crm.api.tokens import create_token
from crm.countries import operations as pipeline
from crm.countries.models import CountryAgreement
from crm.countries.queries import get_country_or_404


@pytest.fixture
def headers(create_user, db):
    _row, token = create_token(create_user("staff"))
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def agreement(db):
    found = pipeline.record_country_agreement(
        get_country_or_404("CO"), programs=["QOPI"], counterparty="Sociedad", status="draft"
    )
    db.session.commit()
    return found


def test_a_form_encoded_patch_is_refused_and_changes_nothing(client, headers, agreement, db):
    response = client.patch(
        f"/api/v1/agreements/{agreement.id}", data={"status": "negotiating"}, headers=headers
    )
    assert response.status_code == 415
    assert response.get_json()["error"]["status"] == 415
    db.session.expire_all()
    assert db.session.get(CountryAgreement, agreement.id).status == "draft"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/privacy-reviews"),
        ("post", "/api/v1/agreements"),
        ("put", "/api/v1/countries/CO/availability/QOPI"),
        ("put", "/api/v1/countries/CO/thresholds/QOPI"),
    ],
)
def test_every_write_wants_json(client, headers, method, path):
    response = getattr(client, method)(path, data="status=available", headers=headers)
    assert response.status_code == 415
    assert "JSON" in response.get_json()["error"]["detail"]


def test_the_same_write_as_json_goes_through(client, headers, agreement):
    response = client.patch(
        f"/api/v1/agreements/{agreement.id}", json={"status": "negotiating"}, headers=headers
    )
    assert (response.status_code, response.get_json()["status"]) == (200, "negotiating")


def test_a_caller_without_a_token_still_gets_401_first(client, agreement):
    response = client.patch(f"/api/v1/agreements/{agreement.id}", data={"status": "signed"})
    assert response.status_code == 401
