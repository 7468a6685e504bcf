"""The API object (flask-smorest): its OpenAPI document, generated from the same marshmallow
schemas that validate the requests, its error shape, and its blueprints."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from crm.api.schemas import ApiErrorSchema
from crm.core import errors
from crm.core.access import public
from crm.core.extensions import csrf

API_SETTINGS = {
    "API_TITLE": "International Quality Programs CRM",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}


class CrmApi(Api):
    """flask-smorest's Api, answering errors the way the rest of the app does.

    flask-smorest registers its HTTPException handler app-wide; ours keeps HTML pages for the
    screens and gives the API one error shape (``crm.errors``).
    """

    ERROR_SCHEMA = ApiErrorSchema

    def handle_http_exception(self, error):
        return errors.http_error_response(error)


api = CrmApi(
    spec_kwargs={
        "info": {"description": "Country pipelines, readiness and survey data of the CRM."},
        "security": [{"bearerAuth": []}],
    }
)


def init_app(app: Flask) -> None:
    """Register the API blueprints and mark the OpenAPI document public."""
    from crm.api import resources

    for key, value in API_SETTINGS.items():
        app.config.setdefault(key, value)
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "flask tokens create"}
    )
    for blueprint in resources.BLUEPRINTS:
        api.register_blueprint(blueprint)
        # Token callers send no CSRF token; session writers are checked in load_api_user.
        csrf.exempt(blueprint)
    openapi_json = app.view_functions["api-docs.openapi_json"]
    app.view_functions["api-docs.openapi_json"] = public(lambda: openapi_json())
