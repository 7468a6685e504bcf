"""Saved mappings (docs/domain.md#imports): a mapping saved under a name is proposed again for the
next file with the same headings, so a monthly export from the same tool imports with no
choices made.

A file's headings are known by their SHA-256 (:func:`signature`): the headings in order, each
normalized (Unicode NFC, spacing collapsed), so the same export saved again matches itself.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from crm.audit import operations as audit
from crm.core.columns import utcnow
from crm.core.extensions import db
from crm.data.models import ImportBatch, ImportTemplate

#: Parts of a mapping a template keeps (the date order included: the same tool writes the same).
TEMPLATE_PARTS = ("columns", "options", "fixed", "values", "language", "date_order")


def signature(headings: Sequence[str]) -> str:
    """SHA-256 (hex) of a file's headings in order, each in NFC with its spacing collapsed."""
    normalized = [" ".join(unicodedata.normalize("NFC", h).split()) for h in headings]
    return hashlib.sha256(json.dumps(normalized, ensure_ascii=False).encode()).hexdigest()


def template_for(headings: Sequence[str]) -> ImportTemplate | None:
    """The most recently used (else saved) template of files with these headings, or None."""
    return db.session.scalar(
        select(ImportTemplate)
        .where(ImportTemplate.signature == signature(headings))
        .order_by(
            ImportTemplate.last_used_at.desc().nulls_last(),
            ImportTemplate.updated_at.desc(),
            ImportTemplate.id.desc(),
        )
        .limit(1)
    )


def template_mapping(template: ImportTemplate) -> dict[str, Any]:
    """The mapping a template proposes (a copy: the batch's own from then on)."""
    return json.loads(json.dumps({part: template.mapping.get(part) for part in TEMPLATE_PARTS
                                  if template.mapping.get(part) is not None}))  # fmt: skip


def save_template(
    batch: ImportBatch, name: str, *, created_by_id: int | None, now: datetime | None = None
) -> ImportTemplate:
    """Save the batch's current mapping as a template named ``name`` for files with the same
    headings; a template of that name for those headings is replaced. Audited; the caller
    commits. Raises ValueError for an empty name."""
    name = " ".join((name or "").split())[:100]
    if not name:
        raise ValueError("a template needs a name")
    key = signature(batch.columns)
    template = db.session.scalar(
        select(ImportTemplate).where(ImportTemplate.signature == key, ImportTemplate.name == name)
    )
    if template is None:
        template = ImportTemplate(name=name, signature=key, created_by_id=created_by_id)
        db.session.add(template)
    template.headings = list(batch.columns)
    template.mapping = {part: batch.mapping.get(part) for part in TEMPLATE_PARTS}
    template.last_used_at = now or utcnow()
    db.session.flush()
    batch.template_id = template.id
    audit.record("import_template.save", "import_template", template.id, {"name": [None, name]})
    return template
