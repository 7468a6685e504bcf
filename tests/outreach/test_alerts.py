"""Alerts, with time frozen: what the daily job finds, that it never adds or sends
anything twice, who gets what, digests in the user's language, the in-app list, owners."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from crm.activities import operations as activities
from crm.audit.models import AuditEvent
from crm.countries import operations as pipeline
from crm.countries.models import Country
from crm.countries.queries import get_country_or_404
from crm.outreach.models import Alert, OutboxMessage
from crm.outreach.operations import run_alerts
from crm.readiness.models import ReadinessChange
from tests.responses.helpers import eligible_answers, submit_eligible, submit_response

#: Noon in New York on 1 December 2026 (the organization's day is 2026-12-01).
NOW = "2026-12-01 17:00:00"
TODAY = date(2026, 12, 1)


@pytest.fixture
def owner(create_user, db):
    """A staff user who owns Colombia, reads Spanish and takes a daily digest."""
    user = create_user("staff")
    user.locale, user.digest = "es", "daily"
    get_country_or_404("CO").owner_id = user.id
    db.session.commit()
    return user


def alerts_of(db, user, kind: str | None = None) -> list[Alert]:
    statement = select(Alert).where(Alert.user_id == user.id).order_by(Alert.id)
    if kind:
        statement = statement.where(Alert.kind == kind)
    return list(db.session.scalars(statement))


def digests(db) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "digest").order_by(OutboxMessage.id)
        )
    )


def run_twice(db):
    first = run_alerts()
    db.session.commit()
    second = run_alerts()
    db.session.commit()
    return first, second


def signed_agreement(db, expires_on: date, country: str = "CO"):
    agreement = pipeline.record_country_agreement(
        get_country_or_404(country),
        programs=["QOPI"],
        counterparty="Ministerio de Salud",
        status="signed",
        signed_on=date(2024, 1, 1),
        expires_on=expires_on,
    )
    db.session.commit()
    return agreement


# --- agreements ----------------------------------------------------------------------------------


@freeze_time(NOW)
def test_an_agreement_30_days_from_expiry_gives_one_alert_not_two(db, owner):
    signed_agreement(db, TODAY + timedelta(days=30))
    first, second = run_twice(db)
    [alert] = alerts_of(db, owner, "agreement_expiring")
    assert alert.params["window"] == "30"
    assert (first.created, second.created) == (1, 0)


@pytest.mark.parametrize(
    ("days_left", "kind", "window"),
    [
        (91, None, None),
        (90, "agreement_expiring", "90"),
        (31, "agreement_expiring", "90"),
        (7, "agreement_expiring", "7"),
        (0, "agreement_expiring", "7"),  # the expiry day still counts (docs/domain.md#pipeline)
        (-1, "agreement_expired", "expired"),
    ],
)
@freeze_time(NOW)
def test_expiry_windows(db, owner, days_left, kind, window):
    signed_agreement(db, TODAY + timedelta(days=days_left))
    run_alerts()
    found = [(a.kind, a.params["window"]) for a in alerts_of(db, owner) if "agreement" in a.kind]
    assert found == ([] if kind is None else [(kind, window)])


def test_a_new_window_gives_a_new_alert(db, owner):
    with freeze_time(NOW):
        signed_agreement(db, TODAY + timedelta(days=30))
        run_alerts()
    with freeze_time("2026-12-25 17:00:00"):
        run_alerts()
    windows = [a.params["window"] for a in alerts_of(db, owner, "agreement_expiring")]
    assert windows == ["30", "7"]


@freeze_time(NOW)
def test_without_an_owner_alerts_go_to_the_admins(db, create_user):
    admin = create_user("admin")
    staff = create_user("staff")
    signed_agreement(db, TODAY + timedelta(days=7))
    run_alerts()
    assert len(alerts_of(db, admin, "agreement_expiring")) == 1
    assert alerts_of(db, staff) == []


# --- readiness -----------------------------------------------------------------------------------


def make_colombia_ready(db):
    """Five eligible practices, an approved privacy review and a signed agreement
    (docs/domain.md#readiness)."""
    submit_eligible(db, 5)
    country = get_country_or_404("CO")
    pipeline.record_privacy_review(country, programs=["QOPI", "QCP"], status="approved")
    pipeline.record_country_agreement(
        country,
        programs=["QOPI", "QCP"],
        counterparty="MinSalud",
        status="signed",
        signed_on=date(2026, 6, 1),
        expires_on=date(2029, 6, 1),
    )
    db.session.commit()


@freeze_time(NOW)
def test_a_readiness_change_appears_once_in_the_owners_digest_in_their_language(db, owner):
    make_colombia_ready(db)
    assert db.session.scalar(
        select(ReadinessChange).where(
            ReadinessChange.country_code == "CO",
            ReadinessChange.program_code == "QOPI",
            ReadinessChange.state == "ready",
        )
    )
    run_twice(db)
    [digest] = [d for d in digests(db) if d.recipient == owner.email]
    sentence = "QOPI quedó listo para lanzarse en Colombia."
    assert digest.language == "es"
    # QOPI became ready; QCP is near ready (only QOPI's launch is missing).
    assert digest.subject == "2 alertas nuevas del CRM de Programas Internacionales de Calidad"
    assert digest.text_body.count(sentence) == 1
    assert digest.html_body.count(sentence) == 1


@freeze_time(NOW)
def test_viewers_are_told_of_readiness_changes_only(db, owner, create_user):
    viewer = create_user("viewer")
    make_colombia_ready(db)
    signed_agreement(db, TODAY + timedelta(days=7), country="BR")
    run_alerts()
    assert {a.kind for a in alerts_of(db, viewer)} == {"readiness_change"}


@pytest.mark.parametrize(
    ("previous", "state", "notable"),
    [
        (None, "near_ready", True),
        ("blocked", "near_ready", True),
        ("near_ready", "ready", True),
        ("ready", "awaiting_capacity", True),
        ("ready", "near_ready", True),
        ("awaiting_capacity", "blocked", True),
        ("near_ready", "blocked", False),
        ("ready", "launched", False),
        (None, "blocked", False),
    ],
)
def test_which_readiness_changes_are_alerts(previous, state, notable):
    from crm.outreach.alerts import is_notable_change

    assert is_notable_change(previous, state) is notable


# --- privacy reviews, tasks, responses -----------------------------------------------------------


def test_a_privacy_review_unchanged_for_the_set_days_gives_one_alert(app, db, owner):
    app.config["PRIVACY_REVIEW_STALE_DAYS"] = 60
    with freeze_time("2026-09-01 15:00:00"):
        pipeline.record_privacy_review(
            get_country_or_404("CO"), programs=["QOPI"], status="in_review"
        )
        db.session.commit()
    with freeze_time("2026-10-30 15:00:00"):  # 59 days
        run_alerts()
    assert alerts_of(db, owner, "privacy_review_stale") == []
    with freeze_time("2026-10-31 15:00:00"):  # 60 days
        run_alerts()
        run_alerts()
    [alert] = alerts_of(db, owner, "privacy_review_stale")
    assert alert.params["days"] == 60


@freeze_time(NOW)
def test_tasks_due_and_overdue_go_to_their_owner(db, owner, create_user):
    colleague = create_user("staff")
    for title, due in (("Call counsel", TODAY), ("Send draft", TODAY - timedelta(days=3))):
        activities.add_task(title=title, owner=colleague, due_on=due, country_code="CO")
    activities.add_task(
        title="Later", owner=colleague, due_on=TODAY + timedelta(days=1), country_code="CO"
    )
    db.session.commit()
    run_twice(db)
    assert [a.kind for a in alerts_of(db, colleague)] == ["task_due", "task_overdue"]
    assert alerts_of(db, owner, "task_due") == []


@freeze_time(NOW)
def test_new_responses_are_reported_to_the_countrys_owner_per_day(db, owner, create_user):
    admin = create_user("admin")
    from datetime import UTC, datetime

    yesterday_noon = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    for n in range(2):
        submit_response(db, eligible_answers(n), at=yesterday_noon)
    submit_response(db, eligible_answers(9, country="PE"), at=yesterday_noon)
    # created_at is when intake stored them; backdate to yesterday as a day's responses would be.
    from crm.responses.models import SurveyResponse

    for response in db.session.scalars(select(SurveyResponse)):
        response.created_at = yesterday_noon
    db.session.commit()
    run_twice(db)
    [alert] = alerts_of(db, owner, "new_responses")
    assert alert.params == {"count": 2, "day": "2026-11-30"}
    assert alerts_of(db, admin, "new_responses") == []  # Peru has no owner: nobody


# --- digests -------------------------------------------------------------------------------------


@freeze_time(NOW)
def test_no_digest_for_a_user_who_takes_none(db, owner):
    owner.digest = "none"
    db.session.commit()
    signed_agreement(db, TODAY + timedelta(days=7))
    run_alerts()
    assert len(alerts_of(db, owner)) == 1
    assert digests(db) == []


def test_a_weekly_digest_goes_once_a_week(db, owner):
    owner.digest = "weekly"
    db.session.commit()
    with freeze_time("2026-11-30 17:00:00"):  # a Monday
        signed_agreement(db, date(2026, 12, 7))
        run_alerts()
    with freeze_time("2026-12-02 17:00:00"):  # Wednesday, same week: a new alert waits
        activities.add_task(title="Renew", owner=owner, due_on=date(2026, 12, 2), country_code="CO")
        db.session.commit()
        run_alerts()
    with freeze_time("2026-12-07 17:00:00"):  # next Monday
        run_alerts()
    assert len(digests(db)) == 2
    assert "Renew" in digests(db)[1].text_body


@freeze_time(NOW)
def test_read_alerts_stay_out_of_the_digest(db, owner, client, login):
    signed_agreement(db, TODAY + timedelta(days=7))
    owner.digest = "none"
    db.session.commit()
    run_alerts()
    db.session.commit()
    login(owner)
    client.post("/staff/alerts/read")
    owner.digest = "daily"
    db.session.commit()
    run_alerts()
    assert digests(db) == []


# --- the command, the in-app list, owners, preferences -------------------------------------------


@freeze_time(NOW)
def test_the_command_run_twice_sends_nothing_twice(app, db, owner):
    signed_agreement(db, TODAY + timedelta(days=30))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["alerts", "run"])
    second = runner.invoke(args=["alerts", "run"])
    assert first.exit_code == 0, first.output
    assert "1 new, 1 digests queued" in first.output
    assert "0 new, 0 digests queued" in second.output
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


@freeze_time(NOW)
def test_the_in_app_list_shows_alerts_in_the_users_language(db, owner, client, login):
    signed_agreement(db, TODAY + timedelta(days=7))
    run_alerts()
    db.session.commit()
    login(owner)
    html = client.get("/staff/alerts/").get_data(as_text=True)
    assert "El acuerdo con Ministerio de Salud para Colombia vence en 7 días" in html
    assert client.post("/staff/alerts/read").status_code == 303
    assert all(a.read_at is not None for a in alerts_of(db, owner))


def test_a_viewer_sees_their_alerts(db, client, create_user, login):
    viewer = create_user("viewer")
    login(viewer)
    assert client.get("/staff/alerts/").status_code == 200


def test_staff_choose_a_countrys_owner_and_it_is_audited(db, client, create_user, login):
    staff = create_user("staff")
    login(staff)
    response = client.post("/staff/countries/CO/owner", data={"owner": str(staff.id)})
    assert response.status_code == 303
    assert db.session.get(Country, "CO").owner_id == staff.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "country.owner"))
    assert event.changes == {"owner": [None, staff.email]}
    assert staff.email in client.get("/staff/countries/CO").get_data(as_text=True)


def test_a_viewer_cannot_own_a_country(db, client, create_user, login):
    staff, viewer = create_user("staff"), create_user("viewer")
    login(staff)
    client.post("/staff/countries/CO/owner", data={"owner": str(viewer.id)})
    assert db.session.get(Country, "CO").owner_id is None


def test_the_digest_is_chosen_on_the_account_page(db, client, create_user, login):
    user = create_user("viewer")
    login(user)
    response = client.post("/staff/account/", data={"name": "", "locale": "es", "digest": "weekly"})
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.digest == "weekly"
