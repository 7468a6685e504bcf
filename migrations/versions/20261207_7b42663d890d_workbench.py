"""staff workbench: saved views, merged practices, pairs that are not the same, assignment and
likely-spam flags of responses

``saved_views`` keeps a list's filters and sort under a name (docs/domain.md#saved-views);
``practice_merges`` says where a merged practice went and ``practice_distinct_pairs`` which
pairs staff said are not the same (docs/domain.md#merges); a response gains the staff member
it is assigned to and the reasons it looks like spam (docs/domain.md#likely-spam). Nothing
existing changes: the new columns start empty.

Revision ID: 7b42663d890d
Revises: 3e7c1d9a5b62
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

revision = "7b42663d890d"
down_revision = "3e7c1d9a5b62"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("list_name", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("query", sa.String(length=2000), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "list_name IN ('countries', 'responses', 'practices', 'contacts', 'tasks')",
            name=op.f("ck_saved_views_list_name_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["staff_users.id"],
            name=op.f("fk_saved_views_owner_id_staff_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
        sa.UniqueConstraint(
            "owner_id", "list_name", "name", name=op.f("uq_saved_views_owner_id_list_name_name")
        ),
    )
    op.create_table(
        "practice_distinct_pairs",
        sa.Column("first_practice_id", sa.Integer(), nullable=False),
        sa.Column("second_practice_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "first_practice_id < second_practice_id",
            name=op.f("ck_practice_distinct_pairs_lower_id_first"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["staff_users.id"],
            name=op.f("fk_practice_distinct_pairs_decided_by_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["first_practice_id"],
            ["practices.id"],
            name=op.f("fk_practice_distinct_pairs_first_practice_id_practices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["second_practice_id"],
            ["practices.id"],
            name=op.f("fk_practice_distinct_pairs_second_practice_id_practices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "first_practice_id", "second_practice_id", name=op.f("pk_practice_distinct_pairs")
        ),
    )
    with op.batch_alter_table("practice_distinct_pairs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_practice_distinct_pairs_second_practice_id"),
            ["second_practice_id"],
            unique=False,
        )

    op.create_table(
        "practice_merges",
        sa.Column("merged_practice_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("into_practice_id", sa.Integer(), nullable=True),
        sa.Column("merged_name", sa.String(length=300), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("merged_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["into_practice_id"],
            ["practices.id"],
            name=op.f("fk_practice_merges_into_practice_id_practices"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merged_by_id"],
            ["staff_users.id"],
            name=op.f("fk_practice_merges_merged_by_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("merged_practice_id", name=op.f("pk_practice_merges")),
    )
    with op.batch_alter_table("practice_merges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_practice_merges_into_practice_id"), ["into_practice_id"], unique=False
        )

    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_to_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("spam_signals", sa.JSON(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_survey_responses_assigned_to_id"), ["assigned_to_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_survey_responses_assigned_to_id_staff_users"),
            "staff_users",
            ["assigned_to_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_survey_responses_assigned_to_id_staff_users"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_survey_responses_assigned_to_id"))
        batch_op.drop_column("spam_signals")
        batch_op.drop_column("assigned_to_id")

    with op.batch_alter_table("practice_merges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_practice_merges_into_practice_id"))

    op.drop_table("practice_merges")
    with op.batch_alter_table("practice_distinct_pairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_practice_distinct_pairs_second_practice_id"))

    op.drop_table("practice_distinct_pairs")
    op.drop_table("saved_views")
