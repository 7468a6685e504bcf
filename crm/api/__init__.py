"""The JSON API under ``/api/v1/``: resources, the schemas that validate requests and generate
the OpenAPI document (``openapi.py``), bearer tokens and who may call what."""
