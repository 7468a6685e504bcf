"""Configuration from the environment, in one flat mapping (flaskr's shape).

The embedded default needs nothing set: SQLite under ``instance/``, a generated secret kept there.
Production (``FLASK_ENV=production`` or ``CRM_ENV=production``) refuses to start without
``SECRET_KEY`` and ``SECURITY_PASSWORD_SALT``.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Any

INSTANCE_DIR = Path(__file__).resolve().parent / "instance"
#: The embedded default's database, used when ``DATABASE_URL`` is not set.
EMBEDDED_DATABASE_URL = f"sqlite:///{INSTANCE_DIR / 'crm.sqlite'}"


class ConfigError(RuntimeError):
    """Raised at start-up when a required setting is missing."""


def is_production(environ: os._Environ[str] | dict[str, str] = os.environ) -> bool:
    """True when the environment declares production (``FLASK_ENV`` or ``CRM_ENV``)."""
    return "production" in {environ.get("FLASK_ENV", ""), environ.get("CRM_ENV", "")}


def _instance_secret(name: str) -> str:
    """A random secret kept in ``instance/<name>``, created on first use (embedded default)."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _require_or_generate(name: str, environ: dict[str, str], production: bool) -> str:
    value = environ.get(name)
    if value:
        return value
    if production:
        raise ConfigError(f"{name} must be set in production")
    return _instance_secret(name.lower())


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _choice(env: dict[str, str], name: str, allowed: tuple[str, ...]) -> str:
    """``env[name]`` when it is one of ``allowed`` (the first is the default); ConfigError else."""
    value = (env.get(name) or allowed[0]).strip().lower()
    if value not in allowed:
        raise ConfigError(f"{name} must be one of: {', '.join(allowed)}")
    return value


def _count(env: dict[str, str], name: str, default: int = 0) -> int:
    """``env[name]`` as a whole number of 0 or more; ConfigError for anything else."""
    value = (env.get(name) or str(default)).strip()
    if not (value.isascii() and value.isdigit()):
        raise ConfigError(f"{name} must be a whole number, 0 or more")
    return int(value)


def load_config(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the app's configuration from environment variables.

    Returns a flat dict for ``app.config``. Raises ``ConfigError`` when production lacks a
    secret, or ``TRUSTED_PROXIES`` or ``SURVEY_FILING`` has a value they cannot take
    (``ValueError`` for another number setting that is not a number). See the README's
    configuration reference for every variable.
    """
    env = dict(os.environ if environ is None else environ)
    production = is_production(env)
    database_url = env.get("DATABASE_URL") or EMBEDDED_DATABASE_URL
    embedded = database_url.startswith("sqlite") and not production
    org_timezone = env.get("ORG_TIMEZONE", "America/New_York")
    # Sections in this order: the first setting that is wrong is the one reported.
    return {
        **_secrets(env, production),
        **_database(database_url, production, embedded),
        "ORG_TIMEZONE": org_timezone,
        **_uploads(env),
        **_traffic(env),
        **_accounts(env, embedded),
        **_pages(org_timezone, embedded),
        **_mail(env),
        **_survey_and_outreach(env),
        **_operations(env),
    }


def _secrets(env: dict[str, str], production: bool) -> dict[str, Any]:
    """The app's secret key, the password salt and the TOTP secret: from the environment, or
    generated and kept under ``instance/`` on the embedded default; ``ConfigError`` when
    production lacks one."""
    secret_key = _require_or_generate("SECRET_KEY", env, production)
    password_salt = _require_or_generate("SECURITY_PASSWORD_SALT", env, production)
    totp_secret = _require_or_generate("TOTP_SECRET", env, production)
    return {
        "SECRET_KEY": secret_key,
        "SECURITY_PASSWORD_SALT": password_salt,
        "SECURITY_TOTP_SECRETS": {"1": totp_secret},
    }


def _database(database_url: str, production: bool, embedded: bool) -> dict[str, Any]:
    """Where the data live, and whether this is production or the embedded default."""
    return {
        "CRM_PRODUCTION": production,
        #: True on the zero-configuration SQLite setup of ``make run``: demo admin, plain cookies.
        "CRM_EMBEDDED": embedded,
        #: The embedded default's own database: ``make run``'s demo admin and demo data go there
        #: only, never into a configured one (SQLite or not). See ``crm.cli.on_embedded_database``.
        "CRM_EMBEDDED_DATABASE_URI": EMBEDDED_DATABASE_URL,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # hide_parameters: database errors (and so logs) do not quote the values of a statement,
        # which are often personal data.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
    }


def _uploads(env: dict[str, str]) -> dict[str, Any]:
    """Sizes of requests, imported files and export steps (bytes, rows, columns, days)."""
    return {
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(5 * 1024 * 1024))),
        "MAX_FORM_MEMORY_SIZE": 200_000,
        # Legacy import (docs/architecture.md#data): rows and columns of one file; XLSX
        # zip-bomb guard.
        "IMPORT_MAX_ROWS": int(env.get("IMPORT_MAX_ROWS", "20000")),
        "IMPORT_MAX_COLUMNS": int(env.get("IMPORT_MAX_COLUMNS", "500")),
        "IMPORT_MAX_UNCOMPRESSED_BYTES": 100 * 1024 * 1024,
        "IMPORT_MAX_COMPRESSION_RATIO": 200,
        #: Days an uploaded but uncommitted import is kept before it is deleted.
        "IMPORT_KEEP_DAYS": 7,
        #: Largest import upload (other requests keep MAX_CONTENT_LENGTH), days a committed
        #: import can be undone, and rows checked or committed within the request itself (a
        #: larger file runs in the background with a progress bar): docs/domain.md#imports.
        "IMPORT_MAX_BYTES": int(env.get("IMPORT_MAX_BYTES", str(50 * 1024 * 1024))),
        "IMPORT_UNDO_DAYS": int(env.get("IMPORT_UNDO_DAYS", "30")),
        "IMPORT_INLINE_ROWS": int(env.get("IMPORT_INLINE_ROWS", "1000")),
        #: Rows fetched and written per step of an export (bounded memory).
        "EXPORT_CHUNK_SIZE": 2000,
    }


def _traffic(env: dict[str, str]) -> dict[str, Any]:
    """Proxies, rate limits, login lockout and who files survey responses
    (``docs/decisions.md#rate-limits``, ``docs/decisions.md#worker-filing``)."""
    return {
        #: Reverse proxies in front of the app that set ``X-Forwarded-For``/``-Proto``/``-Host``
        #: (werkzeug's ProxyFix trusts that many hops): the rate limits then count the client's
        #: address, not the proxy's. 0 (the default) trusts no such header.
        "TRUSTED_PROXIES": _count(env, "TRUSTED_PROXIES"),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "SURVEY_SUBMIT_RATE_LIMIT": env.get("SURVEY_SUBMIT_RATE_LIMIT", "20 per hour"),
        #: Who files a survey response under its practice: ``worker`` (``flask worker``, a
        #: second later; the submit only stores the answers) or ``inline`` (in the submit's own
        #: transaction, for a deployment without a worker). README "Performance".
        "SURVEY_FILING": _choice(env, "SURVEY_FILING", ("worker", "inline")),
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute"),
        #: Failed logins in a row that lock an account, and for how long (kept in the users table,
        #: so the lockout holds across workers).
        "LOGIN_LOCKOUT_ATTEMPTS": int(env.get("LOGIN_LOCKOUT_ATTEMPTS", "5")),
        "LOGIN_LOCKOUT_MINUTES": int(env.get("LOGIN_LOCKOUT_MINUTES", "15")),
    }


def _accounts(env: dict[str, str], embedded: bool) -> dict[str, Any]:
    """Staff accounts: two-factor for admins, the password policy and Flask-Security-Too's
    settings (its required ones, and only what works offline: no mail-based flows)."""
    return {
        #: Admins must set up and use TOTP two-factor (docs/domain.md#roles); off on the
        #: embedded default so the demo admin of ``make run`` can log in at once.
        "ADMIN_TWO_FACTOR_REQUIRED": _bool(
            env.get("ADMIN_TWO_FACTOR_REQUIRED"), default=not embedded
        ),
        "SECURITY_PASSWORD_HASH": "argon2",
        "SECURITY_PASSWORD_LENGTH_MIN": 12,
        "SECURITY_PASSWORD_CHECK_BREACHED": False,
        #: zxcvbn score (0..4) a password needs; its lists hold the common passwords.
        "SECURITY_ZXCVBN_MINIMUM_SCORE": int(env.get("PASSWORD_MINIMUM_SCORE", "3")),
        "SECURITY_EMAIL_VALIDATOR_ARGS": {"check_deliverability": False},
        "SECURITY_REGISTERABLE": False,
        "SECURITY_RECOVERABLE": False,
        "SECURITY_CHANGEABLE": True,
        "SECURITY_SEND_PASSWORD_CHANGE_EMAIL": False,
        "SECURITY_SEND_REGISTER_EMAIL": False,
        "SECURITY_TRACKABLE": False,
        "SECURITY_URL_PREFIX": "/staff",
        "SECURITY_POST_LOGIN_VIEW": "/staff/dashboard/",
        "SECURITY_POST_LOGOUT_VIEW": "/staff/login",
        "SECURITY_TWO_FACTOR": True,
        "SECURITY_TWO_FACTOR_ENABLED_METHODS": ["authenticator"],
        "SECURITY_TOTP_ISSUER": env.get("SECURITY_TOTP_ISSUER", "Intl Quality CRM"),
        # No mail-based rescue: an admin resets a lost authenticator from the user's page.
        "SECURITY_TWO_FACTOR_RESCUE_EMAIL": False,
        # Login errors do not tell whether an account exists.
        "SECURITY_RETURN_GENERIC_RESPONSES": True,
        "SECURITY_USE_REGISTER_V2": True,
        "SECURITY_FLASH_MESSAGES": True,
        "SECURITY_MSG_LOGIN": ("Please log in to access this page.", "info"),
        "CRM_DEMO_ADMIN_EMAIL": "admin@example.org",
    }


def _pages(org_timezone: str, embedded: bool) -> dict[str, Any]:
    """Languages, time zone, forms and cookies of the pages (``docs/decisions.md#sessions``);
    cookies are Secure and links https everywhere but the embedded default."""
    return {
        "BABEL_DEFAULT_LOCALE": "en",
        # Flask-Babel converts instants to this zone: the organization's, as
        # ``crm.core.presentation`` does, so every time on a page reads in one zone.
        "BABEL_DEFAULT_TIMEZONE": org_timezone,
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent / "translations"),
        "WTF_CSRF_TIME_LIMIT": 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not embedded,
        "REMEMBER_COOKIE_SECURE": not embedded,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": "http" if embedded else "https",
    }


def _mail(env: dict[str, str]) -> dict[str, Any]:
    """The mail server the outbox delivers through, and the sender."""
    return {
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "quality-programs@example.org"),
    }


def _survey_and_outreach(env: dict[str, str]) -> dict[str, Any]:
    """The survey's privacy notice and versions, retention, links in emails, invitations and
    alerts (days)."""
    return {
        #: The privacy notice the survey shows and records; one of
        #: ``crm.privacy.notice.VERSIONS``.
        "PRIVACY_NOTICE_VERSION": env.get("PRIVACY_NOTICE_VERSION", "2026-12-07"),
        #: Where respondents write to exercise their rights (named in the privacy notice).
        "PRIVACY_CONTACT_EMAIL": env.get(
            "PRIVACY_CONTACT_EMAIL",
            env.get("MAIL_DEFAULT_SENDER", "quality-programs@example.org"),
        ),
        #: Days the raw answers of spam, duplicate and unlinked responses are kept (``purge``).
        "RAW_ANSWER_RETENTION_DAYS": int(env.get("RAW_ANSWER_RETENTION_DAYS", "365")),
        "QUESTIONNAIRE_VERSION": "2026.1",
        #: Where the public pages are served, for links in emails (no request to read it from).
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        #: Days a saved survey draft and its resume link last after the latest save, and how
        #: long a rendered survey form accepts its answers (docs/decisions.md#survey-stamp).
        "SURVEY_DRAFT_DAYS": _count(env, "SURVEY_DRAFT_DAYS", 30),
        #: Days an invitation's personal link works, and days before one reminder is sent.
        "INVITATION_DAYS": int(env.get("INVITATION_DAYS", "30")),
        "INVITATION_REMINDER_DAYS": int(env.get("INVITATION_REMINDER_DAYS", "7")),
        #: Days an open privacy review may stay unchanged before its country's owner is alerted.
        "PRIVACY_REVIEW_STALE_DAYS": int(env.get("PRIVACY_REVIEW_STALE_DAYS", "60")),
    }


def _networks(env: dict[str, str], name: str) -> tuple[str, ...]:
    """``env[name]`` as comma-separated addresses or networks (``127.0.0.1``, ``10.0.0.0/8``,
    ``::1``); ConfigError when one is neither."""
    entries = tuple(part.strip() for part in (env.get(name) or "").split(",") if part.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigError(f"{name}: {entry!r} is not an address or network") from None
    return entries


def _operations(env: dict[str, str]) -> dict[str, Any]:
    """Running it for real (docs/deploy.md): sessions' timeouts, logs, metrics access, the
    readiness limits and the outbox's claim lease (minutes, seconds)."""
    return {
        #: A staff session ends after this many minutes without a request, and this many hours
        #: after its login whatever happens (docs/decisions.md#server-sessions).
        "SESSION_IDLE_MINUTES": _count(env, "SESSION_IDLE_MINUTES", 30),
        "SESSION_MAX_HOURS": _count(env, "SESSION_MAX_HOURS", 12),
        #: ``text`` (the default) or ``json``: one JSON object per line on stdout.
        "LOG_FORMAT": _choice(env, "LOG_FORMAT", ("text", "json")),
        #: ``/metrics`` answers a request bearing this token, or coming from METRICS_ALLOW.
        "METRICS_TOKEN": env.get("METRICS_TOKEN", ""),
        "METRICS_ALLOW": _networks(env, "METRICS_ALLOW"),
        #: ``/readyz`` fails when the newest worker heartbeat, the oldest response waiting to be
        #: filed or the oldest email due are older than these (seconds).
        "READY_HEARTBEAT_SECONDS": _count(env, "READY_HEARTBEAT_SECONDS", 60),
        "READY_WAITING_SECONDS": _count(env, "READY_WAITING_SECONDS", 300),
        "READY_OUTBOX_SECONDS": _count(env, "READY_OUTBOX_SECONDS", 900),
        #: How long a worker's claim on an email holds before another worker takes it over (a
        #: worker that died mid-delivery), seconds.
        "OUTBOX_CLAIM_SECONDS": _count(env, "OUTBOX_CLAIM_SECONDS", 600),
    }
