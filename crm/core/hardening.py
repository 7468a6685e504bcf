"""HTTP hardening: security headers (Flask-Talisman) and production guards.

The Content-Security-Policy allows no inline script or style and no third-party origin: every
script and stylesheet is served by the app (no CDN). HSTS only outside the embedded
default, where TLS is terminated in front of the app.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask, Response, abort, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from flask_smorest import abort as abort_with_messages
from flask_talisman import Talisman

from config import ConfigError

talisman = Talisman()

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


#: Characters a JSON string may carry that would be markup in HTML, and their JSON escapes.
HTML_SAFE_JSON = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"}


class HtmlSafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with ``< > & '`` written as ``\\uXXXX`` escapes (as Jinja's ``|tojson``).

    Any JSON parser reads the same values; a client that pastes API output into a page or a
    script element gets text, not markup. Outside strings JSON has none of these characters,
    so the replacement only ever touches string contents.
    """

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """``obj`` as JSON text with the HTML-significant characters escaped."""
        text = super().dumps(obj, **kwargs)
        for character, replacement in HTML_SAFE_JSON.items():
            text = text.replace(character, replacement)
        return text


class QueryStringRedaction(logging.Filter):
    """Request lines of the development server (``flask run``, the embedded default) without
    their query strings: searches carry names and email addresses, and a log must not. A
    production server's access log needs the same (README)."""

    QUERY = re.compile(r"\?[^\s\x1b]*")

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record, its request line (first argument) cut at the ``?``."""
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            record.args = (self.QUERY.sub("?…", record.args[0], count=1), *record.args[1:])
        return True


def carries_nul(value: Any) -> bool:
    """True when ``value`` (text, or lists/dicts of them as parsed JSON gives) holds a NUL
    character anywhere, keys included."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(carries_nul(k) or carries_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(carries_nul(item) for item in value)
    return False


def _fields_with_nul(pairs: Any) -> dict[str, list[str]]:
    fields = [key or "_form" for key, value in pairs if carries_nul([key, value])]
    if not fields:
        return {}
    message = _("This text contains a NUL character, which is not accepted.")
    return {field: [message] for field in fields}


def refuse_nul_characters() -> None:
    """Refuse a request whose path, query, form or JSON carries a NUL character (U+0000).

    No person types one, and PostgreSQL cannot store or even compare one in a text column, so
    it would otherwise reach the database as a 500 (CI on PostgreSQL, schemathesis). Pages get
    the 400 page; under /api/ a path gets 404 (it names nothing) and query or body fields 422
    with the field named. Uploaded files are the import's to judge (``crm.data.imports``).
    """
    if carries_nul(request.view_args or {}):
        abort(404)
    fields = _fields_with_nul(request.args.items(multi=True))
    fields |= _fields_with_nul(request.form.items(multi=True))
    if request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            fields |= _fields_with_nul(body.items())
        elif carries_nul(body):
            fields["_form"] = _fields_with_nul([("", body)])["_form"]
    if not fields:
        return
    if request.path.startswith("/api/"):
        abort_with_messages(422, messages={"json": fields})
    abort(400)


def refuse_nul_in_blueprints(app: Flask) -> None:
    """Run :func:`refuse_nul_characters` last among each registered blueprint's
    ``before_request`` hooks (call after registering them): a blueprint's own hook may set a
    smaller body limit first, as the survey does (its oversized body must get its own answer)."""
    for name in app.blueprints:
        hooks = app.before_request_funcs.setdefault(name, [])
        if refuse_nul_characters not in hooks:
            hooks.append(refuse_nul_characters)


def init_app(app: Flask) -> None:
    """Add the security headers to every response, make JSON HTML-safe, keep query strings out
    of the development server's log; refuse debug mode in production.

    Raises ``ConfigError`` when production runs with ``DEBUG`` on.
    """
    if app.config["CRM_PRODUCTION"] and app.debug:
        raise ConfigError("debug mode must be off in production")
    app.json = HtmlSafeJSONProvider(app)
    request_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, QueryStringRedaction) for f in request_log.filters):
        request_log.addFilter(QueryStringRedaction())
    embedded = app.config["CRM_EMBEDDED"]
    talisman.init_app(
        app,
        # TLS ends at the proxy; redirecting here would loop behind it.
        force_https=False,
        frame_options="DENY",
        strict_transport_security=not embedded,
        content_security_policy=CONTENT_SECURITY_POLICY,
        # strict-origin-when-cross-origin keeps Flask-WTF's HTTPS referer check working
        # (no-referrer sends no Referer, and the check then refuses every HTTPS form).
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
    app.after_request(keep_private_pages_out_of_caches)


#: Paths whose answers show personal data or negotiations in progress (staff screens and the
#: API): no browser or proxy cache may keep a copy. (The survey's answers to a POST, which show
#: what was typed, are not stored by caches: RFC 9111 caches no POST answer without freshness.)
PRIVATE_PREFIXES = ("/staff/", "/api/")
#: Public answers under those prefixes, with caching of their own (ETag).
CACHEABLE_PATHS = ("/api/v1/public/", "/api/v1/openapi.json")


def keep_private_pages_out_of_caches(response: Response) -> Response:
    """``Cache-Control: no-store`` on staff pages, downloads and API answers (the public feed
    and the OpenAPI document excepted), so no shared or back-button copy shows someone's data
    after logout."""
    path = request.path
    if path.startswith(PRIVATE_PREFIXES) and not path.startswith(CACHEABLE_PATHS):
        response.headers["Cache-Control"] = "no-store"
    return response
