"""API: privacy reviews, country agreements and thresholds (``/api/v1/privacy-reviews``,
``/api/v1/agreements``, ``/api/v1/countries/<code>/thresholds``); the readiness board is in
``crm/api/resources/readiness.py``."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint, abort
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from crm.api import schemas
from crm.api.auth import api_requires, load_api_user
from crm.api.common import commit_or_refuse, documented_errors, paginate
from crm.api.serializers import agreement_dict, review_dict
from crm.core.extensions import db
from crm.countries import operations as pipeline
from crm.countries import thresholds
from crm.countries.models import Country, CountryAgreement, CountryThreshold, PrivacyReview, Program
from crm.countries.queries import get_country_or_404
from crm.readiness import rules as readiness

blp = Blueprint(
    "api_pipeline",
    __name__,
    url_prefix="/api/v1",
    description="Privacy reviews, country agreements and thresholds",
)
blp.before_request(load_api_user)


def _filter_country_program(statement: Select, model, query) -> Select:
    if "country" in query:
        statement = statement.where(model.country_code == query["country"])
    if "program" in query:
        statement = statement.where(model.programs.any(Program.code == query["program"]))
    return statement


@blp.get("/privacy-reviews")
@api_requires("viewer")
@blp.arguments(schemas.CountryFilterQuery, location="query")
@blp.response(200, schemas.PrivacyReviewPage)
@documented_errors(blp, 401, 403)
def list_privacy_reviews(query):
    """Legal privacy reviews, newest first."""
    statement = select(PrivacyReview).options(selectinload(PrivacyReview.programs))
    statement = _filter_country_program(statement, PrivacyReview, query)
    page = paginate(statement.order_by(PrivacyReview.id.desc()), query["page"], query["page_size"])
    page["items"] = [review_dict(r) for r in page["items"]]
    return page


@blp.get("/privacy-reviews/<int:review_id>")
@api_requires("viewer")
@blp.response(200, schemas.PrivacyReviewSchema)
@documented_errors(blp, 401, 403, 404)
def get_privacy_review(review_id):
    """One privacy review."""
    return review_dict(db.get_or_404(PrivacyReview, review_id))


@blp.get("/agreements")
@api_requires("viewer")
@blp.arguments(schemas.CountryFilterQuery, location="query")
@blp.response(200, schemas.CountryAgreementPage)
@documented_errors(blp, 401, 403)
def list_agreements(query):
    """Country agreements, newest first."""
    statement = select(CountryAgreement).options(selectinload(CountryAgreement.programs))
    statement = _filter_country_program(statement, CountryAgreement, query)
    page = paginate(
        statement.order_by(CountryAgreement.id.desc()), query["page"], query["page_size"]
    )
    page["items"] = [agreement_dict(a) for a in page["items"]]
    return page


@blp.get("/agreements/<int:agreement_id>")
@api_requires("viewer")
@blp.response(200, schemas.CountryAgreementSchema)
@documented_errors(blp, 401, 403, 404)
def get_agreement(agreement_id):
    """One country agreement."""
    return agreement_dict(db.get_or_404(CountryAgreement, agreement_id))


@blp.get("/countries/<string:code>/thresholds")
@api_requires("viewer")
@blp.response(200, schemas.ThresholdSchema(many=True))
@documented_errors(blp, 401, 403, 404)
def get_thresholds(code):
    """The effective QOPI and QCP thresholds of a country, and whether each overrides the
    program default."""
    return threshold_rows(get_country_or_404(code))


def threshold_rows(country: Country) -> list[dict[str, Any]]:
    """The effective QOPI and QCP thresholds of a country and whether each is overridden
    (``ThresholdSchema``; ``docs/domain.md#thresholds``)."""
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


# --- writes (staff and admins; the screens' operations, validation and audit trail) ---


@blp.post("/privacy-reviews")
@api_requires("staff")
@blp.arguments(schemas.PrivacyReviewCreate)
@blp.response(201, schemas.PrivacyReviewSchema)
@documented_errors(blp, 401, 403, 404, 415)
def create_privacy_review(values):
    """Record a privacy review of a country."""
    country = get_country_or_404(values.pop("country"))
    review = commit_or_refuse(lambda: pipeline.record_privacy_review(country, **values))
    return review_dict(review)


@blp.patch("/privacy-reviews/<int:review_id>")
@api_requires("staff")
@blp.arguments(schemas.PrivacyReviewWrite)
@blp.response(200, schemas.PrivacyReviewSchema)
@documented_errors(blp, 401, 403, 404, 415)
def patch_privacy_review(values, review_id):
    """Change some fields of a privacy review; the others keep their values."""
    review = db.get_or_404(PrivacyReview, review_id)
    commit_or_refuse(lambda: pipeline.update_privacy_review(review, **values))
    return review_dict(review)


@blp.post("/agreements")
@api_requires("staff")
@blp.arguments(schemas.CountryAgreementCreate)
@blp.response(201, schemas.CountryAgreementSchema)
@documented_errors(blp, 401, 403, 404, 415)
def create_agreement(values):
    """Record a country agreement."""
    country = get_country_or_404(values.pop("country"))
    agreement = commit_or_refuse(lambda: pipeline.record_country_agreement(country, **values))
    return agreement_dict(agreement)


@blp.patch("/agreements/<int:agreement_id>")
@api_requires("staff")
@blp.arguments(schemas.CountryAgreementWrite)
@blp.response(200, schemas.CountryAgreementSchema)
@documented_errors(blp, 401, 403, 404, 415)
def patch_agreement(values, agreement_id):
    """Change some fields of a country agreement; the others keep their values."""
    agreement = db.get_or_404(CountryAgreement, agreement_id)
    commit_or_refuse(lambda: pipeline.update_country_agreement(agreement, **values))
    return agreement_dict(agreement)


@blp.put("/countries/<string:code>/thresholds/<string:program>")
@api_requires("staff")
@blp.arguments(schemas.ThresholdUpdate)
@blp.response(200, schemas.ThresholdSchema(many=True))
@documented_errors(blp, 401, 403, 404, 415)
def put_threshold(values, code, program):
    """Override a program's threshold in a country (QOPI, QCP)."""
    country = get_country_or_404(code)
    if program not in readiness.PROGRAMS_WITH_LAUNCH:
        abort(404)
    commit_or_refuse(
        lambda: thresholds.set_threshold(
            country, program, values["min_eligible_practices"], values["reason"]
        )
    )
    return threshold_rows(country)


@blp.delete("/countries/<string:code>/thresholds/<string:program>")
@api_requires("staff")
@blp.response(204)
@documented_errors(blp, 401, 403, 404)
def delete_threshold(code, program):
    """Remove a country's threshold override: the program default applies again."""
    country = get_country_or_404(code)
    if program not in readiness.PROGRAMS_WITH_LAUNCH:
        abort(404)
    commit_or_refuse(lambda: thresholds.clear_threshold(country, program))
