"""API: practices and survey responses (``/api/v1/practices``, ``/api/v1/responses``).

They hold personal data: staff and admins only, and every read is recorded in the audit trail
as an export is (``docs/domain.md#roles``)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.api import schemas
from crm.api.auth import api_requires, load_api_user
from crm.api.common import documented_errors, paginate
from crm.api.serializers import practice_dict, response_dict
from crm.core.extensions import db
from crm.data.operations import record_export_now
from crm.responses.models import Practice, SurveyResponse

blp = Blueprint(
    "api_survey",
    __name__,
    url_prefix="/api/v1",
    description="Practices and survey responses (staff only)",
)
blp.before_request(load_api_user)


def _audit_personal_read(kind: str, filters: dict[str, Any], rows: int) -> None:
    """Record a read of personal data through the API as the screens record an export
    (``docs/domain.md#roles``): ``kind`` (``responses``, ``practices``), the query it was
    taken with, rows returned."""
    record_export_now(kind, "api", {k: str(v) for k, v in filters.items()}, rows)


@blp.get("/practices")
@api_requires("staff")
@blp.arguments(schemas.PracticeQuery, location="query")
@blp.response(200, schemas.PracticePage)
@documented_errors(blp, 401, 403)
def list_practices(query):
    """Practices with their current interest per program."""
    statement = select(Practice).options(selectinload(Practice.interests)).order_by(Practice.id)
    if "country" in query:
        statement = statement.where(Practice.country_code == query["country"])
    if "program" in query:
        statement = statement.where(Practice.interests.any(program_code=query["program"]))
    if query.get("q"):
        statement = statement.where(Practice.name.ilike(f"%{query['q']}%"))
    page = paginate(statement, query["page"], query["page_size"])
    page["items"] = [practice_dict(p) for p in page["items"]]
    _audit_personal_read("practices", query, len(page["items"]))
    return page


@blp.get("/practices/<int:practice_id>")
@api_requires("staff")
@blp.response(200, schemas.PracticeSchema)
@documented_errors(blp, 401, 403, 404)
def get_practice(practice_id):
    """One practice."""
    found = practice_dict(db.get_or_404(Practice, practice_id))
    _audit_personal_read("practices", {"id": practice_id}, 1)
    return found


@blp.get("/responses")
@api_requires("staff")
@blp.arguments(schemas.ResponseQuery, location="query")
@blp.response(200, schemas.ResponsePage)
@documented_errors(blp, 401, 403)
def list_responses(query):
    """Survey responses with their raw answers, newest first."""
    statement = select(SurveyResponse).order_by(
        SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc()
    )
    for key, column in (
        ("country", SurveyResponse.country_code),
        ("status", SurveyResponse.triage_status),
        ("language", SurveyResponse.language),
    ):
        if key in query:
            statement = statement.where(column == query[key])
    # A response the worker has not filed yet has no triage: a status selects filed ones only.
    if query.get("filed") is False:
        statement = statement.where(SurveyResponse.filed_at.is_(None))
    elif query.get("filed") or "status" in query:
        statement = statement.where(SurveyResponse.filed_at.is_not(None))
    page = paginate(statement, query["page"], query["page_size"])
    page["items"] = [response_dict(r) for r in page["items"]]
    _audit_personal_read("responses", query, len(page["items"]))
    return page


@blp.get("/responses/<int:response_id>")
@api_requires("staff")
@blp.response(200, schemas.ResponseSchema)
@documented_errors(blp, 401, 403, 404)
def get_response(response_id):
    """One survey response."""
    found = response_dict(db.get_or_404(SurveyResponse, response_id))
    _audit_personal_read("responses", {"id": response_id}, 1)
    return found
