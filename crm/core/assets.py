"""Light pages on the wire (docs/decisions.md#compression): responses compressed, static files
fingerprinted and cached for a year.

- **Flask-Compress** compresses HTML, CSS, JavaScript, SVG and JSON with Brotli or gzip, as the
  browser's ``Accept-Encoding`` allows; static files too (read whole first: a few hundred KB).
- **Flask-Static-Digest** gives every static file a name carrying the MD5 of its content
  (``flask --app app digest compile``, run by ``make assets``); templates link them with
  ``static_url_for('static', filename=...)``. Without its manifest (assets not built) the plain
  names are used.
- A fingerprinted file never changes under its name, so it is sent with a year's
  ``max-age, immutable``; a plain name keeps Flask's revalidation (``no-cache`` and ETag).
"""

from __future__ import annotations

import re

from flask import Flask, Response, current_app, g, request
from flask_compress import Compress
from flask_static_digest import FlaskStaticDigest

compress = Compress()
static_digest = FlaskStaticDigest()

#: A year, in seconds: how long a browser may keep a fingerprinted file.
YEAR_SECONDS = 365 * 24 * 60 * 60
#: Flask-Static-Digest's name of a fingerprinted file: ``name-<32 hex digits>.ext``.
FINGERPRINTED = re.compile(r"-[0-9a-f]{32}\.[A-Za-z0-9]+$")
#: What is compressed: text, scripts, styles, the map, JSON.
COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/csv",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
]


def is_fingerprinted(filename: str) -> bool:
    """Whether a static file's name carries its content's digest."""
    return bool(FINGERPRINTED.search(filename))


def _static_file(response: Response) -> Response:
    if request.endpoint != "static":
        return response
    if response.status_code == 200 and response.direct_passthrough:
        # Read the file into the response (it is closed when the response is), so that
        # Flask-Compress compresses it whole rather than through its streaming path, which
        # leaves the file open.
        response.direct_passthrough = False
        response.make_sequence()
    filename = (request.view_args or {}).get("filename", "")
    if response.status_code in (200, 304) and is_fingerprinted(filename):
        response.headers["Cache-Control"] = f"public, max-age={YEAR_SECONDS}, immutable"
    return response


def _compress(response: Response) -> Response:
    """Flask-Compress's compression, except for a response that carries the session's CSRF
    token (an HTML form, or Flask-Security's JSON answers): compressing a secret beside text an
    attacker can echo into the page (a search box, a query string) lets its compressed length
    reveal the secret a guess at a time (BREACH; docs/decisions.md#compression)."""
    if current_app.config["WTF_CSRF_FIELD_NAME"] in g:
        return response
    return compress.after_request(response)


def init_app(app: Flask) -> None:
    """Compression, fingerprinted static names (``static_url_for`` in templates) and their
    cache headers. Call after the blueprints are registered."""
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "deflate"])
    app.config.setdefault("FLASK_STATIC_DIGEST_COMPRESSION", [])
    app.config.setdefault("FLASK_STATIC_DIGEST_BLACKLIST_FILTER", [".md"])
    app.config["COMPRESS_REGISTER"] = False  # _compress decides, then calls it
    compress.init_app(app)
    app.after_request(_compress)
    static_digest.init_app(app)
    app.after_request(_static_file)
