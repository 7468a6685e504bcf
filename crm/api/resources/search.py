"""API: the global search (``GET /api/v1/search?q=``), as the staff header's: viewers find
countries only (docs/decisions.md#search-index). A search that can return people is recorded
in the audit trail like any read of personal data through the API (docs/domain.md#roles)."""

from __future__ import annotations

from flask import url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from crm.api.auth import api_requires, api_user, load_api_user
from crm.api.common import documented_errors
from crm.core.access import has_level
from crm.data.operations import record_export_now
from crm.search.queries import search

blp = Blueprint(
    "api_search",
    __name__,
    url_prefix="/api/v1",
    description="Search countries, practices, contacts, responses and tasks",
)
blp.before_request(load_api_user)


class SearchQuery(Schema):
    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Words to find; case, accents and punctuation do not matter"},
    )


class SearchHit(Schema):
    kind = fields.String(required=True)
    id = fields.Raw(required=True, metadata={"description": "Integer id, or a country's code"})
    title = fields.String(required=True)
    detail = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "The staff page"})


class SearchResults(Schema):
    q = fields.String(required=True)
    kinds = fields.List(fields.String(), required=True, metadata={
        "description": "Kinds searched: countries, and for staff practices, contacts, "
        "responses and tasks"})  # fmt: skip
    more = fields.List(fields.String(), required=True, metadata={
        "description": "Kinds with more matches than returned"})  # fmt: skip
    items = fields.List(fields.Nested(SearchHit), required=True)


@blp.get("/search")
@api_requires("viewer")
@blp.arguments(SearchQuery, location="query")
@blp.response(200, SearchResults)
@documented_errors(blp, 401, 403, 422)
def search_everything(query):
    """Newest matches of each kind the caller may read (viewers: countries)."""
    people = has_level(api_user(), "staff")
    results = search(query["q"], people=people)
    items = [
        {"kind": hit.kind, "id": hit.id, "title": hit.title, "detail": hit.detail,
         "url": url_for(hit.endpoint, **hit.values)}
        for hits in results.groups.values() for hit in hits
    ]  # fmt: skip
    if people:
        record_export_now("search", "api", {"q": query["q"]}, len(items))
    return {"q": query["q"], "kinds": list(results.groups), "more": sorted(results.more),
            "items": items}  # fmt: skip
