"""Repair "since" days that survived a status change, from the audit trail.

Before this revision an edit form, and an API PATCH, sent back the stored ``status_since`` with
a new status, so a review approved today could read "approved since" the day it was requested
(docs/domain.md#status-dates). For each privacy review and agreement whose latest status change
is in the audit trail without a day given for it, the status's day becomes the organization's
calendar day of that change; a decision (approval, rejection, signature) without a day of its
own gets the same day. Rows whose status change the trail never recorded stay as they are: the
migration logs how many.

Revision ID: c41b7e5d9a28
Revises: 0f4f40aabca6
Create Date: 2026-12-06

"""

import logging
import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "c41b7e5d9a28"
down_revision = "0f4f40aabca6"
branch_labels = None
depends_on = None

logger = logging.getLogger("alembic.runtime.migration")

#: Per table: its audit entity type, and the decision column with the statuses that decide.
TABLES = {
    "privacy_reviews": (
        "privacy_review",
        "decided_on",
        {"approved", "approved_with_conditions", "rejected"},
    ),
    "country_agreements": ("country_agreement", "signed_on", {"signed"}),
}
#: Columns a decision day must not come after (CHECK constraints of the tables).
NOT_AFTER = {"country_agreements": ("expires_on", "effective_on")}
NOT_BEFORE = {"privacy_reviews": ("requested_on",)}

audit_events = sa.table(
    "audit_events",
    sa.column("id", sa.Integer),
    sa.column("occurred_at", sa.DateTime(timezone=True)),
    sa.column("action", sa.String),
    sa.column("entity_type", sa.String),
    sa.column("entity_id", sa.String),
    sa.column("changes", sa.JSON),
)


def _org_day(instant: datetime) -> date:
    # The organization's zone as the app reads it (ORG_TIMEZONE, docs/deploy.md).
    zone = ZoneInfo(os.environ.get("ORG_TIMEZONE") or "America/New_York")
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(zone).date()


def _latest_status_changes(connection, entity_type: str) -> tuple[dict[int, dict], set[int]]:
    """``({row id: changes of its latest status-changing update, "day": ...}, audited ids)``."""
    latest: dict[int, dict] = {}
    audited: set[int] = set()
    events = connection.execute(
        sa.select(audit_events.c.entity_id, audit_events.c.occurred_at, audit_events.c.changes)
        .where(
            audit_events.c.entity_type == entity_type,
            audit_events.c.action.in_((f"{entity_type}.create", f"{entity_type}.update")),
        )
        .order_by(audit_events.c.id)
    )
    for entity_id, occurred_at, changes in events:
        if not str(entity_id).isdigit():
            continue
        row_id = int(entity_id)
        audited.add(row_id)
        if isinstance(changes, dict) and "status" in changes:
            latest[row_id] = {**changes, "day": _org_day(occurred_at)}
    return latest, audited


def _decision_fits(row, table: str, day: date) -> bool:
    after = [getattr(row, c) for c in NOT_AFTER.get(table, ()) if getattr(row, c) is not None]
    before = [getattr(row, c) for c in NOT_BEFORE.get(table, ()) if getattr(row, c) is not None]
    return all(day <= d for d in after) and all(day >= d for d in before)


def _repair(connection, table: str) -> tuple[int, int]:
    entity_type, decision, deciding = TABLES[table]
    columns = ("id", "status", "status_since", decision, *NOT_AFTER.get(table, ()))
    columns += NOT_BEFORE.get(table, ())
    target = sa.table(
        table,
        sa.column("id", sa.Integer),
        sa.column("status", sa.String),
        *(sa.column(c, sa.Date) for c in dict.fromkeys(columns[2:])),
    )
    latest, audited = _latest_status_changes(connection, entity_type)
    repaired = unrecorded = 0
    for row in connection.execute(sa.select(*target.c)):
        change = latest.get(row.id)
        if row.id not in audited:
            unrecorded += 1
            continue
        if change is None or change["status"][1] != row.status or "status_since" in change:
            continue  # created with its day, or a day was given with the change
        values = {}
        if row.status_since != change["day"]:
            values["status_since"] = change["day"]
        kept_decision = getattr(row, decision)
        stale = kept_decision is None or (
            row.status_since is not None and kept_decision < row.status_since
        )
        decided_now = row.status in deciding and decision not in change
        if decided_now and stale and _decision_fits(row, table, change["day"]):
            values[decision] = change["day"]
        if values:
            connection.execute(target.update().where(target.c.id == row.id).values(**values))
            repaired += 1
    return repaired, unrecorded


def upgrade():
    connection = op.get_bind()
    for table in TABLES:
        repaired, unrecorded = _repair(connection, table)
        logger.info(
            "%s: %d status day(s) repaired from the audit trail; %d row(s) have no recorded "
            "status change and were left as they were",
            table,
            repaired,
            unrecorded,
        )


def downgrade():
    pass  # the days it wrote are the true ones; there is nothing to undo
