"""Forms of outreach: choosing contacts to invite, unsubscribing, country owners."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from crm import labels
from crm.core.forms import select_choices
from crm.countries.models import PROGRAM_CODES
from crm.outreach.models import INVITATION_STATUSES
from crm.readiness.rules import State

READINESS_CHOICES = (
    State.READY,
    State.AWAITING_CAPACITY,
    State.NEAR_READY,
    State.BLOCKED,
    State.LAUNCHED,
)


class InvitationSelectionForm(FlaskForm):
    """Which contacts to invite; ``country.choices`` are set by the view. Contacts
    whose permission to contact was withdrawn are never offered, whatever is chosen here."""

    country = SelectField(_l("Country"), validators=[Optional()])
    program = SelectField(
        _l("Interested in"),
        choices=select_choices(
            [("", _l("Any program")), *((code, code) for code in PROGRAM_CODES)]
        ),
        validators=[Optional()],
        description=_l("Practices very or somewhat interested in the program."),
    )
    readiness_state = SelectField(
        _l("Readiness of their country"),
        choices=select_choices(
            [
                ("", _l("Any readiness")),
                *((str(s), labels.READINESS_STATE[str(s)]) for s in READINESS_CHOICES),
            ]
        ),
        validators=[Optional()],
        description=_l("Of the program chosen above; of QOPI or QCP when none is chosen."),
    )
    emails = TextAreaField(
        _l("Only these email addresses"),
        validators=[Optional(), Length(max=50_000)],
        description=_l("Paste a list of addresses, separated by commas or new lines."),
        render_kw={"rows": 4},
    )
    never_invited = BooleanField(_l("Only contacts never invited before"))
    #: The contacts ticked in the list of those found (re-checked when sending).
    contact_ids = SelectMultipleField(
        _l("Invite these contacts"), coerce=int, validate_choice=False
    )


class UnsubscribeForm(FlaskForm):
    """The unsubscribe page's button (its CSRF token; one-click POSTs come without one)."""

    submit = SubmitField(_l("Unsubscribe"))


class InvitationFilterForm(FlaskForm):
    """Invitation list filters (GET, no CSRF)."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=select_choices(
            [
                ("", _l("Any status")),
                *((s, labels.INVITATION_STATUS[s]) for s in INVITATION_STATUSES),
            ]
        ),
        validators=[Optional()],
    )


class CountryOwnerForm(FlaskForm):
    """The staff user who owns a country; ``owner.choices`` are set by the caller."""

    owner = SelectField(_l("Owner"), validators=[Optional()])
    submit = SubmitField(_l("Save owner"))
