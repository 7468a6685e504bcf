"""HTTP hardening: security headers (Flask-Talisman) and production guards (issue 6).

The Content-Security-Policy allows no inline script or style and no third-party origin: every
script and stylesheet is served by the app (no CDN, SPEC §5). HSTS only outside the embedded
default, where TLS is terminated in front of the app.
"""

from __future__ import annotations

from flask import Flask
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


def init_app(app: Flask) -> None:
    """Add the security headers to every response; refuse debug mode in production.

    Raises ``ConfigError`` when production runs with ``DEBUG`` on.
    """
    if app.config["CRM_PRODUCTION"] and app.debug:
        raise ConfigError("debug mode must be off in production")
    embedded = app.config["CRM_EMBEDDED"]
    talisman.init_app(
        app,
        # TLS ends at the proxy; redirecting here would loop behind it.
        force_https=False,
        frame_options="DENY",
        strict_transport_security=not embedded,
        content_security_policy=CONTENT_SECURITY_POLICY,
        # strict-origin-when-cross-origin keeps Flask-WTF's HTTPS referer check working
        # (PITFALLS.md: no-referrer breaks it).
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
