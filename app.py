"""Application factory: ``flask --app app ...`` finds ``create_app`` here."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from flask_security import SQLAlchemyUserDatastore

import config
from crm import database  # noqa: F401  (registers the SQLite engine events)
from crm.extensions import babel, csrf, db, limiter, migrate, security
from crm.i18n import select_locale
from crm.models import Role, User

user_datastore = SQLAlchemyUserDatastore(db, User, Role)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment (``config.load_config``), then apply ``overrides``.

    Tests pass overrides (e.g. ``SQLALCHEMY_DATABASE_URI``). Raises ``config.ConfigError`` when
    production lacks a secret. Never creates or migrates tables: ``flask db upgrade`` does.
    """
    app = Flask(__name__, instance_path=str(config.INSTANCE_DIR))
    app.config.from_mapping(config.load_config())
    if overrides:
        app.config.update(overrides)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_commands(app)
    logging.basicConfig(level=logging.INFO)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app, user_datastore)


def register_blueprints(app: Flask) -> None:
    from crm.views import data, public

    app.register_blueprint(public.blueprint)
    app.register_blueprint(data.blueprint)


def register_template_helpers(app: Flask) -> None:
    from crm import presentation

    presentation.init_app(app)


def register_error_handlers(app: Flask) -> None:
    from crm import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from crm import cli

    cli.init_app(app)
