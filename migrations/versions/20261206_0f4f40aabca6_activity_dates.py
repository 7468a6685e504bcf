"""activities keep the day they happened on (occurred_on); occurred_at only when a time was given

Revision ID: 0f4f40aabca6
Revises: a7d3e91c2b10
Create Date: 2026-12-06

Every activity stored so far was logged through the staff form or the demo data, which take a
date alone: the instant stored with it (now for today, local noon for another day) was never
typed by anyone. Upgrading keeps the organization's calendar day of that instant as
``occurred_on`` and clears ``occurred_at``; downgrading writes local noon back (docs/domain.md#dates).
"""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = "0f4f40aabca6"
down_revision = "a7d3e91c2b10"
branch_labels = None
depends_on = None

activities = sa.table(
    "activities",
    sa.column("id", sa.Integer()),
    sa.column("occurred_on", sa.Date()),
    sa.column("occurred_at", sa.DateTime(timezone=True)),
)


def _org_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("ORG_TIMEZONE") or "America/New_York")


def _as_utc(value: datetime) -> datetime:
    # SQLite hands the stored UTC instant back without its zone.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def upgrade():
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("occurred_on", sa.Date(), nullable=True))
        batch_op.alter_column(
            "occurred_at", existing_type=sa.DateTime(timezone=True), nullable=True
        )
    bind = op.get_bind()
    zone = _org_zone()
    rows = bind.execute(sa.select(activities.c.id, activities.c.occurred_at)).all()
    for activity_id, occurred_at in rows:
        bind.execute(
            activities.update()
            .where(activities.c.id == activity_id)
            .values(occurred_on=_as_utc(occurred_at).astimezone(zone).date(), occurred_at=None)
        )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_country_occurred")
        batch_op.drop_index("ix_activities_practice_occurred")
        batch_op.alter_column("occurred_on", existing_type=sa.Date(), nullable=False)
        batch_op.create_index(
            "ix_activities_country_occurred", ["country_code", "occurred_on"], unique=False
        )
        batch_op.create_index(
            "ix_activities_practice_occurred", ["practice_id", "occurred_on"], unique=False
        )


def downgrade():
    bind = op.get_bind()
    zone = _org_zone()
    rows = bind.execute(
        sa.select(activities.c.id, activities.c.occurred_on).where(
            activities.c.occurred_at.is_(None)
        )
    ).all()
    for activity_id, occurred_on in rows:
        noon = datetime.combine(occurred_on, time(12), tzinfo=zone).astimezone(UTC)
        bind.execute(
            activities.update().where(activities.c.id == activity_id).values(occurred_at=noon)
        )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_country_occurred")
        batch_op.drop_index("ix_activities_practice_occurred")
        batch_op.alter_column(
            "occurred_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.drop_column("occurred_on")
        batch_op.create_index(
            "ix_activities_country_occurred", ["country_code", "occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_activities_practice_occurred", ["practice_id", "occurred_at"], unique=False
        )
