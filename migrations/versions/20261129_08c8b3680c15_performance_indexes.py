"""performance at a million responses: practice name keys, maintained tallies

Revision ID: 08c8b3680c15
Revises: 02d8865ff4ed
Create Date: 2026-11-29

"""

import flask_security  # noqa: F401  (its column types may appear in migrations)
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "08c8b3680c15"
down_revision = "02d8865ff4ed"
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
    with op.batch_alter_table("practices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_practices_country_answers", ["country_code", "answers_from", "id"], unique=False
        )

    op.create_table(
        "interest_tallies",
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("program_code", sa.String(length=8), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("practices", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "country_code", "program_code", "level", "eligible", name=op.f("pk_interest_tallies")
        ),
    )
    op.create_table(
        "interest_tally_entries",
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("program_code", sa.String(length=8), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint(
            "practice_id", "program_code", name=op.f("pk_interest_tally_entries")
        ),
    )
    op.create_table(
        "response_tallies",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "country_code", "language", name=op.f("pk_response_tallies")
        ),
    )
    _backfill_tallies()


def _backfill_name_keys():
    """Keys of the practices that exist already, by the app's own rule (crm.responses.matching)."""
    from crm.responses.matching import name_keys

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


def _backfill_tallies():
    """Tallies of the rows that exist already, by the app's own rules (crm.responses.tallies)."""
    from crm.responses.tallies import rebuild

    rebuild(op.get_bind())


def downgrade():
    with op.batch_alter_table("practices", schema=None) as batch_op:
        batch_op.drop_index("ix_practices_country_answers")
    op.drop_table("response_tallies")
    op.drop_table("interest_tally_entries")
    op.drop_table("interest_tallies")
    with op.batch_alter_table("practice_name_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_practice_name_keys_lookup")

    op.drop_table("practice_name_keys")
