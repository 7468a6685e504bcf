"""``/healthz`` and ``/readyz`` (docs/deploy.md#watch): JSON with each check, 200 or 503, no
session, no rate limit, no personal data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from crm.core.columns import utcnow
from crm.monitoring import operations as monitoring
from crm.outreach.models import OutboxMessage
from crm.responses import intake


def beat(db, seconds_ago: float = 0) -> None:
    monitoring.beat("test-worker", utcnow() - timedelta(seconds=seconds_ago))


def store_waiting(db, minutes_ago: float = 0) -> int:
    """A response stored, not filed, ``minutes_ago``; its id."""
    answers = {"practice_name": "Clínica Sol", "country": "BR", "name": "Ana Pérez",
               "email": "ana.secret@clinica.example"}  # fmt: skip
    response_id = intake.accept_response(
        answers, language="pt_BR", submission_token=f"t{minutes_ago}", consent_at=utcnow(),
        privacy_notice_version="2026-11-29",
    )  # fmt: skip
    db.session.execute(
        text("UPDATE survey_responses SET created_at = :at WHERE id = :id"),
        {"at": utcnow() - timedelta(minutes=minutes_ago), "id": response_id},
    )
    db.session.commit()
    return response_id


def checks(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    assert response.headers["Content-Type"] == "application/json"
    assert "Set-Cookie" not in response.headers
    return response.status_code, response.get_json()


def test_healthz_answers_without_a_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


def test_readyz_is_ready_with_a_worker_beating(client, db):
    beat(db)
    status, body = checks(client)
    assert status == 200
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "schema", "worker", "waiting_responses", "outbox"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["schema"]["revision"] in body["checks"]["schema"]["expected"]


def test_readyz_fails_without_any_worker(client):
    status, body = checks(client)
    assert status == 503
    assert body["status"] == "not ready"
    assert body["checks"]["worker"] == {"ok": False, "age_seconds": None, "limit_seconds": 60}
    assert body["checks"]["database"]["ok"]
    assert body["checks"]["schema"]["ok"]


def test_readyz_fails_when_the_heartbeat_is_older_than_its_limit(app, client, db):
    beat(db, seconds_ago=90)
    status, body = checks(client)
    assert status == 503
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["worker"]["age_seconds"] >= 90
    app.config["READY_HEARTBEAT_SECONDS"] = 120
    assert checks(client)[0] == 200


def test_readyz_fails_when_a_response_waits_too_long(client, db):
    beat(db)
    response_id = store_waiting(db, minutes_ago=1)
    status, body = checks(client)
    assert status == 200
    assert 50 < body["checks"]["waiting_responses"]["age_seconds"] < 120
    db.session.execute(
        text("UPDATE survey_responses SET created_at = :at WHERE id = :id"),
        {"at": utcnow() - timedelta(minutes=6), "id": response_id},
    )
    db.session.commit()
    status, body = checks(client)
    assert status == 503
    assert body["checks"]["waiting_responses"]["ok"] is False
    assert body["checks"]["waiting_responses"]["limit_seconds"] == 300


def test_readyz_says_nothing_personal(client, db):
    beat(db)
    store_waiting(db, minutes_ago=10)
    response = client.get("/readyz")
    assert b"ana.secret" not in response.data
    assert b"Ana" not in response.data


def email(db, status: str, due_minutes_ago: float, locked_minutes_ago: float | None = None):
    now = utcnow()
    row = OutboxMessage(
        kind="digest", recipient="someone@example.org", language="en", subject="s",
        text_body="t", status=status, next_attempt_at=now - timedelta(minutes=due_minutes_ago),
    )  # fmt: skip
    if locked_minutes_ago is not None:
        row.locked_by = "gone"
        row.locked_until = now - timedelta(minutes=locked_minutes_ago)
    db.session.add(row)
    db.session.commit()


def test_readyz_fails_when_an_email_is_due_too_long(client, db):
    beat(db)
    email(db, "queued", due_minutes_ago=-60)  # due in an hour: not late
    email(db, "queued", due_minutes_ago=5)
    status, body = checks(client)
    assert status == 200
    assert 250 < body["checks"]["outbox"]["age_seconds"] < 400
    email(db, "queued", due_minutes_ago=20)
    status, body = checks(client)
    assert status == 503
    assert body["checks"]["outbox"]["ok"] is False


def test_readyz_counts_a_lapsed_claim_as_due(client, db):
    beat(db)
    email(db, "sending", due_minutes_ago=0, locked_minutes_ago=30)
    status, body = checks(client)
    assert status == 503
    assert body["checks"]["outbox"]["age_seconds"] >= 30 * 60


def test_readyz_fails_when_the_schema_is_not_at_head(client, db):
    beat(db)
    db.session.execute(text("UPDATE alembic_version SET version_num = 'c41b7e5d9a28'"))
    db.session.commit()
    status, body = checks(client)
    assert status == 503
    assert body["checks"]["schema"] == {
        "ok": False, "revision": "c41b7e5d9a28", "expected": body["checks"]["schema"]["expected"],
    }  # fmt: skip
    assert "c41b7e5d9a28" not in body["checks"]["schema"]["expected"]


@pytest.fixture
def unreachable_app(tmp_path):
    from app import create_app
    from tests.conftest import BASE_OVERRIDES

    missing = tmp_path / "no-such-folder" / "crm.sqlite"
    return create_app({**BASE_OVERRIDES, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}"})


def test_readyz_answers_503_when_the_database_does_not(unreachable_app):
    with unreachable_app.app_context():
        response = unreachable_app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert body["checks"]["worker"] == {"ok": False, "skipped": True}
    healthz = unreachable_app.test_client().get("/healthz")
    assert healthz.status_code == 200


@pytest.mark.ratelimit
def test_health_endpoints_are_never_rate_limited(app, client, db):
    from crm.core.extensions import limiter

    app.config["RATELIMIT_DEFAULT"] = "2 per minute"
    limiter.init_app(app)  # the default limit is read when the limiter is bound
    beat(db)
    assert [client.get("/en/availability").status_code for _ in range(3)][-1] == 429
    assert {client.get("/readyz").status_code for _ in range(5)} == {200}
    assert {client.get("/healthz").status_code for _ in range(5)} == {200}
