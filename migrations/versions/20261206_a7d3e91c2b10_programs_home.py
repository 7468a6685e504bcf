"""The programs' home: readiness state ``home``, and the seed's U.S. availability.

The United States and its territories are the programs' home (docs/domain.md#home): QOPI is
available there and QCP in the United States (seed 001, crm/data/availability.csv). Databases
seeded before this revision hold those pairs as ``not_available`` ("seed 001: not listed"); a
pair still exactly as the seed left it is corrected, with a step in its history. A pair staff
have changed since is left as it is.

Revision ID: a7d3e91c2b10
Revises: 5c1e7a2b9d40
Create Date: 2026-12-06

"""

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "a7d3e91c2b10"
down_revision = "5c1e7a2b9d40"
branch_labels = None
depends_on = None

OLD_STATES = ("launched", "ready", "awaiting_capacity", "near_ready", "blocked")
NEW_STATES = ("home", *OLD_STATES)
SOURCE = "seed 001: ASCO international quality programs page"
NOT_LISTED = "seed 001: not listed"
TERRITORIES = ("PR", "GU", "VI", "AS", "MP", "UM")
#: (country, program, note) of the seed's rows for the programs' home.
HOME_ROWS = (
    *((code, "QOPI", "U.S. territory") for code in TERRITORIES),
    ("US", "QCP", "home country"),
)

availabilities = sa.table(
    "availabilities",
    sa.column("id", sa.Integer),
    sa.column("country_code", sa.String),
    sa.column("program_code", sa.String),
    sa.column("status", sa.String),
    sa.column("source", sa.String),
    sa.column("as_of", sa.Date),
    sa.column("note", sa.Text),
    sa.column("updated_by_id", sa.Integer),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
availability_changes = sa.table(
    "availability_changes",
    sa.column("availability_id", sa.Integer),
    sa.column("previous_status", sa.String),
    sa.column("status", sa.String),
    sa.column("source", sa.String),
    sa.column("as_of", sa.Date),
    sa.column("note", sa.Text),
    sa.column("recorded_at", sa.DateTime(timezone=True)),
)


def _state_check(states: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{s}'" for s in states)
    with op.batch_alter_table("readiness_changes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_readiness_changes_state_allowed"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_readiness_changes_state_allowed"), sa.text(f"state IN ({listed})")
        )


def _correct_home_availability() -> None:
    connection = op.get_bind()
    now = datetime.now(UTC)
    as_of = date(2022, 1, 1)
    for country, program, note in HOME_ROWS:
        row = connection.execute(
            sa.select(availabilities.c.id).where(
                availabilities.c.country_code == country,
                availabilities.c.program_code == program,
                availabilities.c.status == "not_available",
                availabilities.c.source == NOT_LISTED,
                availabilities.c.updated_by_id.is_(None),
            )
        ).first()
        if row is None:
            continue
        connection.execute(
            availabilities.update()
            .where(availabilities.c.id == row.id)
            .values(status="available", source=SOURCE, as_of=as_of, note=note, updated_at=now)
        )
        connection.execute(
            availability_changes.insert().values(
                availability_id=row.id,
                previous_status="not_available",
                status="available",
                source=SOURCE,
                as_of=as_of,
                note=note,
                recorded_at=now,
            )
        )


def upgrade():
    _state_check(NEW_STATES)
    _correct_home_availability()


def downgrade():
    op.execute("DELETE FROM readiness_changes WHERE state = 'home' OR previous_state = 'home'")
    _state_check(OLD_STATES)
