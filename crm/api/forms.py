"""The form of the admin page that creates API tokens (docs/decisions.md#api-tokens)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from crm.accounts.models import User
from crm.accounts.people import display_name
from crm.core.clock import org_timezone, org_today
from crm.core.extensions import db
from crm.core.forms import CalendarDateField, select_choices

SCOPE_TITLES = {
    "read": _l("Read only"),
    "write": _l("Read and write (as the account's role allows)"),
}


class ApiTokenForm(FlaskForm):
    """A new token: whose, what for, what it may do and until when."""

    user = SelectField(
        _l("Account"),
        description=_l("The token acts as this account, with its role."),
        validators=[DataRequired(message=_l("Choose the account the token acts as."))],
    )
    label = StringField(
        _l("Label"),
        description=_l("What the token is for, e.g. “Monthly report script”."),
        validators=[
            DataRequired(message=_l("Say what the token is for.")),
            Length(max=100),
        ],
    )
    scope = RadioField(
        _l("What it may do"),
        choices=select_choices(SCOPE_TITLES.items()),
        default="read",
    )
    expires_on = CalendarDateField(
        _l("Expires after"),
        description=_l(
            "The last day it works, in the organization's calendar. Leave it empty for a "
            "token that works until it is revoked."
        ),
        validators=[Optional()],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        users = db.session.scalars(select(User).where(User.active.is_(True))).all()
        pairs = sorted(((str(u.id), display_name(u)) for u in users), key=lambda p: p[1].casefold())
        self.user.choices = select_choices([("", ""), *pairs])

    def validate_expires_on(self, field: CalendarDateField) -> None:
        if field.data is not None and field.data < org_today():
            raise ValidationError(_l("Choose today or a later day, or leave it empty."))

    def chosen_user(self) -> User | None:
        """The account chosen."""
        return db.session.get(User, int(self.user.data)) if self.user.data else None

    def expires_at(self) -> datetime | None:
        """The instant the token stops working: the end of the chosen day in the
        organization's calendar (UTC)."""
        return end_of_day(self.expires_on.data) if self.expires_on.data else None


def end_of_day(day: date) -> datetime:
    """The instant after the organization's calendar ``day`` ends."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=org_timezone())
