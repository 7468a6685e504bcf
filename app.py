"""Application factory: ``flask --app app ...`` finds ``create_app`` here."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_security import SQLAlchemyUserDatastore
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, ValidationError

import config
import crm.tables  # noqa: F401  (every table on the metadata)
from crm.accounts.models import Role, User
from crm.accounts.security import security
from crm.core import hardening, logs, metrics
from crm.core.extensions import babel, csrf, db, limiter, migrate
from crm.core.i18n import select_locale
from crm.outreach import emails as outreach

user_datastore = SQLAlchemyUserDatastore(db, User, Role)


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` limited to what an INTEGER column holds, so a huge id in a URL is a 404
    rather than an overflow error in the database (PostgreSQL INTEGER is 32-bit)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's parameter name)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        try:
            return super().to_python(value)
        except ValidationError:
            # A 404 for every method: werkzeug would answer 405 where another method's rule
            # shares the path.
            raise NotFound() from None


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment (``config.load_config``), then apply ``overrides``.

    Tests pass overrides (e.g. ``SQLALCHEMY_DATABASE_URI``). Raises ``config.ConfigError`` when
    production lacks a secret. Never creates or migrates tables: ``flask db upgrade`` does.
    """
    app = Flask(__name__, instance_path=str(config.INSTANCE_DIR))
    app.config.from_mapping(config.load_config())
    if overrides:
        app.config.update(overrides)
    trust_proxies(app)
    app.url_map.converters["int"] = DatabaseIdConverter
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_commands(app)
    register_jobs()
    hardening.refuse_nul_in_blueprints(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` reverse proxies, take the client's address and scheme from
    their ``X-Forwarded-For``/``-Proto`` headers (werkzeug's ProxyFix), so the per-client rate
    limits count clients, not the proxy. With 0 those headers are ignored: anyone could forge
    them. ``X-Forwarded-Host`` is never trusted: common proxies pass a client's own value on,
    and links in emails come from ``PUBLIC_BASE_URL``, not the request's host."""
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)


def register_extensions(app: Flask) -> None:
    """Bind the extensions (database, migrations, Babel, CSRF, rate limits, Flask-Security) and
    the hooks of login security, tallies, readiness recording, hardening and the outbox."""
    logs.init_app(app)  # first: a request refused by a later hook still gets its id
    metrics.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    from crm.accounts import security as login_security
    from crm.accounts.forms import SECURITY_FORMS
    from crm.readiness import operations as readiness_recording
    from crm.responses import tallies

    security.init_app(app, user_datastore, **SECURITY_FORMS)
    login_security.init_app(app)
    tallies.init_app(app)
    readiness_recording.init_app(app)
    hardening.init_app(app)
    outreach.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Register every blueprint of the screens and the survey, then the API's."""
    from crm.accounts.views import account, admin
    from crm.activities import views as tasks
    from crm.api import openapi
    from crm.core import views as public
    from crm.countries.views import availability, countries
    from crm.data import views as data
    from crm.monitoring import views as monitoring
    from crm.outreach.views import alerts, invitations
    from crm.privacy import views as privacy_requests
    from crm.readiness.views import dashboard, whatif
    from crm.responses.views import duplicates, inbox, practices
    from crm.savedviews import views as savedviews
    from crm.search import views as search
    from surveys import views as surveys

    app.register_blueprint(public.blueprint)
    app.register_blueprint(monitoring.blueprint)
    app.register_blueprint(surveys.blueprint)
    app.register_blueprint(dashboard.blueprint)
    app.register_blueprint(whatif.blueprint)
    app.register_blueprint(countries.blueprint)
    app.register_blueprint(data.blueprint)
    app.register_blueprint(inbox.blueprint)
    app.register_blueprint(practices.blueprint)
    app.register_blueprint(duplicates.blueprint)
    app.register_blueprint(search.blueprint)
    app.register_blueprint(savedviews.blueprint)
    app.register_blueprint(tasks.blueprint)
    app.register_blueprint(admin.blueprint)
    app.register_blueprint(account.blueprint)
    app.register_blueprint(privacy_requests.blueprint)
    app.register_blueprint(invitations.blueprint)
    app.register_blueprint(invitations.unsubscribe_blueprint)
    app.register_blueprint(alerts.blueprint)
    app.register_blueprint(availability.blueprint)
    openapi.init_app(app)


def register_jobs() -> None:
    """Import the modules whose daily jobs register themselves (``crm.core.jobs.daily_job``)."""
    from crm.outreach import operations as outreach_jobs  # noqa: F401
    from crm.privacy import retention as retention_jobs  # noqa: F401
    from crm.readiness import operations as readiness_jobs  # noqa: F401


def register_template_helpers(app: Flask) -> None:
    """Give templates their filters and globals: dates and numbers, labels, the privacy
    notice's link, fingerprinted static files (and compression, ``crm.core.assets``)."""
    from crm import labels
    from crm.core import assets, presentation
    from crm.privacy import notice

    assets.init_app(app)
    presentation.init_app(app)
    labels.init_app(app)
    notice.init_app(app)


def register_error_handlers(app: Flask) -> None:
    """Error pages, and the API's error shape (``crm.core.errors``)."""
    from crm.core import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    """The ``flask`` commands (``docs/architecture.md#interfaces``) and ``flask demo``."""
    from crm import cli
    from crm.demo import generate as demo

    cli.init_app(app)
    app.cli.add_command(demo.demo_command)
