"""Forms of the country pipeline (docs/domain.md#pipeline): availability, privacy reviews,
agreements, thresholds, and the country list filters; and the administration page's program
defaults and QCP capacity. Labels and choices go through ``_l``; WTForms' own validator messages
come translated with it.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from crm import labels
from crm.core.forms import CalendarDateField, select_choices
from crm.core.i18n import collation_key, region_name
from crm.countries import queries as country_queries
from crm.countries import thresholds
from crm.countries.models import (
    AGREEMENT_STATUSES,
    AVAILABILITY_STATUSES,
    PROGRAM_CODES,
    REVIEW_STATUSES,
)
from crm.countries.operations import AGREEMENT_FIELDS, REVIEW_FIELDS
from crm.countries.queries import CountryFilters
from crm.readiness.rules import State

#: Thresholds and capacities: whole numbers from 1 to 1000 (the database CHECKs agree).
COUNT_RANGE = NumberRange(min=thresholds.COUNT_RANGE[0], max=thresholds.COUNT_RANGE[1])
#: Each program as a choice: its code is its name on every screen.
PROGRAM_CHOICES = tuple((code, code) for code in PROGRAM_CODES)
#: Help of a status's day. On an edit form the field starts empty, so a day left there from the
#: old status can never pass for one chosen for the new status (docs/domain.md#status-dates).
STATUS_SINCE_HELP = _l(
    "The day the status began. Leave empty: today when the status changes, else unchanged."
)
#: The messages of the operations' own date checks, shared so each has one translation.
DECIDED_BEFORE_REQUESTED = _l("The decision date cannot be before the request date.")
EXPIRES_BEFORE_SIGNED = _l("The expiry date cannot be before the signature date.")
EFFECTIVE_BEFORE_SIGNED = _l("The effective date cannot be before the signature date.")


def _choices(vocabulary: dict, values: tuple[str, ...]) -> list[SelectChoice]:
    return select_choices((value, vocabulary[value]) for value in values)


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (rendered as a fieldset by the form macros)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StatusRecordForm(FlaskForm):
    """Shared by the privacy review and agreement forms: what the person gave for a change."""

    def load(self, stored: dict) -> None:
        """Fill the fields from a record's stored values, the status's day left empty and
        named in its help instead."""
        for name, value in stored.items():
            if name != "status_since":
                self[name].data = value
        if stored.get("status_since") is not None:
            self.status_since.description = _(
                "The current status began on %(day)s. Enter another day to correct it, or the "
                "day a new status began; leave empty for today when the status changes.",
                day=format_date(stored["status_since"], "medium"),
            )

    def changes(self, stored: dict) -> dict:
        """The submitted values that differ from ``stored`` (the values the edit form showed):
        what the person gave for this change, as the operations want it."""
        values = self.values()
        if values.get("programs") is not None:
            values["programs"] = labels.program_order(values["programs"])
        return {
            name: value
            for name, value in values.items()
            if value != stored.get(name) and not (name == "status_since" and value is None)
        }

    def values(self) -> dict:  # pragma: no cover - each form names its fields
        raise NotImplementedError


class _DateOrder:
    """Form-level check that ``later`` is not before ``earlier``; the error goes on ``later``."""

    def __init__(self, later: str, earlier: str, message):
        self.later, self.earlier, self.message = later, earlier, message

    def check(self, form: FlaskForm) -> bool:
        later, earlier = form[self.later].data, form[self.earlier].data
        if later is not None and earlier is not None and later < earlier:
            form[self.later].errors.append(str(self.message))
            return False
        return True


class AvailabilityForm(FlaskForm):
    """Change a program's availability in a country (docs/domain.md#availability)."""

    status = SelectField(_l("Status"), choices=_choices(labels.AVAILABILITY, AVAILABILITY_STATUSES))
    since = CalendarDateField(
        _l("Since"),
        validators=[Optional()],
        description=_l("The day the status started. Leave empty for today."),
    )
    source = StringField(
        _l("Source"),
        validators=[Optional(), Length(max=200)],
        description=_l("Where this comes from, e.g. a decision or a document. Default: staff."),
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save availability"))


class PrivacyReviewForm(StatusRecordForm):
    """Add or change a legal privacy review covering one or more programs
    (docs/domain.md#pipeline)."""

    programs = MultiCheckboxField(
        _l("Programs covered"),
        choices=select_choices(PROGRAM_CHOICES),
        validators=[DataRequired(message=_l("Choose at least one program."))],
    )
    status = SelectField(_l("Status"), choices=_choices(labels.PRIVACY_REVIEW, REVIEW_STATUSES))
    status_since = CalendarDateField(
        _l("Status since"),
        validators=[Optional()],
        description=STATUS_SINCE_HELP,
    )
    applicable_law = StringField(
        _l("Applicable law"),
        validators=[Optional(), Length(max=200)],
        description=_l("For example GDPR or LGPD."),
    )
    counsel = StringField(_l("Counsel"), validators=[Optional(), Length(max=200)])
    requested_on = CalendarDateField(
        _l("Requested on"),
        validators=[Optional()],
        description=_l("Leave empty for the day the status becomes Requested."),
    )
    decided_on = CalendarDateField(
        _l("Decided on"),
        validators=[Optional()],
        description=_l("Leave empty for the day of an approval or a rejection."),
    )
    conditions = TextAreaField(
        _l("Conditions"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Required when the review is approved with conditions."),
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save privacy review"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        order = _DateOrder("decided_on", "requested_on", DECIDED_BEFORE_REQUESTED)
        valid = order.check(self) and valid
        if (
            self.status.data == "approved_with_conditions"
            and not (self.conditions.data or "").strip()
        ):
            self.conditions.errors.append(str(_l("Describe the conditions of the approval.")))
            valid = False
        return valid

    def values(self) -> dict:
        """The operation's keyword values (``record_privacy_review``)."""
        return {name: self[name].data for name in REVIEW_FIELDS}


class CountryAgreementForm(StatusRecordForm):
    """Add or change a country agreement covering one or more programs
    (docs/domain.md#pipeline)."""

    programs = MultiCheckboxField(
        _l("Programs covered"),
        choices=select_choices(PROGRAM_CHOICES),
        validators=[DataRequired(message=_l("Choose at least one program."))],
    )
    counterparty = StringField(
        _l("Counterparty"),
        validators=[
            DataRequired(message=_l("Name the other party to the agreement.")),
            Length(max=200),
        ],
        description=_l("The organization the agreement is with."),
    )
    status = SelectField(_l("Status"), choices=_choices(labels.AGREEMENT, AGREEMENT_STATUSES))
    status_since = CalendarDateField(
        _l("Status since"),
        validators=[Optional()],
        description=STATUS_SINCE_HELP,
    )
    signed_on = CalendarDateField(
        _l("Signed on"),
        validators=[Optional()],
        description=_l("Leave empty for the day the status becomes Signed."),
    )
    effective_on = CalendarDateField(_l("Effective on"), validators=[Optional()])
    expires_on = CalendarDateField(
        _l("Expires on"),
        validators=[Optional()],
        description=_l("The last day the agreement counts. Leave empty if it does not expire."),
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save agreement"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for later, message in (
            ("expires_on", EXPIRES_BEFORE_SIGNED),
            ("effective_on", EFFECTIVE_BEFORE_SIGNED),
        ):
            valid = _DateOrder(later, "signed_on", message).check(self) and valid
        return valid

    def values(self) -> dict:
        """The operation's keyword values (``record_country_agreement``)."""
        return {name: self[name].data for name in AGREEMENT_FIELDS}


class ThresholdForm(FlaskForm):
    """Override a program's threshold in one country (docs/domain.md#thresholds)."""

    min_eligible_practices = IntegerField(
        _l("Eligible practices needed"),
        validators=[InputRequired(), COUNT_RANGE],
        description=_l("A whole number from 1 to 1000."),
    )
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save threshold"))


class ConfirmForm(FlaskForm):
    """A button that posts (with its CSRF token) and nothing else."""

    submit = SubmitField(_l("Confirm"))


class CountryFilterForm(FlaskForm):
    """Filters of the country list (docs/architecture.md#packages), read from the query string;
    "" means any."""

    class Meta:
        csrf = False

    region = SelectField(_l("Region"), default="")
    program = SelectField(
        _l("Program"),
        choices=select_choices([("", _l("Any program")), *PROGRAM_CHOICES]),
        default="",
    )
    availability = SelectField(
        _l("Availability"),
        choices=select_choices([("", _l("Any availability"))])
        + _choices(labels.AVAILABILITY, AVAILABILITY_STATUSES),
        default="",
    )
    readiness = SelectField(
        _l("Readiness"),
        choices=select_choices(
            [("", _l("Any readiness"))]
            + [(str(state), labels.READINESS_STATE[str(state)]) for state in State]
        ),
        default="",
    )

    @classmethod
    def from_query(cls, args: Mapping[str, str]) -> CountryFilterForm:
        """The form read from query arguments such as ``request.args``, its region choices
        (regions that have countries, by their name in the page's language) set, validated."""
        form = cls(formdata=args)
        regions = sorted(
            ((code, region_name(code)) for code in country_queries.regions()),
            key=lambda pair: collation_key(pair[1]),
        )
        form.region.choices = select_choices([("", _l("Any region")), *regions])
        form.validate()
        return form

    def filters(self) -> CountryFilters:
        """The filters the form holds; a field with an error means "any"."""
        return CountryFilters(
            **{
                name: self[name].data or ""
                for name in ("region", "program", "availability", "readiness")
                if not self[name].errors
            }
        )


class ProgramDefaultsForm(FlaskForm):
    """Admins: default thresholds of QOPI and QCP, and QCP capacity (docs/domain.md#thresholds,
    docs/domain.md#capacity)."""

    qopi_threshold = IntegerField(
        _l("QOPI default threshold"),
        validators=[InputRequired(), COUNT_RANGE],
        description=_l("Eligible practices needed in a country, unless the country overrides it."),
    )
    qcp_threshold = IntegerField(
        _l("QCP default threshold"),
        validators=[InputRequired(), COUNT_RANGE],
        description=_l("Eligible QCP practices needed in a country, unless it overrides it."),
    )
    qcp_capacity = IntegerField(
        _l("QCP capacity"),
        validators=[InputRequired(), COUNT_RANGE],
        description=_l("The most countries where QCP may be launched at once."),
    )
    submit = SubmitField(_l("Save settings"))
