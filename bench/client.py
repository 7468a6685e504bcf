"""The bench's HTTP client: one request at a time to 127.0.0.1, a staff login, a respondent's
session."""

from __future__ import annotations

import http.client
import re
from urllib.parse import urlencode

from bench.common import STAFF_PASSWORD, USER_AGENT


def http_request(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request to 127.0.0.1:port, redirects not followed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    try:
        conn.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def session_cookie(headers: http.client.HTTPMessage, previous: str = "") -> str:
    """The ``name=value`` of the session cookie the response set (else ``previous``)."""
    for header in headers.get_all("Set-Cookie") or []:
        pair = header.split(";", 1)[0]
        if pair.startswith("session="):
            return pair
    return previous


def csrf_token(html: bytes) -> str:
    """The value of the page's ``csrf_token`` hidden field."""
    for tag in re.findall(rb"<input[^>]*>", html):
        if b'name="csrf_token"' in tag:
            return re.search(rb'value="([^"]*)"', tag).group(1).decode()
    raise RuntimeError("no csrf_token field on the page")


def login(port: int, email: str) -> str:
    """Log in through /staff/login; returns the session cookie."""
    status, headers, body = http_request(port, "GET", "/staff/login")
    cookie = session_cookie(headers)
    form = urlencode({"email": email, "password": STAFF_PASSWORD, "csrf_token": csrf_token(body)})
    status, headers, body = http_request(
        port,
        "POST",
        "/staff/login",
        form.encode(),
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    if status not in (302, 303):
        raise RuntimeError(f"login failed ({status}): {body[:300]!r}")
    return session_cookie(headers, cookie)


def survey_session(port: int) -> tuple[str, str]:
    """The session cookie and CSRF token a respondent gets from GET /en/survey."""
    status, headers, body = http_request(port, "GET", "/en/survey")
    if status != 200:
        raise RuntimeError(f"GET /en/survey answered {status}")
    return session_cookie(headers), csrf_token(body)
