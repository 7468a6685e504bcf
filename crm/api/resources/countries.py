"""API: countries and program availability (``/api/v1/countries``, ``/api/v1/availability``)."""

from __future__ import annotations

from flask_smorest import Blueprint, abort
from sqlalchemy import select

from crm.api import schemas
from crm.api.auth import api_requires, load_api_user
from crm.api.common import commit_or_refuse, documented_errors, paginate
from crm.api.serializers import availability_dict, country_dict
from crm.countries import operations as pipeline
from crm.countries.models import PROGRAM_CODES, Availability, Country
from crm.countries.queries import get_country_or_404
from crm.readiness.queries import availability_by_country

blp = Blueprint(
    "api_countries",
    __name__,
    url_prefix="/api/v1",
    description="Countries and program availability",
)
blp.before_request(load_api_user)


@blp.get("/countries")
@api_requires("viewer")
@blp.arguments(schemas.CountryQuery, location="query")
@blp.response(200, schemas.CountryPage)
@documented_errors(blp, 401, 403)
def list_countries(query):
    """Countries, filtered by region and by a program's availability status."""
    statement = select(Country).order_by(Country.code)
    if "region" in query:
        statement = statement.where(Country.region == query["region"])
    if "availability" in query:
        matching = select(Availability.country_code).where(
            Availability.status == query["availability"]
        )
        if "program" in query:
            matching = matching.where(Availability.program_code == query["program"])
        statement = statement.where(Country.code.in_(matching))
    page = paginate(statement, query["page"], query["page_size"])
    availability = availability_by_country([c.code for c in page["items"]])
    page["items"] = [country_dict(c, availability.get(c.code, {})) for c in page["items"]]
    return page


@blp.get("/countries/<string:code>")
@api_requires("viewer")
@blp.response(200, schemas.CountrySchema)
@documented_errors(blp, 401, 403, 404)
def get_country(code):
    """One country by ISO alpha-2 code."""
    country = get_country_or_404(code)
    return country_dict(country, availability_by_country([country.code]).get(country.code, {}))


@blp.get("/availability")
@api_requires("viewer")
@blp.arguments(schemas.AvailabilityQuery, location="query")
@blp.response(200, schemas.AvailabilityPage)
@documented_errors(blp, 401, 403)
def list_availability(query):
    """Availability of each program in each country, with its status."""
    statement = select(Availability).order_by(Availability.country_code, Availability.program_code)
    for key, column in (
        ("country", Availability.country_code),
        ("program", Availability.program_code),
        ("status", Availability.status),
    ):
        if key in query:
            statement = statement.where(column == query[key])
    page = paginate(statement, query["page"], query["page_size"])
    page["items"] = [availability_dict(a) for a in page["items"]]
    return page


# --- writes (staff and admins; the screens' operations, validation and audit trail) ---


@blp.put("/countries/<string:code>/availability/<string:program>")
@api_requires("staff")
@blp.arguments(schemas.AvailabilityUpdate)
@blp.response(200, schemas.AvailabilitySchema)
@documented_errors(blp, 401, 403, 404, 415)
def put_availability(values, code, program):
    """Set a program's availability in a country; the change joins its history."""
    country = get_country_or_404(code)
    if program not in PROGRAM_CODES:
        abort(404)
    row = commit_or_refuse(
        lambda: pipeline.set_availability(
            country,
            program,
            values["status"],
            since=values["since"],
            note=values["note"],
            source="api",
        )
    )
    return availability_dict(row)
