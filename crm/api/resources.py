"""API resources: thin views that validate with the schemas, query, and serialize."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext
from flask_smorest import Blueprint, abort
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from crm.api import schemas
from crm.api.auth import api_requires, load_api_user
from crm.core.access import public
from crm.core.errors import InvalidInput
from crm.core.extensions import db
from crm.core.i18n import LOCALES, country_name
from crm.countries import operations as pipeline
from crm.countries.models import (
    Availability,
    Country,
    CountryAgreement,
    CountryThreshold,
    PrivacyReview,
    Program,
)
from crm.countries.queries import get_country_or_404
from crm.data.operations import record_export_now
from crm.readiness import rules as readiness
from crm.readiness import wording
from crm.readiness.queries import availability_by_country, readiness_board
from crm.responses.models import Practice, SurveyResponse

ERRORS = {
    401: "Missing, wrong or revoked token",
    403: "The token's role does not allow this",
    415: "The body is not JSON (send Content-Type: application/json)",
}

countries_blp = Blueprint(
    "api_countries",
    __name__,
    url_prefix="/api/v1",
    description="Countries and program availability",
)
pipeline_blp = Blueprint(
    "api_pipeline",
    __name__,
    url_prefix="/api/v1",
    description="Privacy reviews, country agreements and thresholds",
)
survey_blp = Blueprint(
    "api_survey",
    __name__,
    url_prefix="/api/v1",
    description="Practices and survey responses (staff only)",
)
public_blp = Blueprint(
    "api_public",
    __name__,
    url_prefix="/api/v1/public",
    description="Public data for the society's website; no token",
)
BLUEPRINTS = [countries_blp, pipeline_blp, survey_blp, public_blp]
for _blp in (countries_blp, pipeline_blp, survey_blp):
    _blp.before_request(load_api_user)


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


# --- serializers (model → dict in the schema's shape) ---


def country_dict(country: Country, availability: dict[str, str]) -> dict[str, Any]:
    return {
        "code": country.code,
        "name": country_name(country.code, "en"),
        "names": {locale: country_name(country.code, locale) for locale in LOCALES},
        "region": country.region,
        "subregion": country.subregion,
        "eu_member": country.eu_member,
        "income_group": country.income_group,
        "availability": availability,
    }


def availability_dict(row: Availability) -> dict[str, Any]:
    return {
        "country": row.country_code,
        "program": row.program_code,
        "status": row.status,
        "since": row.since,
        "source": row.source,
        "as_of": row.as_of,
        "note": row.note,
        "updated_at": row.updated_at,
    }


def review_dict(review: PrivacyReview) -> dict[str, Any]:
    return {"id": review.id, "country": review.country_code, **pipeline.review_values(review)}


def agreement_dict(agreement: CountryAgreement) -> dict[str, Any]:
    return {
        "id": agreement.id,
        "country": agreement.country_code,
        **pipeline.agreement_values(agreement),
    }


def practice_dict(practice: Practice) -> dict[str, Any]:
    return {
        "id": practice.id,
        "name": practice.name,
        "country": practice.country_code,
        "city": practice.city,
        "practice_type": practice.practice_type,
        "outpatient_hem_onc": practice.outpatient_hem_onc,
        "asco_members_count": practice.asco_members_count,
        "reads_english": practice.reads_english,
        "answers_from": practice.answers_from,
        "interests": [
            {"program": i.program_code, "level": i.level, "timeframe": i.timeframe}
            for i in practice.interests
        ],
    }


def response_dict(response: SurveyResponse) -> dict[str, Any]:
    return {
        "id": response.id,
        "submitted_at": response.submitted_at,
        "language": response.language,
        "source": response.source,
        "country": response.country_code,
        "triage_status": response.triage_status,
        "practice_id": response.practice_id,
        "filed_at": response.filed_at,
        "questionnaire_version": response.questionnaire_version,
        "answers": response.answers,
    }


# --- countries and availability ---


@countries_blp.get("/countries")
@api_requires("viewer")
@countries_blp.arguments(schemas.CountryQuery, location="query")
@countries_blp.response(200, schemas.CountryPage)
@documented_errors(countries_blp, 401, 403)
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


@countries_blp.get("/countries/<string:code>")
@api_requires("viewer")
@countries_blp.response(200, schemas.CountrySchema)
@documented_errors(countries_blp, 401, 403, 404)
def get_country(code):
    """One country by ISO alpha-2 code."""
    country = get_country_or_404(code)
    return country_dict(country, availability_by_country([country.code]).get(country.code, {}))


@countries_blp.get("/availability")
@api_requires("viewer")
@countries_blp.arguments(schemas.AvailabilityQuery, location="query")
@countries_blp.response(200, schemas.AvailabilityPage)
@documented_errors(countries_blp, 401, 403)
def list_availability(query):
    """Availability of each program in each country (SPEC §2 statuses)."""
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


# --- pipeline ---


def _filter_country_program(statement: Select, model, query) -> Select:
    if "country" in query:
        statement = statement.where(model.country_code == query["country"])
    if "program" in query:
        statement = statement.where(model.programs.any(Program.code == query["program"]))
    return statement


@pipeline_blp.get("/privacy-reviews")
@api_requires("viewer")
@pipeline_blp.arguments(schemas.CountryFilterQuery, location="query")
@pipeline_blp.response(200, schemas.PrivacyReviewPage)
@documented_errors(pipeline_blp, 401, 403)
def list_privacy_reviews(query):
    """Legal privacy reviews, newest first."""
    statement = select(PrivacyReview).options(selectinload(PrivacyReview.programs))
    statement = _filter_country_program(statement, PrivacyReview, query)
    page = paginate(statement.order_by(PrivacyReview.id.desc()), query["page"], query["page_size"])
    page["items"] = [review_dict(r) for r in page["items"]]
    return page


@pipeline_blp.get("/privacy-reviews/<int:review_id>")
@api_requires("viewer")
@pipeline_blp.response(200, schemas.PrivacyReviewSchema)
@documented_errors(pipeline_blp, 401, 403, 404)
def get_privacy_review(review_id):
    """One privacy review."""
    return review_dict(db.get_or_404(PrivacyReview, review_id))


@pipeline_blp.get("/agreements")
@api_requires("viewer")
@pipeline_blp.arguments(schemas.CountryFilterQuery, location="query")
@pipeline_blp.response(200, schemas.CountryAgreementPage)
@documented_errors(pipeline_blp, 401, 403)
def list_agreements(query):
    """Country agreements, newest first."""
    statement = select(CountryAgreement).options(selectinload(CountryAgreement.programs))
    statement = _filter_country_program(statement, CountryAgreement, query)
    page = paginate(
        statement.order_by(CountryAgreement.id.desc()), query["page"], query["page_size"]
    )
    page["items"] = [agreement_dict(a) for a in page["items"]]
    return page


@pipeline_blp.get("/agreements/<int:agreement_id>")
@api_requires("viewer")
@pipeline_blp.response(200, schemas.CountryAgreementSchema)
@documented_errors(pipeline_blp, 401, 403, 404)
def get_agreement(agreement_id):
    """One country agreement."""
    return agreement_dict(db.get_or_404(CountryAgreement, agreement_id))


@pipeline_blp.get("/countries/<string:code>/thresholds")
@api_requires("viewer")
@pipeline_blp.response(200, schemas.ThresholdSchema(many=True))
@documented_errors(pipeline_blp, 401, 403, 404)
def get_thresholds(code):
    """The effective QOPI and QCP thresholds of a country, and whether each overrides the
    program default (SPEC §2)."""
    return threshold_rows(get_country_or_404(code))


def threshold_rows(country: Country) -> list[dict[str, Any]]:
    """The effective QOPI and QCP thresholds of a country and whether each is overridden."""
    overrides = {
        t.program_code: t.min_eligible_practices
        for t in db.session.scalars(
            select(CountryThreshold).where(CountryThreshold.country_code == country.code)
        )
    }
    programs = db.session.scalars(
        select(Program).where(Program.default_threshold.is_not(None)).order_by(Program.position)
    )
    return [
        {
            "country": country.code,
            "program": p.code,
            "default": p.default_threshold,
            "min_eligible_practices": overrides.get(p.code, p.default_threshold),
            "overridden": p.code in overrides,
        }
        for p in programs
    ]


# --- practices and responses (personal data: staff only, SPEC §1) ---


def _audit_personal_read(kind: str, filters: dict[str, Any], rows: int) -> None:
    """Record a read of personal data through the API as the screens record an export (SPEC
    §1): ``kind`` (``responses``, ``practices``), the query it was taken with, rows returned."""
    record_export_now(kind, "api", {k: str(v) for k, v in filters.items()}, rows)


@survey_blp.get("/practices")
@api_requires("staff")
@survey_blp.arguments(schemas.PracticeQuery, location="query")
@survey_blp.response(200, schemas.PracticePage)
@documented_errors(survey_blp, 401, 403)
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


@survey_blp.get("/practices/<int:practice_id>")
@api_requires("staff")
@survey_blp.response(200, schemas.PracticeSchema)
@documented_errors(survey_blp, 401, 403, 404)
def get_practice(practice_id):
    """One practice."""
    found = practice_dict(db.get_or_404(Practice, practice_id))
    _audit_personal_read("practices", {"id": practice_id}, 1)
    return found


@survey_blp.get("/responses")
@api_requires("staff")
@survey_blp.arguments(schemas.ResponseQuery, location="query")
@survey_blp.response(200, schemas.ResponsePage)
@documented_errors(survey_blp, 401, 403)
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


@survey_blp.get("/responses/<int:response_id>")
@api_requires("staff")
@survey_blp.response(200, schemas.ResponseSchema)
@documented_errors(survey_blp, 401, 403, 404)
def get_response(response_id):
    """One survey response."""
    found = response_dict(db.get_or_404(SurveyResponse, response_id))
    _audit_personal_read("responses", {"id": response_id}, 1)
    return found


# --- public feed (no token) ---


@public_blp.get("/availability")
@public
@public_blp.etag  # an ETag from the body: a conditional GET gets 304 until staff change it
@public_blp.response(200, schemas.PublicAvailabilitySchema)
@public_blp.doc(security=[])
def public_availability():
    """Where each program is launched today (``available`` or ``pilot``), for the society's
    website: names in en, es and pt_BR, the M49 region, and the newest as-of date."""
    rows = db.session.execute(
        select(Availability, Country)
        .join(Country, Country.code == Availability.country_code)
        .where(Availability.status.in_(("available", "pilot")))
        .order_by(Availability.program_code, Country.code)
    ).all()
    programs: dict[str, list[dict[str, Any]]] = {"QOPI": [], "QCP": [], "QTP": []}
    for availability, country in rows:
        programs[availability.program_code].append(
            {
                "code": country.code,
                "status": availability.status,
                "region": country.region,
                "names": {locale: country_name(country.code, locale) for locale in LOCALES},
            }
        )
    as_of = max((a.as_of for a, _c in rows if a.as_of), default=None)
    return {
        "as_of": as_of,
        "programs": [{"program": p, "countries": c} for p, c in programs.items()],
    }


# --- writes (staff and admins; the screens' operations, validation and audit trail) ---


def refused(error: InvalidInput):
    """Answer 422 with the operation's message under its field (``_form`` for the whole)."""
    abort(422, messages={"json": {error.field or "_form": [error.message]}})


def _commit_or_refuse(operation: Callable[[], Any]) -> Any:
    try:
        result = operation()
    except InvalidInput as error:
        db.session.rollback()
        refused(error)
    db.session.commit()
    return result


@countries_blp.put("/countries/<string:code>/availability/<string:program>")
@api_requires("staff")
@countries_blp.arguments(schemas.AvailabilityUpdate)
@countries_blp.response(200, schemas.AvailabilitySchema)
@documented_errors(countries_blp, 401, 403, 404, 415)
def put_availability(values, code, program):
    """Set a program's availability in a country; the change joins its history."""
    country = get_country_or_404(code)
    if program not in ("QOPI", "QCP", "QTP"):
        abort(404)
    row = _commit_or_refuse(
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


@pipeline_blp.post("/privacy-reviews")
@api_requires("staff")
@pipeline_blp.arguments(schemas.PrivacyReviewCreate)
@pipeline_blp.response(201, schemas.PrivacyReviewSchema)
@documented_errors(pipeline_blp, 401, 403, 404, 415)
def create_privacy_review(values):
    """Record a privacy review of a country."""
    country = get_country_or_404(values.pop("country"))
    review = _commit_or_refuse(lambda: pipeline.record_privacy_review(country, **values))
    return review_dict(review)


@pipeline_blp.patch("/privacy-reviews/<int:review_id>")
@api_requires("staff")
@pipeline_blp.arguments(schemas.PrivacyReviewWrite)
@pipeline_blp.response(200, schemas.PrivacyReviewSchema)
@documented_errors(pipeline_blp, 401, 403, 404, 415)
def patch_privacy_review(values, review_id):
    """Change some fields of a privacy review; the others keep their values."""
    review = db.get_or_404(PrivacyReview, review_id)
    _commit_or_refuse(lambda: pipeline.update_privacy_review(review, **values))
    return review_dict(review)


@pipeline_blp.post("/agreements")
@api_requires("staff")
@pipeline_blp.arguments(schemas.CountryAgreementCreate)
@pipeline_blp.response(201, schemas.CountryAgreementSchema)
@documented_errors(pipeline_blp, 401, 403, 404, 415)
def create_agreement(values):
    """Record a country agreement."""
    country = get_country_or_404(values.pop("country"))
    agreement = _commit_or_refuse(lambda: pipeline.record_country_agreement(country, **values))
    return agreement_dict(agreement)


@pipeline_blp.patch("/agreements/<int:agreement_id>")
@api_requires("staff")
@pipeline_blp.arguments(schemas.CountryAgreementWrite)
@pipeline_blp.response(200, schemas.CountryAgreementSchema)
@documented_errors(pipeline_blp, 401, 403, 404, 415)
def patch_agreement(values, agreement_id):
    """Change some fields of a country agreement; the others keep their values."""
    agreement = db.get_or_404(CountryAgreement, agreement_id)
    _commit_or_refuse(lambda: pipeline.update_country_agreement(agreement, **values))
    return agreement_dict(agreement)


@pipeline_blp.put("/countries/<string:code>/thresholds/<string:program>")
@api_requires("staff")
@pipeline_blp.arguments(schemas.ThresholdUpdate)
@pipeline_blp.response(200, schemas.ThresholdSchema(many=True))
@documented_errors(pipeline_blp, 401, 403, 404, 415)
def put_threshold(values, code, program):
    """Override a program's threshold in a country (QOPI, QCP)."""
    country = get_country_or_404(code)
    if program not in readiness.PROGRAMS_WITH_LAUNCH:
        abort(404)
    _commit_or_refuse(
        lambda: pipeline.set_threshold(
            country, program, values["min_eligible_practices"], values["reason"]
        )
    )
    return threshold_rows(country)


@pipeline_blp.delete("/countries/<string:code>/thresholds/<string:program>")
@api_requires("staff")
@pipeline_blp.response(204)
@documented_errors(pipeline_blp, 401, 403, 404)
def delete_threshold(code, program):
    """Remove a country's threshold override: the program default applies again."""
    country = get_country_or_404(code)
    if program not in readiness.PROGRAMS_WITH_LAUNCH:
        abort(404)
    _commit_or_refuse(lambda: pipeline.clear_threshold(country, program))


# --- readiness ---


@pipeline_blp.get("/readiness")
@api_requires("viewer")
@pipeline_blp.arguments(schemas.ReadinessQuery, location="query")
@pipeline_blp.response(200, schemas.ReadinessSchema(many=True))
@documented_errors(pipeline_blp, 401, 403)
def list_readiness(query):
    """The readiness board: QOPI and QCP in every country, each criterion with its numbers
    (SPEC §3; the same objects as ``flask readiness --format json``)."""
    rows = readiness_board()
    for key, attribute in (("country", "country"), ("program", "program"), ("state", "state")):
        if key in query:
            rows = [r for r in rows if str(getattr(r, attribute)) == query[key]]
    return [wording.as_dict(r, gettext) for r in rows]
