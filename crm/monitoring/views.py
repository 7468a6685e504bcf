"""``/healthz``, ``/readyz`` and ``/metrics`` (docs/deploy.md#watch): for load balancers,
orchestrators and Prometheus, not people. None reads or sets a session, none is rate-limited,
and none shows personal data."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from crm.core import metrics as core_metrics
from crm.core.access import public
from crm.core.columns import utcnow
from crm.core.extensions import limiter
from crm.monitoring import health
from crm.monitoring.metrics import DatabaseCollector

blueprint = Blueprint("monitoring", __name__)
limiter.exempt(blueprint)

#: What a refused scrape is told (plain text: a scraper, not a person, reads it).
REFUSED = {401: "a valid bearer token is required\n", 403: "not allowed from this address\n"}


def _no_cache(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/healthz")
@public
def healthz() -> Response:
    """The process answers: 200 ``{"status": "ok"}``, touching nothing else."""
    return _no_cache(jsonify(status="ok"))


@blueprint.get("/readyz")
@public
def readyz() -> tuple[Response, int]:
    """Ready to serve: every check of ``crm.monitoring.health`` as JSON, 200 when all pass,
    503 otherwise."""
    body, status = health.report(health.readiness_checks(utcnow(), current_app.config))
    return _no_cache(jsonify(body)), status


@blueprint.get("/metrics")
@public  # no session: a bearer token or an allowed address (``crm.core.metrics.refusal``)
def metrics() -> Response:
    """Prometheus text, to a bearer of ``METRICS_TOKEN`` or an address of ``METRICS_ALLOW``;
    401 or 403 otherwise (``crm.core.metrics.refusal``)."""
    config = current_app.config
    refused = core_metrics.refusal(config["METRICS_TOKEN"], config["METRICS_ALLOW"])
    if refused:
        headers = {"WWW-Authenticate": 'Bearer realm="metrics"'} if refused == 401 else {}
        return Response(REFUSED[refused], refused, headers, mimetype="text/plain")
    body, content_type = core_metrics.exposition([DatabaseCollector()])
    return _no_cache(Response(body, content_type=content_type))
