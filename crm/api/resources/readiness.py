"""API: the readiness board with its forecasts, and what-if (``/api/v1/readiness``,
``/api/v1/readiness/what-if``; docs/domain.md#readiness, #forecast, #what-if)."""

from __future__ import annotations

from flask_babel import gettext
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from crm.api import schemas
from crm.api.auth import api_requires, load_api_user
from crm.api.common import documented_errors
from crm.core.clock import org_today
from crm.core.extensions import db
from crm.countries.models import Country, CountryAgreement, PrivacyReview
from crm.readiness import wording
from crm.readiness.queries import forecasts_for, readiness_board, what_if_board
from crm.readiness.whatif import Scenario

blp = Blueprint(
    "api_readiness",
    __name__,
    url_prefix="/api/v1",
    description="The readiness board, its forecasts, and what-if",
)
blp.before_request(load_api_user)


@blp.get("/readiness")
@api_requires("viewer")
@blp.arguments(schemas.ReadinessQuery, location="query")
@blp.response(200, schemas.ReadinessSchema(many=True))
@documented_errors(blp, 401, 403)
def list_readiness(query):
    """The readiness board: QOPI and QCP in every country, each criterion with its numbers
    (the same objects as ``flask readiness --format json``), and for a candidate short of its
    threshold a ``forecast`` (an estimate; ``null`` otherwise)."""
    today = org_today()
    rows = readiness_board(today)
    for key, attribute in (("country", "country"), ("program", "program"), ("state", "state")):
        if key in query:
            rows = [r for r in rows if str(getattr(r, attribute)) == query[key]]
    forecasts = forecasts_for(rows, today)
    return [
        wording.as_dict(r, gettext, forecast=forecasts.get((r.country, r.program))) for r in rows
    ]


def _unknown(ids: list[int], model) -> list[int]:
    found = set(db.session.scalars(select(model.id).where(model.id.in_(ids)))) if ids else set()
    return sorted(set(ids) - found)


def scenario_from(body: dict) -> Scenario:
    """The scenario of a validated body; refuses (422) unknown countries, reviews and
    agreements, naming them."""
    errors = {}
    countries = set(body["country_thresholds"])
    known = set(db.session.scalars(select(Country.code).where(Country.code.in_(countries))))
    if countries - known:
        errors["country_thresholds"] = [
            gettext("Unknown countries: %(codes)s", codes=", ".join(sorted(countries - known)))
        ]
    reviews = body["privacy_reviews_approved"]
    agreements = [a["id"] for a in body["agreements_signed"]]
    for field, ids, model in (
        ("privacy_reviews_approved", reviews, PrivacyReview),
        ("agreements_signed", agreements, CountryAgreement),
    ):
        missing = _unknown(ids, model)
        if missing:
            errors[field] = [gettext("Unknown ids: %(ids)s", ids=", ".join(map(str, missing)))]
    if errors:
        abort(422, messages={"json": errors})
    return Scenario(
        thresholds=body["thresholds"],
        country_thresholds=body["country_thresholds"],
        qcp_capacity=body["qcp_capacity"],
        privacy_reviews_approved=frozenset(reviews),
        agreements_signed={a["id"]: a["expires_on"] for a in body["agreements_signed"]},
    )


@blp.post("/readiness/what-if")
@api_requires("viewer", reads_only=True)
@blp.arguments(schemas.WhatIfSchema)
@blp.arguments(schemas.WhatIfQuery, location="query")
@blp.response(200, schemas.WhatIfRowSchema(many=True))
@documented_errors(blp, 401, 403, 415, 422)
def what_if(body, query):
    """Readiness after hypothetical changes, computed and not saved: the rows whose state
    changes (every row with ``?all=1``), each with today's ``state``, the ``state_after`` and
    the ``criteria_after``; ``criteria_changed`` names the criteria that differ."""
    changes = what_if_board(scenario_from(body))
    return [
        {
            "country": change.before.country,
            "program": change.before.program,
            "state": str(change.before.state),
            "state_after": str(change.after.state),
            "criteria_after": wording.as_dict(change.after, gettext)["criteria"],
            "criteria_changed": list(change.criteria_changed),
        }
        for change in changes
        if query["all"] or change.state_changed
    ]
