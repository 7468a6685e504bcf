"""search functions that a pg_dump backup restores: schema-qualified calls

``pg_restore`` runs with an empty ``search_path``; the search index's per-table functions
called ``crm_search_document`` unqualified, so restoring a backup failed at the GIN indexes
("No function matches the given name"). Each function now calls
``public.crm_search_document``; the same results, so the indexes stand as they are
(docs/deploy.md#backups). Nothing to do on SQLite.

Revision ID: c5b0662542a6
Revises: 5d1c9e7a3f20
Create Date: 2026-12-07

"""

import re

from alembic import op

revision = "c5b0662542a6"
down_revision = "5d1c9e7a3f20"
branch_labels = None
depends_on = None

#: The functions that call another of ours, with their arguments.
FUNCTIONS = {
    "crm_practices_document": "text, text",
    "crm_contacts_document": "text, text, text",
    "crm_responses_document": "json",
    "crm_tasks_document": "text, text",
}


def _qualify(qualified: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for name, arguments in FUNCTIONS.items():
        definition = bind.exec_driver_sql(
            "SELECT pg_get_functiondef(%s::regprocedure)", (f"public.{name}({arguments})",)
        ).scalar()
        if qualified:
            changed = re.sub(r"(?<![.\w])crm_search_document\(", "public.crm_search_document(",
                             definition)  # fmt: skip
        else:
            changed = definition.replace("public.crm_search_document(", "crm_search_document(")
        if changed != definition:
            bind.exec_driver_sql(
                changed.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
            )


def upgrade():
    _qualify(True)


def downgrade():
    _qualify(False)
