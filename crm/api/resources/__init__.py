"""API resources, one module per blueprint: thin views that validate with the schemas
(``crm/api/schemas.py``), query or call the screens' operations, and serialize
(``crm/api/serializers.py``). ``BLUEPRINTS`` are registered in this order by
``crm.api.openapi.init_app``."""

from __future__ import annotations

from crm.api.resources import (
    countries,
    merges,
    pipeline,
    public,
    readiness,
    search,
    survey_data,
)

BLUEPRINTS = [
    countries.blp,
    pipeline.blp,
    readiness.blp,
    survey_data.blp,
    merges.blp,
    search.blp,
    public.blp,
]
