"""Request ids and ``LOG_FORMAT=json`` (docs/deploy.md#logs): one JSON object per line on
stdout, each with the request's id, which is also sent as ``X-Request-ID``; what is never
logged (exception messages, query strings, secrets in paths) stays out."""

from __future__ import annotations

import io
import json
import logging
import re
import sys

import pytest
from flask import request
from pythonjsonlogger.json import JsonFormatter

from crm.core import logs


@pytest.fixture
def json_logs(app):
    """The root logger writing JSON lines (to a buffer standing for stdout) for this test,
    then as it was."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, getattr(root, "_crm_log_format", None))
    root._crm_log_format = None
    logs.configure("json")
    (handler,) = [h for h in root.handlers if isinstance(h.formatter, JsonFormatter)]
    assert handler.stream is sys.stdout
    buffer = io.StringIO()
    handler.setStream(buffer)

    def lines() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines() if line]

    yield lines
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    root._crm_log_format = saved[2]


def test_every_answer_carries_a_request_id(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_a_request_id_from_the_client_is_ignored_without_a_proxy(client):
    sent = client.get("/healthz", headers={"X-Request-ID": "forged-by-client"})
    assert sent.headers["X-Request-ID"] != "forged-by-client"


def test_the_proxys_request_id_is_kept_behind_trusted_proxies(make_app):
    client = make_app(TRUSTED_PROXIES=1).test_client()
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"]
        == "abc-123"
    )
    odd = client.get("/healthz", headers={"X-Request-ID": "a b <script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["X-Request-ID"])


def test_json_lines_carry_the_request_id(app, client, json_logs):
    @app.get("/test-log-line")
    def log_line():
        logging.getLogger("crm.test").warning("something happened to response %s", 42)
        return "ok"

    answer = client.get("/test-log-line?email=ana%40example.org")
    lines = json_logs()
    request_id = answer.headers["X-Request-ID"]
    line = next(item for item in lines if item["logger"] == "crm.test")
    assert line["message"] == "something happened to response 42"
    assert line["level"] == "WARNING"
    assert line["request_id"] == request_id
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    access = next(item for item in lines if item["logger"] == "crm.access")
    assert (access["method"], access["path"], access["status"]) == ("GET", "/test-log-line", 200)
    assert access["request_id"] == request_id
    assert access["duration_ms"] >= 0
    assert "ana" not in json.dumps(lines)


def test_json_access_lines_keep_secrets_in_paths_out(client, json_logs):
    client.get("/unsubscribe/secret-token-value-123")
    text = json.dumps(json_logs())
    assert "secret-token-value-123" not in text
    assert "/unsubscribe/<token>" in text


def test_an_unhandled_error_is_logged_without_its_message(app, client, json_logs):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answered 500, as in production

    @app.get("/test-boom")
    def boom():
        typed = request.args["email"]
        raise ValueError(f"cannot store {typed}")

    assert client.get("/test-boom?email=ana.secret%40example.org").status_code == 500
    lines = json_logs()
    assert "ana.secret" not in json.dumps(lines)
    error = next(item for item in lines if item["level"] == "ERROR")
    assert "ValueError" in error["message"]
    assert error["request_id"]


def test_log_format_is_a_setting():
    from config import ConfigError, load_config

    assert load_config({})["LOG_FORMAT"] == "text"
    assert load_config({"LOG_FORMAT": "JSON"})["LOG_FORMAT"] == "json"
    with pytest.raises(ConfigError):
        load_config({"LOG_FORMAT": "xml"})
