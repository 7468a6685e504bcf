"""Forms of accounts (``docs/domain.md#roles``): login with lockout, admin user management,
own preferences."""

from __future__ import annotations

import logging

from flask import current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_security import LoginForm, TwoFactorRescueForm, TwoFactorSetupForm, hash_password
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from crm import labels
from crm.accounts import operations as accounts
from crm.accounts.models import ROLES, User
from crm.core.extensions import db
from crm.core.forms import select_choices as options
from crm.core.i18n import LANGUAGE_NAMES, LOCALES

security_log = logging.getLogger("crm.security")


class StaffLoginForm(LoginForm):
    """Flask-Security's login form, refusing a locked account before its password is checked.

    A lock is kept in the users table (``failed_logins``, ``locked_until``) so it holds across
    workers; failures are counted by :mod:`crm.accounts.security`.
    """

    #: No "remember me": a login lasts as long as its server session, which ends at logout, when
    #: idle and at its absolute timeout (docs/decisions.md#server-sessions).
    remember = None

    def validate(self, **kwargs) -> bool:
        user = _account_of(self.email.data)
        if user is not None and accounts.is_locked(user):
            # Same cost as a real check, so timing does not tell a locked account apart.
            hash_password(self.password.data or "")
            self.form_errors.append(
                _(
                    "Too many failed attempts: this account is locked for a while. "
                    "Try again later or ask an administrator to unlock it."
                )
            )
            security_log.warning(
                "login refused: account %s is locked (client %s)", user.id, request.remote_addr
            )
            return False
        valid = super().validate(**kwargs)
        if not valid and self.user is None and self.email.data:
            security_log.warning("login failed: unknown account (client %s)", request.remote_addr)
        return valid


def _with_select_choices(unbound: UnboundField) -> UnboundField:
    # Flask-Security declares its radio choices as tuples, which WTForms 3.3 deprecates.
    kwargs = {**unbound.kwargs, "choices": options(unbound.kwargs["choices"])}
    return unbound.field_class(*unbound.args, **kwargs)


class StaffTwoFactorSetupForm(TwoFactorSetupForm):
    """Flask-Security's two-factor setup form, its choices declared the current WTForms way."""

    setup = _with_select_choices(TwoFactorSetupForm.setup)


class StaffTwoFactorRescueForm(TwoFactorRescueForm):
    """Flask-Security's two-factor rescue form, its choices declared the current WTForms way."""

    help_setup = _with_select_choices(TwoFactorRescueForm.help_setup)


def _account_of(email: str | None) -> User | None:
    if not email or not isinstance(email, str):
        return None
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def _role_choices() -> list[SelectChoice]:
    return options((role, labels.ROLE[role]) for role in ROLES)


def _locale_choices() -> list[SelectChoice]:
    return options((locale, LANGUAGE_NAMES[locale]) for locale in LOCALES)


def _password_errors(form: FlaskForm, field) -> None:
    """Flask-Security's password rules (length, complexity), in its translated words."""
    security = current_app.extensions["security"]
    errors, _normalized = security.password_util.validate(field.data or "", True)
    if errors:
        raise ValidationError(errors[0])


class UserCreateForm(FlaskForm):
    """Admins create an account with a role and an initial password
    (``docs/domain.md#roles``)."""

    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=255)],
    )
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=_role_choices())
    locale = SelectField(_l("Language"), choices=_locale_choices(), default="en")
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(), _password_errors],
        description=_l("A long passphrase. Give it to the person by a separate channel."),
        render_kw={"autocomplete": "new-password"},
    )
    password_confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Create account"))

    def validate_email(self, field) -> None:
        if _account_of(field.data) is not None:
            raise ValidationError(_("An account with this email already exists."))


class UserEditForm(FlaskForm):
    """Admins change a user's name and role."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=_role_choices())
    submit = SubmitField(_l("Save changes"))


class PreferencesForm(FlaskForm):
    """A user's own settings: display name, language of the staff screens, alert digest."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    locale = SelectField(_l("Language"), choices=_locale_choices())
    digest = SelectField(
        _l("Email digest of my alerts"),
        choices=options((value, labels.DIGEST[value]) for value in labels.DIGEST),
        # Checked by the operation, so a post without the field keeps the current choice.
        validate_choice=False,
        description=_l(
            "Alerts are always listed on the Alerts page; the email is in your language."
        ),
    )
    submit = SubmitField(_l("Save preferences"))


#: Our forms in place of Flask-Security's: ``security.init_app(app, datastore, **SECURITY_FORMS)``.
SECURITY_FORMS = {
    "login_form": StaffLoginForm,
    "two_factor_setup_form": StaffTwoFactorSetupForm,
    "two_factor_rescue_form": StaffTwoFactorRescueForm,
}
