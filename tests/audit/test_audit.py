"""Every staff write records who, when, what, old and new value (``docs/domain.md#roles``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.audit.models import AuditEvent
from crm.countries import operations as pipeline
from crm.countries import thresholds
from crm.countries.models import CountryAgreement, PrivacyReview
from crm.countries.queries import get_country_or_404

NEW_PASSWORD = "another long passphrase"


@pytest.fixture
def admin(app, client, create_user, login):
    app.config["ADMIN_TWO_FACTOR_REQUIRED"] = False
    user = create_user("admin")
    login(user)
    return user


def last_event(db, action: str) -> AuditEvent:
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
    )
    assert event is not None, f"no {action} event"
    return event


def a_review(db) -> PrivacyReview:
    review = pipeline.record_privacy_review(
        get_country_or_404("CO"), programs=["QOPI"], status="requested"
    )
    db.session.commit()
    return review


def an_agreement(db) -> CountryAgreement:
    agreement = pipeline.record_country_agreement(
        get_country_or_404("CO"), programs=["QOPI"], counterparty="MinSalud", status="draft"
    )
    db.session.commit()
    return agreement


def a_threshold(db) -> None:
    thresholds.set_threshold(get_country_or_404("CO"), "QOPI", 4)
    db.session.commit()


# (setup, url, form data, action, field, old, new, country)
WRITES = [
    (
        None,
        "/staff/countries/CO/availability/QOPI",
        {"status": "in_pipeline"},
        "availability.update",
        "status",
        "not_available",
        "in_pipeline",
        "CO",
    ),
    (
        None,
        "/staff/countries/CO/privacy-reviews/new",
        {"programs": "QOPI", "status": "requested"},
        "privacy_review.create",
        "status",
        None,
        "requested",
        "CO",
    ),
    (
        a_review,
        "/staff/countries/CO/privacy-reviews/{id}",
        {"programs": "QOPI", "status": "approved"},
        "privacy_review.update",
        "status",
        "requested",
        "approved",
        "CO",
    ),
    (
        None,
        "/staff/countries/CO/agreements/new",
        {"programs": "QOPI", "counterparty": "MinSalud", "status": "draft"},
        "country_agreement.create",
        "counterparty",
        None,
        "MinSalud",
        "CO",
    ),
    (
        an_agreement,
        "/staff/countries/CO/agreements/{id}",
        {
            "programs": "QOPI",
            "counterparty": "MinSalud",
            "status": "signed",
            "signed_on": "2026-05-04",
        },
        "country_agreement.update",
        "signed_on",
        None,
        "2026-05-04",
        "CO",
    ),
    (
        None,
        "/staff/countries/CO/thresholds/QOPI",
        {"min_eligible_practices": "3"},
        "threshold.set",
        "min_eligible_practices",
        None,
        3,
        "CO",
    ),
    (
        a_threshold,
        "/staff/countries/CO/thresholds/QOPI/clear",
        {},
        "threshold.clear",
        "min_eligible_practices",
        4,
        None,
        "CO",
    ),
    (
        None,
        "/staff/admin/programs",
        {"qopi_threshold": "6", "qcp_threshold": "3", "qcp_capacity": "6"},
        "program.update",
        "default_threshold",
        5,
        6,
        None,
    ),
    (
        None,
        "/staff/admin/users/new",
        {
            "email": "iqsg@example.org",
            "role": "viewer",
            "locale": "es",
            "password": "a long initial password",
            "password_confirm": "a long initial password",
        },
        "user.create",
        "role",
        None,
        "viewer",
        None,
    ),
    (
        None,
        "/staff/account/",
        {"name": "Ada", "locale": "es"},
        "user.preferences",
        "locale",
        "en",
        "es",
        None,
    ),
    (
        None,
        "/staff/change",
        {
            "password": "correct horse battery",
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
        "user.password_change",
        "password",
        "***",
        "***",
        None,
    ),
]


@pytest.mark.parametrize(
    ("setup", "url", "data", "action", "field", "old", "new", "country"),
    WRITES,
    ids=[w[3] for w in WRITES],
)
def test_each_write_records_one_audit_event(
    client, admin, db, setup, url, data, action, field, old, new, country
):
    target = setup(db) if setup else None
    response = client.post(url.format(id=getattr(target, "id", "")), data=data)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()
    assert len(events) == 1 + (action == "user.create")  # the admin's own account too
    event = events[-1]
    assert (event.actor, event.actor_id, event.country_code) == (admin.email, admin.id, country)
    assert event.changes[field] == [old, new]
    assert event.occurred_at is not None


@pytest.mark.parametrize(
    ("action", "field", "old", "new"),
    [
        ("deactivate", "active", True, False),
        ("unlock", "failed_logins", 3, 0),
        ("reset-two-factor", "two_factor", "authenticator", None),
    ],
)
def test_admin_account_actions_are_audited(client, admin, create_user, db, action, field, old, new):
    user = create_user("staff")
    user.failed_logins, user.tf_primary_method = 3, "authenticator"
    db.session.commit()
    assert client.post(f"/staff/admin/users/{user.id}/{action}").status_code == 303
    event = last_event(db, "user." + action.replace("-", "_"))
    assert (event.entity_id, event.changes[field]) == (str(user.id), [old, new])


def test_role_change_is_audited(client, admin, create_user, db):
    user = create_user("viewer")
    client.post(f"/staff/admin/users/{user.id}", data={"role": "staff"})
    assert last_event(db, "user.update").changes["role"] == ["viewer", "staff"]


def test_reactivation_is_audited(client, admin, create_user, db):
    user = create_user("staff")
    user.active = False
    db.session.commit()
    client.post(f"/staff/admin/users/{user.id}/reactivate")
    assert last_event(db, "user.reactivate").changes["active"] == [False, True]


def test_a_refused_write_records_nothing(client, admin, db):
    client.post("/staff/countries/CO/thresholds/QOPI", data={"min_eligible_practices": "0"})
    assert (
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "threshold.set")).all()
        == []
    )


def test_the_country_page_shows_its_audit_trail_in_words(client, admin, db):
    admin.name = "Ada Lovelace"
    db.session.commit()
    client.post("/staff/countries/CO/availability/QOPI", data={"status": "in_pipeline"})
    html = client.get("/staff/countries/CO").get_data(as_text=True)
    audit = html[html.index('id="audit"') :].split("</section>")[0]
    assert "<strong>Ada Lovelace</strong> changed the availability <a" in audit
    assert ">of QOPI in Colombia</a>" in audit
    assert "Status: Not available → In pipeline" in audit
    assert admin.email not in audit
    assert "not_available" not in audit


def test_the_admin_audit_log_filters_by_country(client, admin):
    client.post("/staff/countries/CO/availability/QOPI", data={"status": "in_pipeline"})
    client.post("/staff/countries/PE/availability/QOPI", data={"status": "under_consideration"})
    html = client.get("/staff/admin/audit?country=PE").get_data(as_text=True)
    assert "Under consideration" in html
    assert "In pipeline" not in html


def test_the_audit_log_refuses_bad_filters_without_failing(client, admin):
    response = client.get(
        "/staff/admin/audit?occurred_from=2026-05-02&occurred_to=2026-05-01&page=x"
    )
    assert response.status_code == 200
    assert 'id="occurred_to-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "occurred_to=9999-12-31",
        "occurred_from=0001-01-01",
        "page=99999999999999999999",
        "page=%C2%B2",
    ],
)
def test_the_audit_log_takes_extreme_filters_without_failing(client, admin, query):
    response = client.get(f"/staff/admin/audit?{query}")
    assert response.status_code == 200
    if "occurred" in query:
        assert "Enter a date between" in response.get_data(as_text=True)
