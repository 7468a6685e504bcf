"""Forms of the response inbox (list filters, GET; triage actions, POST) and of the practices
and contacts pages. Their choices come from the vocabularies of ``crm.responses.models`` and
``crm.countries.models`` (the programs), titled by ``crm.labels``."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from crm import labels
from crm.core.forms import CalendarDateField, select_choices
from crm.countries.models import PROGRAM_CODES
from crm.responses.answers import LANGUAGE
from crm.responses.matching import normalize_key
from crm.responses.models import LANGUAGES, PRACTICE_TYPES, TRIAGE_STATUSES

ALL = "all"


class HasLetterOrDigit:
    """Validator: the text keeps at least one letter or digit once normalized for matching
    (``crm.responses.matching.normalize_key``). A name of punctuation alone ("---") has an
    empty key, and every practice so named in a country would be one practice."""

    def __init__(self, message: Any) -> None:
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        if field.data and not normalize_key(field.data):
            raise ValidationError(str(self.message))


class InboxFilterForm(FlaskForm):
    """Filters of the inbox list, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Triage status"),
        choices=select_choices(
            [*((s, labels.TRIAGE[s]) for s in TRIAGE_STATUSES), (ALL, _l("All statuses"))]
        ),
        default="new",
        validators=[Optional()],
    )
    country = SelectField(_l("Country"), choices=[], default="", validators=[Optional()])
    language = SelectField(
        _l("Language"),
        choices=select_choices(
            [("", _l("All languages")), *((code, LANGUAGE[code]) for code in LANGUAGES)]
        ),
        default="",
        validators=[Optional()],
    )
    suggested = BooleanField(_l("Only responses with a suggested duplicate"))
    likely_spam = BooleanField(_l("Only likely spam"))
    q = StringField(
        _l("Search"),
        description=_l("Practice, person, email, city or phone, as typed in the response."),
        validators=[Optional(), Length(max=200)],
    )
    received_from = CalendarDateField(_l("Received from"), validators=[Optional()])
    received_to = CalendarDateField(_l("Received until"), validators=[Optional()])
    assigned = SelectField(_l("Assigned to"), choices=[], default="", validators=[Optional()])
    sort = SelectField(
        _l("Sort by"),
        choices=select_choices(
            [
                ("-submitted", _l("Newest first")),
                ("submitted", _l("Oldest first")),
                ("country", _l("Country, A to Z")),
                ("-country", _l("Country, Z to A")),
                ("status", _l("Status, A to Z")),
                ("-status", _l("Status, Z to A")),
                ("-score", _l("Suggestion score, highest first")),
                ("score", _l("Suggestion score, lowest first")),
            ]
        ),
        default="-submitted",
        validators=[Optional()],
    )

    def validate_received_to(self, field: Any) -> None:
        """The end of the period comes on or after its start."""
        start = self.received_from.data
        if field.data and start and field.data < start:
            raise ValidationError(str(_l("Choose a day on or after the first day.")))


class TriageActionForm(FlaskForm):
    """A triage button: the CSRF token, and the list the response was opened from (its query
    string), whose next response opens after the action."""

    list = HiddenField()


class LinkResponseForm(FlaskForm):
    """File a response under another practice chosen from a search within its country."""

    practice_id = IntegerField(
        _l("Practice"),
        validators=[InputRequired(message=_l("Choose the practice to link this response to."))],
    )
    #: The search that listed the practices, to list them again after an error.
    q = HiddenField()


class PracticeSearchForm(FlaskForm):
    """Search practices of the response's country by name (GET)."""

    class Meta:
        csrf = False

    q = StringField(_l("Practice name"), validators=[Optional(), Length(max=300)])


class DuplicateForm(FlaskForm):
    """Mark a response duplicate, optionally of a given practice (the suggested one)."""

    of_practice_id = HiddenField()


class PracticeFilterForm(FlaskForm):
    """Search and filters of the practice list (GET)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name"), validators=[Optional(), Length(max=300)])
    country = SelectField(_l("Country"), choices=[], default="", validators=[Optional()])
    program = SelectField(
        _l("Interested in"),
        choices=select_choices(
            [("", _l("Any program")), *((code, code) for code in PROGRAM_CODES)]
        ),
        default="",
        validators=[Optional()],
    )


class PracticeForm(FlaskForm):
    """A practice's name, city and type (its answers come from its responses, not this form)."""

    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(),
            Length(max=300),
            HasLetterOrDigit(_l("The name needs at least one letter or digit.")),
        ],
    )
    city = StringField(_l("City"), validators=[Optional(), Length(max=200)])
    practice_type = SelectField(
        _l("Practice type"),
        choices=select_choices(
            [("", _l("Not given")), *((t, labels.PRACTICE_TYPE[t]) for t in PRACTICE_TYPES)]
        ),
        default="",
        validators=[Optional()],
    )


class ContactFilterForm(FlaskForm):
    """Search and filters of the contact list (GET)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or email"), validators=[Optional(), Length(max=254)])
    country = SelectField(_l("Country"), choices=[], default="", validators=[Optional()])
    permission = SelectField(
        _l("Permission to contact"),
        choices=select_choices(
            [("", _l("Any")), ("yes", _l("Given")), ("no", _l("Not given or withdrawn"))]
        ),
        default="",
        validators=[Optional()],
    )


class ContactForm(FlaskForm):
    """A contact's details and their permission to be contacted."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = StringField(_l("Role"), validators=[Optional(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    preferred_language = SelectField(
        _l("Preferred language"),
        choices=select_choices(
            [("", _l("Not given")), *((code, LANGUAGE[code]) for code in LANGUAGES)]
        ),
        default="",
        validators=[Optional()],
    )
    permission_to_contact = BooleanField(
        _l("Permission to contact"),
        description=_l("Untick when the person withdraws it; the date is recorded."),
    )


class DuplicateScanForm(FlaskForm):
    """The country whose practices are scanned for duplicates (GET)."""

    class Meta:
        csrf = False

    country = SelectField(_l("Country"), choices=[], default="", validators=[Optional()])


class MergeForm(FlaskForm):
    """Merge the practice of the URL into ``into``, the practice that stays."""

    into = IntegerField(
        _l("Practice that stays"),
        validators=[InputRequired(message=_l("Choose the practice that stays."))],
    )
    #: Where to go back to (a path on this site), e.g. the scan that listed the pair.
    next = HiddenField()
    #: Set by the confirmation page's button: without it, the merge is asked about first.
    confirmed = HiddenField()


class NotSameForm(FlaskForm):
    """Two practices staff say are not the same."""

    first = IntegerField(validators=[InputRequired()])
    second = IntegerField(validators=[InputRequired()])
    next = HiddenField()


#: What the inbox's bulk bar does to the selected responses.
BULK_ACTIONS = ("spam", "duplicate", "assign")


class BulkForm(FlaskForm):
    """Responses selected in the inbox, and what to do to all of them at once."""

    ids = SelectMultipleField(_l("Responses"), coerce=int, choices=[], validate_choice=False,
                              validators=[DataRequired(message=_l(
                                  "Select at least one response."))])  # fmt: skip
    action = SelectField(
        _l("With the selected responses"),
        choices=select_choices(
            [
                ("spam", _l("Mark as spam")),
                ("duplicate", _l("Mark as duplicate")),
                ("assign", _l("Assign to")),
            ]
        ),
    )
    assignee = SelectField(_l("Assign to"), choices=[], default="", validators=[Optional()])
    #: The list's query string, to come back to the same filtered list.
    list = HiddenField()
