"""imports that can be undone and templates of their mappings; API tokens with a scope and an
expiry

``import_rows`` keeps each row of an imported file with what its check found and what its commit
stored (so a committed import can be undone); the rows staged in ``import_batches.rows`` move
there. ``import_templates`` keeps saved mappings (docs/domain.md#imports). An import batch gains
its progress, the signature of its headings, its template and when it was undone; its statuses
gain ``checking``, ``committing`` and ``undone``. An API token gains its scope (existing tokens
keep what they could do: ``write``), an optional expiry and who created it
(docs/decisions.md#api-tokens).

Revision ID: 5d1c9e7a3f20
Revises: 680b54b24a94
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

revision = "5d1c9e7a3f20"
down_revision = "680b54b24a94"
branch_labels = None
depends_on = None

OLD_STATUSES = ("uploaded", "mapped", "previewed", "committed")
NEW_STATUSES = (
    "uploaded",
    "mapped",
    "checking",
    "previewed",
    "committing",
    "committed",
    "undone",
)

batches = sa.table("import_batches", sa.column("id", sa.Integer), sa.column("rows", sa.JSON))
rows_table = sa.table(
    "import_rows",
    sa.column("batch_id", sa.Integer),
    sa.column("position", sa.Integer),
    sa.column("n", sa.Integer),
    sa.column("cells", sa.JSON),
)


def _status_check(statuses: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{s}'" for s in statuses)
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_import_batches_status_allowed"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_import_batches_status_allowed"), sa.text(f"status IN ({listed})")
        )


def upgrade():
    op.create_table(
        "import_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("headings", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff_users.id"],
            name=op.f("fk_import_templates_created_by_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_templates")),
    )
    with op.batch_alter_table("import_templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_templates_signature"), ["signature"])

    op.create_table(
        "import_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("cells", sa.JSON(), nullable=True),
        sa.Column("check", sa.JSON(), nullable=True),
        sa.Column("stored", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.id"],
            name=op.f("fk_import_rows_batch_id_import_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_rows")),
    )
    with op.batch_alter_table("import_rows", schema=None) as batch_op:
        batch_op.create_index("ix_import_rows_batch_position", ["batch_id", "position"])

    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("progress", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(sa.Column("signature", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("template_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_import_batches_signature"), ["signature"])
        batch_op.create_foreign_key(
            batch_op.f("fk_import_batches_template_id_import_templates"),
            "import_templates",
            ["template_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.alter_column("progress", server_default=None)
    _status_check(NEW_STATUSES)
    _move_staged_rows()

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=8), nullable=False, server_default="write")
        )
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_api_tokens_created_by_id_staff_users"),
            "staff_users",
            ["created_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint(
            op.f("ck_api_tokens_scope_allowed"), sa.text("scope IN ('read', 'write')")
        )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("scope", server_default=None)


def _move_staged_rows() -> None:
    """The rows staged in ``import_batches.rows`` (batches not committed yet) into
    ``import_rows``, in their order."""
    connection = op.get_bind()
    for batch_id, staged in connection.execute(sa.select(batches.c.id, batches.c.rows)).all():
        if staged:
            connection.execute(
                rows_table.insert(),
                [
                    {"batch_id": batch_id, "position": i, "n": row["n"], "cells": row["cells"]}
                    for i, row in enumerate(staged)
                ],
            )
    connection.execute(batches.update().values(rows=[]))


def downgrade():
    connection = op.get_bind()
    connection.execute(
        sa.text("DELETE FROM import_batches WHERE status IN ('checking', 'committing', 'undone')")
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_api_tokens_scope_allowed"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_api_tokens_created_by_id_staff_users"), type_="foreignkey"
        )
        batch_op.drop_column("created_by_id")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("scope")
    _status_check(OLD_STATUSES)
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_import_batches_template_id_import_templates"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_import_batches_signature"))
        batch_op.drop_column("undone_at")
        batch_op.drop_column("template_id")
        batch_op.drop_column("signature")
        batch_op.drop_column("progress")
    with op.batch_alter_table("import_rows", schema=None) as batch_op:
        batch_op.drop_index("ix_import_rows_batch_position")
    op.drop_table("import_rows")
    with op.batch_alter_table("import_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_templates_signature"))
    op.drop_table("import_templates")
