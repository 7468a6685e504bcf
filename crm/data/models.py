"""Legacy imports in progress: the uploaded table and the staff's mapping, kept between steps."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.core.columns import UTCDateTime, one_of, utcnow
from crm.core.extensions import db

#: uploaded → mapped (columns chosen) → previewed (values mapped, rows checked) → committed.
IMPORT_STATUSES = ("uploaded", "mapped", "previewed", "committed")


class ImportBatch(db.Model):
    """One uploaded file of legacy responses (docs/architecture.md#data), staged in the
    database so that upload, mapping, preview and commit can run in different requests and
    processes."""

    __tablename__ = "import_batches"
    __table_args__ = (one_of("status", IMPORT_STATUSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(12), default="uploaded")
    #: How the file was read: format, encoding, separator, header rows, sheet, notes.
    reading: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Column headings, by position (duplicates kept apart by their position).
    columns: Mapped[list] = mapped_column(JSON, default=list)
    #: ``[{"n": row number in the file, "cells": [text, ...]}, ...]``; emptied once committed.
    rows: Mapped[list] = mapped_column(JSON, default=list)
    #: ``{"columns": {answer key: position}, "values": {answer key: {value key: code}}, ...}``.
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Per-row errors, warnings and practice matches computed for the preview.
    preview: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Counts of what the commit stored.
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.status}>"
