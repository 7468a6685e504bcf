"""``/metrics`` (docs/deploy.md#watch): Prometheus text with the request histogram, survey
submits, the queue, the outbox, the worker's heartbeat and readiness, to a bearer of
``METRICS_TOKEN`` or an address of ``METRICS_ALLOW`` only."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from prometheus_client.parser import text_string_to_metric_families

from crm.core.columns import utcnow
from crm.monitoring import operations as monitoring
from crm.readiness.operations import record_todays_readiness
from crm.readiness.queries import readiness_board
from tests.surveys.support import valid_form

TOKEN = "metrics-test-token-0123456789"


@pytest.fixture
def scrape(app, client):
    app.config["METRICS_TOKEN"] = TOKEN

    def get() -> dict[tuple[str, tuple], float]:
        response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        assert "Set-Cookie" not in response.headers
        samples = {}
        for family in text_string_to_metric_families(response.get_data(as_text=True)):
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return samples

    return get


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_refused_without_token_or_allowed_address(app, client):
    assert client.get("/metrics").status_code == 403
    app.config["METRICS_TOKEN"] = TOKEN
    refused = client.get("/metrics")
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    assert b"crm_" not in refused.data + wrong.data


def test_metrics_answer_an_allowed_address(app, client):
    app.config["METRICS_ALLOW"] = ("10.0.0.0/8",)
    assert client.get("/metrics").status_code == 403  # the test client is 127.0.0.1
    app.config["METRICS_ALLOW"] = ("10.0.0.0/8", "127.0.0.0/8")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert b"crm_readiness_countries" in response.data


def test_requests_are_counted_by_endpoint_and_status(scrape, client):
    before = scrape()
    name = "crm_http_request_duration_seconds_count"
    labels = {"endpoint": "monitoring.healthz", "method": "GET", "status": "200"}
    for _ in range(3):
        client.get("/healthz")
    assert client.get("/no/such/page/here").status_code == 404
    after = scrape()
    assert value(after, name, **labels) - value(before, name, **labels) == 3
    missing = {"endpoint": "none", "method": "GET", "status": "404"}
    assert value(after, name, **missing) - value(before, name, **missing) == 1
    bucket = "crm_http_request_duration_seconds_bucket"
    assert value(after, bucket, **labels, le="+Inf") == value(after, name, **labels)


def test_survey_submits_and_the_waiting_queue(app, scrape, client):
    app.config["SURVEY_FILING"] = "worker"
    before = scrape()
    assert value(before, "crm_responses_waiting") == 0
    form = valid_form()
    assert client.post("/pt/survey", data=form).status_code == 303
    assert client.post("/pt/survey", data=form).status_code == 303  # the same submit again
    after = scrape()
    stored = {"source": "web", "result": "stored"}
    duplicate = {"source": "web", "result": "duplicate"}
    submits = "crm_survey_submits_total"
    assert value(after, submits, **stored) - value(before, submits, **stored) == 1
    assert value(after, submits, **duplicate) - value(before, submits, **duplicate) == 1
    assert value(after, "crm_responses_waiting") == 1
    assert value(after, "crm_responses_oldest_waiting_age_seconds") >= 0


def test_outbox_worker_and_readiness_gauges(scrape, db):
    samples = scrape()
    assert value(samples, "crm_worker_heartbeat_age_seconds") == -1
    assert value(samples, "crm_workers_beating") == 0
    for status in ("queued", "sending", "failed"):
        assert ("crm_outbox_messages", (("status", status),)) in samples
    monitoring.beat("test-worker", utcnow())
    samples = scrape()
    assert 0 <= value(samples, "crm_worker_heartbeat_age_seconds") < 5
    assert value(samples, "crm_workers_beating") == 1
    assert not [name for (name, _labels) in samples if name == "crm_readiness_countries"]


def test_readiness_gauges_count_the_recorded_states_as_the_board_has_them(scrape, db):
    """Before any state is recorded there is no readiness gauge; once the daily job recorded
    them, each (program, state) counts the countries the board has in it (0 for the others)."""
    assert not [name for (name, _labels) in scrape() if name == "crm_readiness_countries"]
    record_todays_readiness()
    db.session.commit()
    board = Counter((row.program, str(row.state)) for row in readiness_board())
    samples = scrape()
    gauges = {
        (dict(labels)["program"], dict(labels)["state"]): count
        for (name, labels), count in samples.items()
        if name == "crm_readiness_countries"
    }
    assert {pair: count for pair, count in gauges.items() if count} == dict(board)
    assert {program for program, _state in gauges} == {program for program, _state in board}
    assert sum(n for (program, _state), n in gauges.items() if program == "QOPI") > 200


def test_metric_names_follow_prometheus_conventions(scrape):
    for name, _labels in scrape():
        assert re.fullmatch(r"[a-z_][a-z0-9_]*", name)
