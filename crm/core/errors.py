"""Error pages in the user's language: a user's mistake is never a 500.

The error operations raise for input the database would reject, in the user's words.
"""

from __future__ import annotations

import logging
import traceback
from types import TracebackType

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
        401: (_("Sign-in required"), _("Send a valid API token or sign in first.")),
        403: (_("Not allowed"), _("Your account does not have access to this page.")),
        404: (_("Page not found"), _("The page you asked for does not exist or has moved.")),
        405: (_("Not allowed"), _("This address does not accept that kind of request.")),
        409: (_("Conflict"), _("This change conflicts with the current state of the record.")),
        413: (_("Too large"), _("What you sent is larger than this site accepts.")),
        415: (_("Unsupported content type"), _("Send this request as JSON.")),
        422: (_("Invalid input"), _("Some values are missing or not valid; see the field errors.")),
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


def render_error(code: int, detail: str | None = None, field_errors: dict | None = None):
    """The error page for ``code``, or under /api/ the JSON error object
    ``{"error": {"status", "title", "detail", "errors"?}}`` (``errors``: field → messages)."""
    title, message = _messages().get(code, _messages()[500])
    if wants_json():
        body = {"status": code, "title": title, "detail": detail or message}
        if field_errors:
            body["errors"] = field_errors
        headers = {"WWW-Authenticate": "Bearer"} if code == 401 else {}
        return {"error": body}, code, headers
    page = render_template("errors/error.html", code=code, title=title, message=detail or message)
    return page, code


def http_error_response(error: HTTPException):
    """Our answer to any HTTP error, with a validation error's field messages under /api/."""
    if error.code is None or error.code < 400:
        return error
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") if isinstance(data, dict) else None
    if isinstance(messages, dict) and len(messages) == 1:
        # webargs nests messages by location ("json", "query"); the field names are enough.
        messages = next(iter(messages.values()))
    return render_error(error.code, field_errors=messages)


def exception_chain(error: BaseException | None) -> list[str]:
    """Type names of ``error`` and the exceptions it was raised from or during, outermost first."""
    names, seen = [], set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        names.append(type(error).__name__)
        error = error.__cause__ or error.__context__
    return names


def without_values(error: BaseException) -> str:
    """``error`` for a log: its exception types and its stack (files, lines, functions), not
    its message. Messages quote values (an email typed in a form, SQL parameters, the failing
    row in PostgreSQL's DETAIL), and a log must hold no personal data."""
    stack = "".join(traceback.format_tb(error.__traceback__))
    chain = " <- ".join(exception_chain(error))
    return f"{chain} (message withheld: it may quote personal data)\n{stack}"


def log_exception_without_values(
    exc_info: tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None],
) -> None:
    """Replaces ``Flask.log_exception``, which logs ``str(exception)``: an unhandled exception
    of a request is logged by :func:`without_values`."""
    _type, error, _trace = exc_info
    described = without_values(error) if error is not None else "unknown error"
    logger.error("unhandled exception on %s %s: %s", request.method, request.path, described)


def init_app(app: Flask) -> None:
    """Register handlers for HTTP errors, CSRF failures and unexpected exceptions, and log those
    exceptions without their messages."""
    # An instance attribute: Flask calls ``self.log_exception(exc_info)`` for every 500.
    app.log_exception = log_exception_without_values  # type: ignore[method-assign]

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400, _("The form expired or was already sent. Please reload the page and try again.")
        )

    app.register_error_handler(HTTPException, http_error_response)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        # An exception was logged by ``log_exception_without_values``; an explicit abort(500)
        # was not.
        if getattr(error, "original_exception", None) is None:
            logger.error("500 on %s %s", request.method, request.path)
        return render_error(500)


class InvalidInput(ValueError):
    """Input an operation refuses: ``field`` names the form field it belongs to (or None for the
    whole form) and ``message`` is already translated for the user."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message
