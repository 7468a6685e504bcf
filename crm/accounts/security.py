"""Login hardening around Flask-Security (``docs/decisions.md#rate-limits``): rate limits,
lockout, security log, audit of password and two-factor changes, and two-factor for admins.

- Per client: ``LOGIN_RATE_LIMIT`` on the POSTs of the login and two-factor code pages
  (Flask-Limiter; its storage is ``RATELIMIT_STORAGE_URI``).
- Per account: failures counted in the users table (``crm.accounts.operations``), so a lock holds
  across workers; :class:`crm.accounts.forms.StaffLoginForm` refuses a locked account.
- Flask-Security's own auth tokens are switched off (:func:`_no_token_login`).
- Sessions are held on the server and end at logout or a timeout (``crm.accounts.sessions``).
- Every failure is logged on the ``crm.security`` logger with the account id and client address,
  never the password.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, flash, redirect, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_security import (
    Security,
    password_changed,
    tf_profile_changed,
    user_authenticated,
    user_failed_authn,
)
from flask_security.utils import url_for_security

from crm.accounts import operations as accounts
from crm.accounts import sessions
from crm.accounts.passwords import PasswordPolicy
from crm.core.extensions import limiter

#: Flask-Security-Too, with our password policy; bound in ``create_app`` with the users'
#: datastore and our forms.
security = Security(password_util_cls=PasswordPolicy)
security_log = logging.getLogger("crm.security")

#: Flask-Security endpoints where a credential is presented.
RATE_LIMITED_ENDPOINTS = ("security.login", "security.two_factor_token_validation")


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _log_breach(limit) -> None:
    security_log.warning("login rate limit reached (client %s)", request.remote_addr)


#: One limit object for every app built in this process: Flask-Limiter de-duplicates it.
LOGIN_LIMIT = limiter.limit(_login_rate_limit, methods=["POST"], on_breach=_log_breach)


def _on_failed_authn(sender, user, auth_type: str, tfa: bool = False, **extra) -> None:
    security_log.warning(
        "login failed: account %s, %s%s (client %s)",
        user.id,
        auth_type,
        " (second factor)" if tfa else "",
        request.remote_addr if request else "-",
    )
    accounts.register_failed_login(user.id)


def _on_authenticated(sender, user, authn_via=None, **extra) -> None:
    security_log.info("login succeeded: account %s via %s", user.id, ",".join(authn_via or ()))
    accounts.clear_failed_logins(user)


def _on_password_changed(sender, user, **extra) -> None:
    accounts.record_password_change(user)


def _on_two_factor_changed(sender, user, method=None, **extra) -> None:
    accounts.record_two_factor_change(user, method)


def _no_token_login(request) -> None:
    """Flask-Security's own auth tokens (``Authentication-Token``, handed out by a JSON login)
    never log anyone in: they do not expire, outlive a logout and are neither listed nor
    revocable. Screens take the session only; the API takes our bearer tokens
    (``crm.api.tokens``), which are logged, revocable and stored hashed."""
    return None


def enforce_admin_two_factor():
    """``before_request`` of admin pages: an admin without two-factor is sent to set it up
    first when ``ADMIN_TWO_FACTOR_REQUIRED`` is on (``docs/domain.md#roles``). Returns a
    redirect or None."""
    if not current_user.is_authenticated or not current_user.two_factor_mandatory:
        return None
    if current_user.tf_primary_method:
        return None
    flash(_("Set up two-factor authentication before using the administration pages."), "info")
    return redirect(url_for_security("two_factor_setup"))


def init_app(app: Flask) -> None:
    """Rate-limit the credential POSTs, switch off Flask-Security's auth tokens and subscribe to
    its signals."""
    app.login_manager.request_loader(_no_token_login)
    for endpoint in RATE_LIMITED_ENDPOINTS:
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = LOGIN_LIMIT(app.view_functions[endpoint])
    user_failed_authn.connect(_on_failed_authn)
    user_authenticated.connect(_on_authenticated)
    password_changed.connect(_on_password_changed)
    tf_profile_changed.connect(_on_two_factor_changed)
    sessions.init_app(app)
