"""Alembic environment, run through Flask-Migrate (``flask --app app db ...``)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name and not config.attributes.get("skip_logging_config"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def get_engine():
    return target_db.engine


config.set_main_option(
    "sqlalchemy.url", get_engine().url.render_as_string(hide_password=False).replace("%", "%%")
)


def include_object(obj, name, type_, reflected, compare_to):
    # SQLite keeps its own sqlite_sequence table; it is not part of our schema. The search
    # index (fts_* tables on SQLite, fts_* GIN indexes on PostgreSQL) is built by its own
    # migration, not from the models (docs/decisions.md#search-index).
    if type_ in ("table", "index") and name and name.startswith("fts_"):
        return False
    return not (type_ == "table" and name.startswith("sqlite_"))


def render_item(type_, obj, autogen_context):
    # Our UTC TypeDecorator is stored as a plain timezone-aware DateTime.
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args["include_object"] = include_object
    conf_args["render_item"] = render_item

    connectable = get_engine()
    with connectable.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch mode re-creates tables; with foreign keys on, dropping a parent table
            # would cascade into its children. The pragma only works outside a transaction.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()
        if connection.dialect.name == "sqlite":
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
