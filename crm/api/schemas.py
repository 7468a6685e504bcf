"""Marshmallow schemas: they validate API requests and generate the OpenAPI document."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from crm.core.clock import EARLIEST_DAY, LATEST_DAY
from crm.countries.models import (
    AGREEMENT_STATUSES,
    AVAILABILITY_STATUSES,
    PROGRAM_CODES,
    REVIEW_STATUSES,
)
from crm.readiness.rules import PROGRAMS_WITH_LAUNCH, State
from crm.responses.models import INTEREST_LEVELS, TIMEFRAMES, TRIAGE_STATUSES

COUNTRY_CODE = validate.Regexp(r"^[A-Z]{2}$", error="Use an ISO 3166-1 alpha-2 code, e.g. BR.")
PROGRAMS = validate.OneOf(PROGRAM_CODES)
LAUNCH_PROGRAMS = validate.OneOf(PROGRAMS_WITH_LAUNCH)
SHORT = validate.Length(max=200)
LONG = validate.Length(max=5000)


def calendar_date(**kwargs) -> fields.Date:
    """A date field that accepts the days the screens accept (crm.clock.EARLIEST_DAY ..
    LATEST_DAY), so the API validates as the forms do."""
    return fields.Date(validate=validate.Range(min=EARLIEST_DAY, max=LATEST_DAY), **kwargs)


class PageQuery(Schema):
    """Pagination of every list: 1-based page, up to 200 items a page."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class PageSchema(Schema):
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Items matching the filters"})


class ApiErrorBody(Schema):
    status = fields.Integer(required=True)
    title = fields.String(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=None)


class ApiErrorSchema(Schema):
    """Every error answer: ``{"error": {"status", "title", "detail", "errors"?}}``."""

    error = fields.Nested(ApiErrorBody, required=True)


class CountrySchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "CLDR name in English"})
    names = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "Names in en, es and pt_BR"},
    )
    region = fields.String(allow_none=True, metadata={"description": "UN M49 region code"})
    subregion = fields.String(allow_none=True)
    eu_member = fields.Boolean(required=True)
    income_group = fields.String(allow_none=True)
    availability = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class CountryQuery(PageQuery):
    region = fields.String(validate=validate.Regexp(r"^\d{3}$"))
    program = fields.String(validate=PROGRAMS)
    availability = fields.String(validate=validate.OneOf(AVAILABILITY_STATUSES))


class CountryPage(PageSchema):
    items = fields.List(fields.Nested(CountrySchema), required=True)


class AvailabilitySchema(Schema):
    country = fields.String(required=True)
    program = fields.String(required=True)
    status = fields.String(required=True)
    since = calendar_date(allow_none=True)
    source = fields.String(required=True)
    as_of = calendar_date(allow_none=True)
    note = fields.String(allow_none=True)
    updated_at = fields.DateTime(required=True)


class AvailabilityQuery(PageQuery):
    country = fields.String(validate=COUNTRY_CODE)
    program = fields.String(validate=PROGRAMS)
    status = fields.String(validate=validate.OneOf(AVAILABILITY_STATUSES))


class AvailabilityPage(PageSchema):
    items = fields.List(fields.Nested(AvailabilitySchema), required=True)


class AvailabilityUpdate(Schema):
    status = fields.String(required=True, validate=validate.OneOf(AVAILABILITY_STATUSES))
    since = calendar_date(load_default=None)
    note = fields.String(load_default=None, validate=LONG)


class PrivacyReviewSchema(Schema):
    id = fields.Integer(required=True)
    country = fields.String(required=True)
    programs = fields.List(fields.String(), required=True)
    status = fields.String(required=True)
    status_since = calendar_date(allow_none=True)
    applicable_law = fields.String(allow_none=True)
    counsel = fields.String(allow_none=True)
    requested_on = calendar_date(allow_none=True)
    decided_on = calendar_date(allow_none=True)
    conditions = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)


STATUS_DAYS = (
    "Days are the organization's calendar days. A new status starts on `status_since` when "
    "given, else on the decision day given with it, else today; a decision without its day "
    "records the status's day (docs/domain.md#status-dates)."
)


class PrivacyReviewWrite(Schema):
    class Meta:
        description = STATUS_DAYS

    programs = fields.List(fields.String(validate=PROGRAMS), validate=validate.Length(min=1, max=3))
    status = fields.String(validate=validate.OneOf(REVIEW_STATUSES))
    status_since = calendar_date(allow_none=True)
    applicable_law = fields.String(allow_none=True, validate=SHORT)
    counsel = fields.String(allow_none=True, validate=SHORT)
    requested_on = calendar_date(allow_none=True)
    decided_on = calendar_date(allow_none=True)
    conditions = fields.String(allow_none=True, validate=LONG)
    notes = fields.String(allow_none=True, validate=LONG)


class PrivacyReviewCreate(PrivacyReviewWrite):
    country = fields.String(required=True, validate=COUNTRY_CODE)
    programs = fields.List(
        fields.String(validate=PROGRAMS), required=True, validate=validate.Length(min=1, max=3)
    )
    status = fields.String(required=True, validate=validate.OneOf(REVIEW_STATUSES))


class CountryAgreementSchema(Schema):
    id = fields.Integer(required=True)
    country = fields.String(required=True)
    programs = fields.List(fields.String(), required=True)
    counterparty = fields.String(required=True)
    status = fields.String(required=True)
    status_since = calendar_date(allow_none=True)
    signed_on = calendar_date(allow_none=True)
    effective_on = calendar_date(allow_none=True)
    expires_on = calendar_date(allow_none=True)
    notes = fields.String(allow_none=True)


class CountryAgreementWrite(Schema):
    class Meta:
        description = STATUS_DAYS

    programs = fields.List(fields.String(validate=PROGRAMS), validate=validate.Length(min=1, max=3))
    counterparty = fields.String(validate=validate.Length(min=1, max=200))
    status = fields.String(validate=validate.OneOf(AGREEMENT_STATUSES))
    status_since = calendar_date(allow_none=True)
    signed_on = calendar_date(allow_none=True)
    effective_on = calendar_date(allow_none=True)
    expires_on = calendar_date(allow_none=True)
    notes = fields.String(allow_none=True, validate=LONG)


class CountryAgreementCreate(CountryAgreementWrite):
    country = fields.String(required=True, validate=COUNTRY_CODE)
    programs = fields.List(
        fields.String(validate=PROGRAMS), required=True, validate=validate.Length(min=1, max=3)
    )
    counterparty = fields.String(required=True, validate=validate.Length(min=1, max=200))
    status = fields.String(required=True, validate=validate.OneOf(AGREEMENT_STATUSES))


class CountryFilterQuery(PageQuery):
    country = fields.String(validate=COUNTRY_CODE)
    program = fields.String(validate=PROGRAMS)


class PrivacyReviewPage(PageSchema):
    items = fields.List(fields.Nested(PrivacyReviewSchema), required=True)


class CountryAgreementPage(PageSchema):
    items = fields.List(fields.Nested(CountryAgreementSchema), required=True)


class ThresholdSchema(Schema):
    country = fields.String(required=True)
    program = fields.String(required=True)
    min_eligible_practices = fields.Integer(required=True)
    default = fields.Integer(required=True)
    overridden = fields.Boolean(required=True)


class ThresholdUpdate(Schema):
    min_eligible_practices = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=1000)
    )
    reason = fields.String(load_default=None, validate=LONG)


class InterestSchema(Schema):
    program = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(INTEREST_LEVELS))
    timeframe = fields.String(allow_none=True, validate=validate.OneOf(TIMEFRAMES))


class PracticeSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    country = fields.String(required=True)
    city = fields.String(allow_none=True)
    practice_type = fields.String(allow_none=True)
    outpatient_hem_onc = fields.Boolean(allow_none=True)
    asco_members_count = fields.Integer(allow_none=True)
    reads_english = fields.Boolean(allow_none=True)
    answers_from = fields.DateTime(allow_none=True)
    interests = fields.List(fields.Nested(InterestSchema), required=True)


class PracticeQuery(CountryFilterQuery):
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Name contains"})


class PracticePage(PageSchema):
    items = fields.List(fields.Nested(PracticeSchema), required=True)


class ResponseSchema(Schema):
    id = fields.Integer(required=True)
    submitted_at = fields.DateTime(required=True)
    language = fields.String(required=True)
    source = fields.String(required=True)
    country = fields.String(allow_none=True)
    triage_status = fields.String(required=True)
    practice_id = fields.Integer(allow_none=True)
    filed_at = fields.DateTime(
        allow_none=True,
        metadata={"description": "When it was filed under a practice; null while it waits"},
    )
    questionnaire_version = fields.String(required=True)
    answers = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True)


class ResponseQuery(PageQuery):
    country = fields.String(validate=COUNTRY_CODE)
    status = fields.String(
        validate=validate.OneOf(TRIAGE_STATUSES),
        metadata={"description": "Triage status; selects filed responses only"},
    )
    filed = fields.Boolean(
        metadata={"description": "true: filed under a practice; false: still waiting to be filed"}
    )
    language = fields.String(validate=validate.OneOf(("en", "es", "pt_BR")))


class ResponsePage(PageSchema):
    items = fields.List(fields.Nested(ResponseSchema), required=True)


class CriterionSchema(Schema):
    key = fields.String(required=True)
    met = fields.Boolean(required=True)
    detail = fields.String(required=True)
    params = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True))


class ForecastSchema(Schema):
    """docs/domain.md#forecast: an estimate at the pace of the window."""

    pace_per_month = fields.Float(required=True)
    window_months = fields.Integer(required=True)
    projected_month = fields.String(required=True, allow_none=True)
    basis = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True)


class ReadinessSchema(Schema):
    country = fields.String(required=True)
    program = fields.String(required=True)
    availability = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf([s.value for s in State]))
    summary = fields.String(required=True)
    capacity = fields.Dict(keys=fields.String(), values=fields.Integer(), allow_none=True)
    criteria = fields.List(fields.Nested(CriterionSchema), required=True)
    forecast = fields.Nested(ForecastSchema, allow_none=True)


class ReadinessQuery(Schema):
    country = fields.String(validate=COUNTRY_CODE)
    program = fields.String(validate=LAUNCH_PROGRAMS)
    state = fields.String(validate=validate.OneOf([s.value for s in State]))


class PublicProgramSchema(Schema):
    program = fields.String(required=True)
    countries = fields.List(fields.Dict(keys=fields.String(), values=fields.Raw()), required=True)


class PublicAvailabilitySchema(Schema):
    as_of = calendar_date(allow_none=True)
    programs = fields.List(fields.Nested(PublicProgramSchema), required=True)


COUNT = validate.Range(min=1, max=1000)
#: A row id: what an INTEGER column holds.
ROW_ID = validate.Range(min=1, max=2**31 - 1)


class SignedAgreementSchema(Schema):
    id = fields.Integer(required=True, strict=True, validate=ROW_ID)
    expires_on = calendar_date(allow_none=True, load_default=None)


class WhatIfSchema(Schema):
    """Hypothetical changes (docs/domain.md#what-if); nothing is written."""

    class Meta:
        unknown = RAISE

    thresholds = fields.Dict(
        keys=fields.String(validate=LAUNCH_PROGRAMS),
        values=fields.Integer(strict=True, validate=COUNT),
        load_default=dict,
    )
    country_thresholds = fields.Dict(
        keys=fields.String(validate=COUNTRY_CODE),
        values=fields.Dict(
            keys=fields.String(validate=LAUNCH_PROGRAMS),
            values=fields.Integer(strict=True, validate=COUNT),
        ),
        load_default=dict,
    )
    qcp_capacity = fields.Integer(strict=True, validate=COUNT, allow_none=True, load_default=None)
    privacy_reviews_approved = fields.List(
        fields.Integer(strict=True, validate=ROW_ID), load_default=list
    )
    agreements_signed = fields.List(fields.Nested(SignedAgreementSchema), load_default=list)


class WhatIfQuery(Schema):
    all = fields.Boolean(load_default=False)


class WhatIfRowSchema(Schema):
    country = fields.String(required=True)
    program = fields.String(required=True)
    state = fields.String(required=True)
    state_after = fields.String(required=True)
    criteria_after = fields.List(fields.Nested(CriterionSchema), required=True)
    criteria_changed = fields.List(fields.String(), required=True)
