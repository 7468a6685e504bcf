"""search index: practices, contacts, filed responses and tasks, found whatever the case,
accents and punctuation (docs/decisions.md#search-index)

SQLite: an FTS5 table per kind (``fts_practices``, ``fts_contacts``, ``fts_responses``,
``fts_tasks``; the ``unicode61`` tokenizer without diacritics), contentless, kept by triggers
on the tables themselves, so every write keeps it right, whatever the code that makes it (the
ORM, a bulk UPDATE, the erasure's sweep, the retention purge). PostgreSQL: the ``unaccent``
extension, one IMMUTABLE function per kind giving the row's ``tsvector`` ('simple'
configuration, accents dropped, punctuation read as spaces), and a GIN index on it. A phone is
also indexed as its digits alone. Responses are indexed once filed. Existing rows are indexed
here.

Revision ID: 680b54b24a94
Revises: 7b42663d890d
Create Date: 2026-12-07

"""

from alembic import op

revision = "680b54b24a94"
down_revision = "7b42663d890d"
branch_labels = None
depends_on = None

#: Characters read as spaces on PostgreSQL (its parser would keep "a@b.org" or "x-y" whole).
PUNCTUATION = "@.-_+()/,;:'\"#&!?*[]{}<>|\\~`^=$%"


def _sqlite_digits(column: str) -> str:
    expression = f"coalesce({column}, '')"
    for character in " -.()+/":
        expression = f"replace({expression}, '{character}', '')"
    return expression


def _sqlite_documents(row: str) -> dict[str, tuple[str, str, str | None]]:
    """Kind → (table, document of ``row`` ("new" or "old"), condition for being indexed)."""

    def answer(key: str) -> str:
        return f"coalesce(json_extract({row}.answers, '$.{key}'), '')"

    def text(column: str) -> str:
        return f"coalesce({row}.{column}, '')"

    return {
        "practices": ("practices", f"{text('name')} || ' ' || {text('city')}", None),
        "contacts": (
            "contacts",
            f"{text('name')} || ' ' || {text('email')} || ' ' || {text('phone')} || ' ' || "
            f"{_sqlite_digits(row + '.phone')}",
            None,
        ),
        "responses": (
            "survey_responses",
            " || ' ' || ".join(
                [answer(k) for k in ("practice_name", "name", "email", "city", "phone")]
                + [_sqlite_digits(f"json_extract({row}.answers, '$.phone')")]
            ),
            f"{row}.filed_at IS NOT NULL",
        ),
        "tasks": ("tasks", f"{text('title')} || ' ' || {text('notes')}", None),
    }


#: Kind → the columns whose change re-indexes a row (SQLite's UPDATE OF).
WATCHED = {
    "practices": "name, city",
    "contacts": "name, email, phone",
    "responses": "answers, filed_at",
    "tasks": "title, notes",
}


def _sqlite_upgrade() -> None:
    # The SQL below is built from this module's constants only: nothing typed reaches it.
    new, old = _sqlite_documents("new"), _sqlite_documents("old")
    for kind, (table, document, indexed) in new.items():
        fts = f"fts_{kind}"
        old_document, old_indexed = old[kind][1], old[kind][2]
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5(document, content='', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        when_new = f" WHEN {indexed}" if indexed else ""
        when_old = f" WHEN {old_indexed}" if old_indexed else ""
        op.execute(
            f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table}{when_new} BEGIN "  # noqa: S608
            f"INSERT INTO {fts}(rowid, document) VALUES (new.id, {document}); END"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table}{when_old} BEGIN "  # noqa: S608
            f"INSERT INTO {fts}({fts}, rowid, document) VALUES ('delete', old.id, {old_document});"
            " END"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {WATCHED[kind]} ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, document) SELECT 'delete', old.id, {old_document}"
            f"{' WHERE ' + old_indexed if old_indexed else ''}; "
            f"INSERT INTO {fts}(rowid, document) SELECT new.id, {document}"
            f"{' WHERE ' + indexed if indexed else ''}; END"
        )
        rows = _sqlite_documents(table)[kind]
        op.execute(
            f"INSERT INTO {fts}(rowid, document) SELECT id, {rows[1]} FROM {table}"  # noqa: S608
            f"{' WHERE ' + rows[2] if rows[2] else ''}"
        )


def _postgres_upgrade() -> None:
    spaces = " " * len(PUNCTUATION)
    punctuation = PUNCTUATION.replace("'", "''")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute(
        "CREATE FUNCTION crm_search_document(text) RETURNS tsvector LANGUAGE sql IMMUTABLE "
        "PARALLEL SAFE AS $$ SELECT to_tsvector('simple'::regconfig, translate("
        "public.unaccent('public.unaccent'::regdictionary, coalesce($1, '')), "
        f"'{punctuation}', '{spaces}')) $$"
    )
    digits = "regexp_replace(coalesce({0}, ''), '[^0-9]+', '', 'g')"
    functions = {
        "practices": ("name text, city text", "coalesce(name, '') || ' ' || coalesce(city, '')"),
        "contacts": (
            "name text, email text, phone text",
            "coalesce(name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '') "
            f"|| ' ' || {digits.format('phone')}",
        ),
        "responses": (
            "answers json",
            " || ' ' || ".join(
                f"coalesce(answers ->> '{k}', '')"
                for k in ("practice_name", "name", "email", "city", "phone")
            )
            + " || ' ' || "
            + digits.format("answers ->> 'phone'"),
        ),
        "tasks": ("title text, notes text", "coalesce(title, '') || ' ' || coalesce(notes, '')"),
    }
    for kind, (arguments, document) in functions.items():
        op.execute(
            f"CREATE FUNCTION crm_{kind}_document({arguments}) RETURNS tsvector LANGUAGE sql "
            f"IMMUTABLE PARALLEL SAFE AS $$ SELECT crm_search_document({document}) $$"
        )
    op.execute(
        "CREATE INDEX fts_practices_document ON practices "
        "USING gin (crm_practices_document(name, city))"
    )
    op.execute(
        "CREATE INDEX fts_contacts_document ON contacts "
        "USING gin (crm_contacts_document(name, email, phone))"
    )
    op.execute(
        "CREATE INDEX fts_responses_document ON survey_responses "
        "USING gin (crm_responses_document(answers)) WHERE filed_at IS NOT NULL"
    )
    op.execute(
        "CREATE INDEX fts_tasks_document ON tasks USING gin (crm_tasks_document(title, notes))"
    )


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _postgres_upgrade()
    else:
        _sqlite_upgrade()


def downgrade():
    kinds = ("practices", "contacts", "responses", "tasks")
    if op.get_bind().dialect.name == "postgresql":
        for kind in kinds:
            op.execute(f"DROP INDEX IF EXISTS fts_{kind}_document")
            op.execute(f"DROP FUNCTION IF EXISTS crm_{kind}_document")
        op.execute("DROP FUNCTION IF EXISTS crm_search_document")
        op.execute("DROP EXTENSION IF EXISTS unaccent")
        return
    for kind in kinds:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS fts_{kind}_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS fts_{kind}")
