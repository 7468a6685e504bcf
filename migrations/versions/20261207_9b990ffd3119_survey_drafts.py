"""survey drafts: answers saved to continue later, opened by a personal resume link

Revision ID: 9b990ffd3119
Revises: e5b2c8d41f07
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9b990ffd3119"
down_revision = "e5b2c8d41f07"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "survey_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("submission_token", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("email_key", sa.String(length=254), nullable=True),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "language IN ('en', 'es', 'pt_BR')", name=op.f("ck_survey_drafts_language_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_survey_drafts_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_drafts")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_survey_drafts_token_hash")),
    )
    with op.batch_alter_table("survey_drafts", schema=None) as batch_op:
        batch_op.create_index("ix_survey_drafts_expires_at", ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_survey_drafts_email_key"), ["email_key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_survey_drafts_invitation_id"), ["invitation_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("survey_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_drafts_invitation_id"))
        batch_op.drop_index(batch_op.f("ix_survey_drafts_email_key"))
        batch_op.drop_index("ix_survey_drafts_expires_at")

    op.drop_table("survey_drafts")
