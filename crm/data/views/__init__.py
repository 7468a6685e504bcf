"""The data screens under ``/staff/data`` (docs/architecture.md#data): the ``data`` blueprint
(the page listing imports and exports, and the exports: ``views/exports.py``) with the
import wizard nested in it as ``data.imports`` (``views/imports.py``)."""

from crm.data.views.exports import blueprint
from crm.data.views.imports import blueprint as imports_blueprint

blueprint.register_blueprint(imports_blueprint)

__all__ = ["blueprint"]
