"""Error pages in the user's language: a user's mistake is never a 500."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

logger = logging.getLogger(__name__)


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (
            _("Bad request"),
            _("The request could not be understood. Please go back and try again."),
        ),
        403: (_("Not allowed"), _("Your account does not have access to this page.")),
        404: (_("Page not found"), _("The page you asked for does not exist or has moved.")),
        405: (_("Not allowed"), _("This address does not accept that kind of request.")),
        413: (_("Too large"), _("What you sent is larger than this site accepts.")),
        429: (
            _("Too many attempts"),
            _(
                "You have sent too many requests in a short time. Please wait a few minutes and try again."  # noqa: E501
            ),
        ),
        500: (_("Something went wrong"), _("An unexpected error occurred. It has been logged.")),
    }


def wants_json() -> bool:
    """True for API requests, which get JSON error objects instead of pages."""
    return request.path.startswith("/api/")


def render_error(code: int, detail: str | None = None):
    """The error page for ``code`` (or a JSON error object under /api/)."""
    title, message = _messages().get(code, _messages()[500])
    if wants_json():
        return {"error": {"status": code, "title": title, "detail": detail or message}}, code
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def init_app(app: Flask) -> None:
    """Register handlers for HTTP errors, CSRF failures and unexpected exceptions."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400, _("The form expired or was already sent. Please reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        # Log the exception type and path only: the request may carry personal data.
        original = getattr(error, "original_exception", None)
        logger.error("unhandled %s on %s %s", type(original).__name__, request.method, request.path)
        return render_error(500)
