"""Writes of the data package outside the import (``crm.data.imports.operations``): exports
that hold personal data are recorded in the audit trail (docs/domain.md#roles).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from crm.audit import operations as audit
from crm.audit.models import AuditEvent
from crm.core.extensions import db

logger = logging.getLogger(__name__)


def record_export(kind: str, file_format: str, filters: Mapping[str, str], rows: int) -> AuditEvent:
    """Audit one export: ``kind`` (``responses``, ``practices``), the file format (csv/xlsx),
    the filters it was taken with (query arguments) and how many rows it holds."""
    event = audit.record(
        f"export.{kind}",
        "export",
        kind,
        {"format": [None, file_format], "filters": [None, dict(filters)], "rows": [None, rows]},
        country_code=filters.get("country"),
    )
    logger.info("export of %s (%s, %d rows) by %s", kind, file_format, rows, event.actor)
    return event


def record_export_now(
    kind: str, file_format: str, filters: Mapping[str, str], rows: int
) -> AuditEvent:
    """:func:`record_export` in a transaction of its own, committed, for a GET that has read
    the data. The read transaction ends first: on SQLite a transaction that reads and then
    writes can fail "database is locked"; one that starts by writing waits its turn."""
    db.session.commit()
    event = record_export(kind, file_format, filters, rows)
    db.session.commit()
    return event
