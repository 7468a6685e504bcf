"""performance at a million responses: practice name keys

Revision ID: 08c8b3680c15
Revises: bd2a9d523035
Create Date: 2026-11-29

"""

import flask_security  # noqa: F401  (its column types may appear in migrations)
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "08c8b3680c15"
down_revision = "bd2a9d523035"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    op.create_table(
        "practice_name_keys",
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_practice_name_keys_practice_id_practices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("practice_id", "key", name=op.f("pk_practice_name_keys")),
    )
    with op.batch_alter_table("practice_name_keys", schema=None) as batch_op:
        batch_op.create_index(
            "ix_practice_name_keys_lookup", ["country_code", "key", "practice_id"], unique=False
        )
    _backfill_name_keys()


def _backfill_name_keys():
    """Keys of the practices that exist already, by the app's own rule (crm.practices)."""
    from crm.practices import name_keys

    conn = op.get_bind()
    keys_table = sa.table(
        "practice_name_keys", sa.column("practice_id"), sa.column("key"), sa.column("country_code")
    )
    last_id = 0
    while True:
        rows = conn.execute(
            sa.text(
                "SELECT id, country_code, name FROM practices WHERE id > :last ORDER BY id "
                "LIMIT :batch"
            ),
            {"last": last_id, "batch": BATCH},
        ).all()
        if not rows:
            return
        last_id = rows[-1][0]
        values = [
            {"practice_id": pid, "key": key, "country_code": country}
            for pid, country, name in rows
            for key in sorted(name_keys(name))
        ]
        if values:
            conn.execute(sa.insert(keys_table), values)


def downgrade():
    with op.batch_alter_table("practice_name_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_practice_name_keys_lookup")

    op.drop_table("practice_name_keys")
