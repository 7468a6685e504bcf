"""Logs: a request id on every request and log line, and ``LOG_FORMAT=json`` for one JSON object
per line on stdout (docs/deploy.md#logs, docs/decisions.md#json-logs).

The request id comes from the reverse proxy's ``X-Request-ID`` when ``TRUSTED_PROXIES`` says
one is in front (and the value is a plain token), else it is made here; it is sent back as
``X-Request-ID`` and written with each line logged while the request runs. With JSON, and
under gunicorn (``crm.core.serving``), each request also gets one ``crm.access`` line: method,
path without its query string (queries carry names and emails), endpoint, status and
duration. What is never logged stays as before:
messages of exceptions (``crm.core.errors.without_values``), SQL parameters, query strings.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
import uuid
from contextvars import ContextVar

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
#: What an incoming request id may look like: letters, digits and ``.-_:``, up to 64.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
#: The fields of a JSON line, in order, and their names there.
JSON_FIELDS = "{asctime}{levelname}{name}{message}{request_id}"
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}

access_log = logging.getLogger("crm.access")
_request_id: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Gives every record a ``request_id`` attribute: the running request's, else ``-``."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record, with its ``request_id``."""
        if not hasattr(record, "request_id"):
            record.request_id = (
                g.get("request_id", "-") if has_request_context() else _request_id.get()
            )
        return True


def json_formatter() -> JsonFormatter:
    """The JSON formatter: ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message``,
    ``request_id``, and any ``extra`` fields a call passes."""
    formatter = JsonFormatter(
        JSON_FIELDS, style="{", rename_fields=RENAMED, json_ensure_ascii=False
    )
    formatter.converter = time.gmtime
    formatter.default_time_format = "%Y-%m-%dT%H:%M:%S"
    formatter.default_msec_format = "%s.%03dZ"
    return formatter


def configure(log_format: str) -> None:
    """Set up the root logger once per process: ``json`` writes JSON lines to stdout, ``text``
    keeps Python's basic format on stderr (INFO and up); both add :class:`RequestIdFilter`."""
    root = logging.getLogger()
    if getattr(root, "_crm_log_format", None) == log_format:
        return
    if log_format == "json":
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(json_formatter())
        for old in list(root.handlers):
            root.removeHandler(old)
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    else:
        logging.basicConfig(level=logging.INFO)
    for handler in root.handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
    root._crm_log_format = log_format  # type: ignore[attr-defined]


def _incoming_id(trusted: bool) -> str | None:
    value = request.headers.get(REQUEST_ID_HEADER, "") if trusted else ""
    return value if REQUEST_ID.fullmatch(value) else None


def _writes_access_lines() -> bool:
    """With JSON logs, and under the production server's configuration
    (``crm.core.serving`` sets ``CRM_ACCESS_LOG``); the development server writes its own."""
    json_logs = getattr(logging.getLogger(), "_crm_log_format", "") == "json"
    return json_logs or os.environ.get("CRM_ACCESS_LOG") == "1"


def logged_path() -> str:
    """The request's path for the access log, never its query string; a route whose path
    carries a secret (an invitation's, an unsubscribe or a resume token, a key) is logged as
    its rule, ``/<lang>/survey/i/<token>``, not its values."""
    rule = request.url_rule
    if rule is not None and any("token" in name or "key" in name for name in rule.arguments):
        return rule.rule
    return request.path


def _begin() -> None:
    trusted = bool(request.environ.get("werkzeug.proxy_fix.orig"))
    g.request_id = _incoming_id(trusted) or uuid.uuid4().hex
    g.log_started = time.perf_counter()


def _end(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("log_started")
    if started is not None and _writes_access_lines():
        path = logged_path()
        access_log.info(
            "%s %s %s",
            request.method,
            path,
            response.status_code,
            extra={
                "method": request.method,
                "path": path,
                "endpoint": request.endpoint,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
    return response


def init_app(app: Flask) -> None:
    """Configure logging from ``LOG_FORMAT`` and give every request its id."""
    configure(app.config.get("LOG_FORMAT", "text"))
    app.before_request(_begin)
    app.after_request(_end)
