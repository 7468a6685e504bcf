"""What every API resource module uses: the documented error answers, pages of rows, and
writes that commit or answer 422 with the operation's message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_smorest import Blueprint, abort
from sqlalchemy import Select, func, select

from crm.api import schemas
from crm.core.errors import InvalidInput
from crm.core.extensions import db

ERRORS = {
    401: "Missing, wrong or revoked token",
    403: "The token's role does not allow this",
    415: "The body is not JSON (send Content-Type: application/json)",
}


def documented_errors(blp: Blueprint, *codes: int):
    """Declare the error answers a view can give, with the shared error schema."""

    def decorator(view):
        for code in codes:
            view = blp.alt_response(
                code, schema=schemas.ApiErrorSchema, description=ERRORS.get(code, "Error")
            )(view)
        return view

    return decorator


def paginate(statement: Select, page: int, page_size: int) -> dict[str, Any]:
    """``{"page", "page_size", "total", "items"}`` for a select of ORM rows (SQL LIMIT/OFFSET)."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = db.session.scalars(statement.limit(page_size).offset((page - 1) * page_size)).all()
    return {"page": page, "page_size": page_size, "total": total, "items": items}


def refused(error: InvalidInput):
    """Answer 422 with the operation's message under its field (``_form`` for the whole)."""
    abort(422, messages={"json": {error.field or "_form": [error.message]}})


def commit_or_refuse(operation: Callable[[], Any]) -> Any:
    """Run a write (the screens' operation, validation and audit trail) and commit; an
    ``InvalidInput`` rolls back and answers 422 (:func:`refused`). Returns what the operation
    returned."""
    try:
        result = operation()
    except InvalidInput as error:
        db.session.rollback()
        refused(error)
    db.session.commit()
    return result
