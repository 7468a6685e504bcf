"""Legacy imports: the uploaded table and the staff's mapping kept between steps, each row with
what its check found and what its commit stored (so the import can be undone), and the saved
mappings proposed again for files with the same headings (docs/domain.md#imports).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.columns import UTCDateTime, one_of, utcnow
from crm.core.extensions import db

#: uploaded → mapped (columns chosen) → checking → previewed (rows checked) → committing →
#: committed → undone (the undo removed what the commit stored).
IMPORT_STATUSES = (
    "uploaded",
    "mapped",
    "checking",
    "previewed",
    "committing",
    "committed",
    "undone",
)
#: Statuses of a batch whose rows are being worked through a chunk at a time.
WORKING_STATUSES = ("checking", "committing")


class ImportBatch(db.Model):
    """One uploaded file of legacy responses (docs/domain.md#imports), staged in the database so
    that upload, mapping, preview and commit can run in different requests and processes."""

    __tablename__ = "import_batches"
    __table_args__ = (one_of("status", IMPORT_STATUSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(12), default="uploaded")
    #: How the file was read: format, encoding, separator, header rows, sheet, notes, the
    #: language guessed from it, the heading rows above the combined headings.
    reading: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Column headings, by position (duplicates kept apart by their position).
    columns: Mapped[list] = mapped_column(JSON, default=list)
    #: Unused since rows are kept in ``import_rows``; empty.
    rows: Mapped[list] = mapped_column(JSON, default=list)
    #: ``{"columns": {key: position or [positions]}, "values": {key: {value: code}},
    #: "fixed": {key: value}, "options": {key: {position: code}}, "language", "date_order"}``.
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Counts of the rows' checks (the rows themselves are in ``import_rows``).
    preview: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Counts of what the commit stored, then of what an undo did.
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    #: While rows are worked through: ``{"step": "check"|"commit", "done", "total",
    #: "updated_at"}``; a failure that stopped the work: ``{"error": code}``.
    progress: Mapped[dict] = mapped_column(JSON, default=dict)
    #: SHA-256 of the file's headings: the key of a template proposed for the next such file.
    signature: Mapped[str | None] = mapped_column(String(64), index=True)
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_templates.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    template: Mapped[ImportTemplate | None] = relationship()

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.status}>"


class ImportRow(db.Model):
    """One row of an imported file: its cells (emptied once committed: the responses hold
    them), what checking it found, and what committing it stored."""

    __tablename__ = "import_rows"
    __table_args__ = (Index("ix_import_rows_batch_position", "batch_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"))
    #: Order in the file, from 0.
    position: Mapped[int] = mapped_column(Integer)
    #: Row number in the file as a spreadsheet shows it (heading rows counted).
    n: Mapped[int] = mapped_column(Integer)
    cells: Mapped[list | None] = mapped_column(JSON)
    #: ``{"errors", "warnings", "notices", "match", "practice_name", "country", "city",
    #: "seen"}`` from the last check; None before one.
    check: Mapped[dict | None] = mapped_column(JSON)
    #: What the commit did: ``{"response", "practice", "practice_new", "contact",
    #: "contact_new", "contact_before"}``, or ``{"seen": response id}`` for a row seen before.
    stored: Mapped[dict | None] = mapped_column(JSON)


class ImportTemplate(db.Model):
    """A saved mapping (columns, fixed values, answers), proposed again for the next file with
    the same headings (docs/domain.md#imports)."""

    __tablename__ = "import_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    #: SHA-256 of the headings (``crm.data.imports.templates.signature``).
    signature: Mapped[str] = mapped_column(String(64), index=True)
    headings: Mapped[list] = mapped_column(JSON, default=list)
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ImportTemplate {self.id}>"
