"""Accounts (``docs/domain.md#roles``): creating users, roles, deactivation, two-factor reset,
preferences, and the per-account login lockout. Each write records an audit event (never a
password or secret); the caller commits, except :func:`register_failed_login`, which is called
where nothing else is written.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_security import hash_password
from sqlalchemy import func, select, update

from crm.accounts.models import ROLES, Role, User
from crm.audit import operations as audit
from crm.core.columns import utcnow
from crm.core.errors import InvalidInput
from crm.core.extensions import db
from crm.core.i18n import LOCALES

logger = logging.getLogger(__name__)
#: Email digests of alerts a user can choose.
DIGESTS = ("none", "daily", "weekly")
security_log = logging.getLogger("crm.security")


def _role(name: str) -> Role:
    if name not in ROLES:
        raise InvalidInput("role", _("Choose one of the options in the list."))
    role = db.session.scalar(select(Role).where(Role.name == name))
    if role is None:
        raise InvalidInput("role", _("Roles are missing: run the seed command first."))
    return role


def role_of(user: User) -> str | None:
    """The user's role (``docs/domain.md#roles``) (the highest, should an account hold several)."""
    names = user.role_names
    return next((role for role in reversed(ROLES) if role in names), None)


def active_admin_count() -> int:
    """Number of active accounts holding the admin role."""
    return db.session.scalar(
        select(func.count(User.id.distinct()))
        .join(User.roles)
        .where(Role.name == "admin", User.active.is_(True))
    )


def create_user(
    email: str,
    role: str,
    password: str,
    *,
    name: str | None = None,
    locale: str = "en",
) -> User:
    """Create an active account with an argon2 hash of ``password`` and a role
    (``docs/domain.md#roles``).

    ``email`` is stored lower-cased. Raises ``InvalidInput`` (a ``ValueError``) when the email is
    taken, the role or locale unknown, or the password too short or too common
    (``crm.passwords``: ``SECURITY_PASSWORD_LENGTH_MIN``, zxcvbn score).
    """
    email = email.strip().lower()
    role_row = _role(role)
    if locale not in LOCALES:
        raise InvalidInput("locale", _("Choose one of the options in the list."))
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise InvalidInput("email", _("An account with this email already exists."))
    security = current_app.extensions["security"]
    # The same policy as the password forms: minimum length, then zxcvbn (crm.passwords).
    errors, password = security.password_util.validate(password, True, email=email, name=name)
    if errors:
        raise InvalidInput("password", " ".join(str(e) for e in errors))
    datastore = security.datastore
    user = datastore.create_user(
        email=email,
        password=hash_password(password),
        name=(name or "").strip() or None,
        locale=locale,
        roles=[role_row],
    )
    db.session.flush()
    audit.record(
        "user.create",
        "user",
        user.id,
        {"email": [None, email], "role": [None, role], "name": [None, user.name]},
    )
    logger.info("account %s (%s) created by %s", user.id, role, audit.current_actor()[1])
    return user


def update_user(user: User, *, name: str | None, role: str) -> User:
    """Change a user's display name and role. Raises ``InvalidInput`` when this would leave no
    active admin."""
    role_row = _role(role)
    before = {"name": user.name, "role": role_of(user)}
    if before["role"] == "admin" and role != "admin" and user.active and active_admin_count() <= 1:
        raise InvalidInput("role", _("At least one active administrator must remain."))
    user.name = (name or "").strip() or None
    user.roles = [role_row]
    changes = audit.diff(before, {"name": user.name, "role": role})
    if changes:
        db.session.flush()
        audit.record("user.update", "user", user.id, changes)
        logger.info("account %s changed by %s", user.id, audit.current_actor()[1])
    return user


def set_active(user: User, active: bool, *, acting_user: User | None) -> User:
    """Deactivate an account (it can no longer log in; its sessions end) or reactivate it (its
    login lockout cleared). Raises ``InvalidInput`` when an admin deactivates their own account
    or the last active admin."""
    if user.active == active:
        return user
    if not active:
        if acting_user is not None and acting_user.id == user.id:
            raise InvalidInput(None, _("You cannot deactivate your own account."))
        if "admin" in user.role_names and active_admin_count() <= 1:
            raise InvalidInput(None, _("At least one active administrator must remain."))
    datastore = current_app.extensions["security"].datastore
    if active:
        datastore.activate_user(user)
        user.failed_logins, user.locked_until = 0, None
    else:
        datastore.deactivate_user(user)
        datastore.set_uniquifier(user)
    db.session.flush()
    audit.record(
        "user.reactivate" if active else "user.deactivate",
        "user",
        user.id,
        {"active": [not active, active]},
    )
    logger.info("account %s active=%s by %s", user.id, active, audit.current_actor()[1])
    return user


def unlock(user: User) -> User:
    """Clear an account's failed-login count and lock."""
    before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
    user.failed_logins, user.locked_until = 0, None
    changes = audit.diff(before, {"failed_logins": 0, "locked_until": None})
    if changes:
        db.session.flush()
        audit.record("user.unlock", "user", user.id, changes)
    return user


def reset_two_factor(user: User) -> User:
    """Remove a user's two-factor setup (a lost authenticator); they set it up again at their
    next login when it is required. The secret itself is never audited."""
    if user.tf_primary_method is None and user.tf_totp_secret is None:
        return user
    before = user.tf_primary_method
    user.tf_primary_method, user.tf_totp_secret = None, None
    current_app.extensions["security"].datastore.set_uniquifier(user)
    db.session.flush()
    audit.record("user.reset_two_factor", "user", user.id, {"two_factor": [before, None]})
    security_log.warning("two-factor of account %s reset by %s", user.id, audit.current_actor()[1])
    return user


def update_preferences(
    user: User, *, name: str | None, locale: str, digest: str | None = None
) -> User:
    """A user's own display name, language (one of en, es, pt_BR) and email digest of alerts
    (none, daily, weekly; unchanged when None)."""
    if locale not in LOCALES:
        raise InvalidInput("locale", _("Choose one of the options in the list."))
    digest = user.digest if digest is None else digest
    if digest not in DIGESTS:
        raise InvalidInput("digest", _("Choose one of the options in the list."))
    before = {"name": user.name, "locale": user.locale, "digest": user.digest}
    user.name, user.locale, user.digest = (name or "").strip() or None, locale, digest
    changes = audit.diff(before, {"name": user.name, "locale": locale, "digest": digest})
    if changes:
        db.session.flush()
        audit.record("user.preferences", "user", user.id, changes)
    return user


def record_password_change(user: User) -> None:
    """Audit a user's change of their own password (no values: only that it happened)."""
    audit.record("user.password_change", "user", user.id, {"password": ["***", "***"]})
    security_log.info("password of account %s changed", user.id)


def record_two_factor_change(user: User, method: str | None) -> None:
    """Audit a user's own two-factor setup change (the method, never the secret)."""
    audit.record("user.two_factor", "user", user.id, {"two_factor": [None, method]})


# --- login lockout --------------------------------------------------------------------------------


def is_locked(user: User, now: datetime | None = None) -> bool:
    """True while the account's lock lasts (``locked_until`` in the future, UTC)."""
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def register_failed_login(user_id: int, now: datetime | None = None) -> bool:
    """Count one failed login of the account, atomically in SQL (several workers may count at
    once); at ``LOGIN_LOCKOUT_ATTEMPTS`` failures in a row the account is locked for
    ``LOGIN_LOCKOUT_MINUTES`` and the count starts again. Returns True when this failure locked
    it. Commits: nothing else is written by a failed login.
    """
    attempts = current_app.config["LOGIN_LOCKOUT_ATTEMPTS"]
    minutes = current_app.config["LOGIN_LOCKOUT_MINUTES"]
    until = (now or utcnow()) + timedelta(minutes=minutes)
    db.session.execute(
        update(User)
        .where(User.id == user_id)
        .values(failed_logins=User.failed_logins + 1)
        .execution_options(synchronize_session=False)
    )
    locked = db.session.execute(
        update(User)
        .where(User.id == user_id, User.failed_logins >= attempts)
        .values(failed_logins=0, locked_until=until)
        .execution_options(synchronize_session=False)
    ).rowcount
    if locked:
        audit.record("user.lock", "user", user_id, {"locked_until": [None, until]})
        security_log.warning("account %s locked for %d minutes", user_id, minutes)
    db.session.commit()
    return bool(locked)


def clear_failed_logins(user: User) -> None:
    """Forget past failures after a successful login (the login view commits)."""
    if user.failed_logins or user.locked_until is not None:
        user.failed_logins, user.locked_until = 0, None
