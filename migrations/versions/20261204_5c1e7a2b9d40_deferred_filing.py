"""survey responses filed by the worker (filed_at), indexes for daily alerts and invitations

Revision ID: 5c1e7a2b9d40
Revises: 08c8b3680c15
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5c1e7a2b9d40"
down_revision = "08c8b3680c15"
branch_labels = None
depends_on = None

UNFILED = sa.text("filed_at IS NULL")


def upgrade():
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("filed_at", sa.DateTime(timezone=True), nullable=True))
    # Every response stored so far was filed in its own transaction.
    op.execute("UPDATE survey_responses SET filed_at = created_at")
    op.create_index(
        "ix_survey_responses_unfiled",
        "survey_responses",
        ["id"],
        unique=False,
        sqlite_where=UNFILED,
        postgresql_where=UNFILED,
    )
    op.create_index(
        "ix_survey_responses_created_at", "survey_responses", ["created_at"], unique=False
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invitations_response_id"), ["response_id"], unique=False
        )


def downgrade():
    op.drop_index("ix_survey_responses_created_at", table_name="survey_responses")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitations_response_id"))
    op.drop_index(
        "ix_survey_responses_unfiled",
        table_name="survey_responses",
        sqlite_where=UNFILED,
        postgresql_where=UNFILED,
    )
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.drop_column("filed_at")
