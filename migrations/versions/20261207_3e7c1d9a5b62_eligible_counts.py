"""eligible counts and response day counts, for the dashboard's figures and the forecasts

``eligible_counts``: the eligible practices of each country and program on each day they moved,
recorded with readiness when a write commits (docs/domain.md#forecast); this revision fills the
history of an existing database from the practices eligible now, each from the day of its
first counted response, so the 30-day figures and the forecasts have a past at once.
``response_day_counts``: responses per recent day, country and language
(docs/decisions.md#day-counts), counted here for the recent days and then every night.

Revision ID: 3e7c1d9a5b62
Revises: 9b990ffd3119
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

revision = "3e7c1d9a5b62"
down_revision = "9b990ffd3119"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "eligible_counts",
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("program_code", sa.String(length=8), nullable=False),
        sa.Column("counted_on", sa.Date(), nullable=False),
        sa.Column("practices", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["country_code"],
            ["countries.code"],
            name=op.f("fk_eligible_counts_country_code_countries"),
        ),
        sa.ForeignKeyConstraint(
            ["program_code"],
            ["programs.code"],
            name=op.f("fk_eligible_counts_program_code_programs"),
        ),
        sa.PrimaryKeyConstraint(
            "country_code", "program_code", "counted_on", name=op.f("pk_eligible_counts")
        ),
    )
    op.create_table(
        "response_day_counts",
        sa.Column("counted_on", sa.Date(), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "counted_on", "country_code", "language", name=op.f("pk_response_day_counts")
        ),
    )
    from crm.readiness.operations import count_response_days, rebuild_eligible_counts

    rebuild_eligible_counts(op.get_bind())
    count_response_days(op.get_bind())


def downgrade():
    op.drop_table("response_day_counts")
    op.drop_table("eligible_counts")
