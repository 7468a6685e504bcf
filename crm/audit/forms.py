"""Forms of the audit log: its filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from crm.audit.queries import AuditFilters
from crm.core.forms import CalendarDateField
from crm.core.forms import select_choices as options


class AuditFilterForm(FlaskForm):
    """Filters of the audit log, read from the query string; empty means any."""

    class Meta:
        csrf = False

    actor = StringField(
        _l("Who"),
        validators=[Optional(), Length(max=255)],
        description=_l("Part of an email address, or cli."),
    )
    action = SelectField(_l("Action"), default="")
    entity_type = SelectField(_l("Record"), default="")
    country = StringField(
        _l("Country code"),
        validators=[Optional(), Length(min=2, max=2)],
        description=_l("Two letters, e.g. CO."),
    )
    occurred_from = CalendarDateField(_l("From"), validators=[Optional()])
    occurred_to = CalendarDateField(_l("To"), validators=[Optional()])

    def set_choices(self, actions: list[str], entity_types: list[str]) -> None:
        """Offer the actions and record types that occur in the log."""
        self.action.choices = options([("", _l("Any action"))] + [(a, a) for a in actions])
        self.entity_type.choices = options(
            [("", _l("Any record"))] + [(e, e) for e in entity_types]
        )

    def validate_occurred_to(self, field) -> None:
        if field.data and self.occurred_from.data and field.data < self.occurred_from.data:
            raise ValidationError(_l("The end date cannot be before the start date."))

    def filters(self) -> AuditFilters:
        """The valid filters; a field with an error is ignored."""

        def value(name: str):
            return None if self[name].errors else (self[name].data or None)

        country = value("country")
        return AuditFilters(
            actor=value("actor"),
            action=value("action"),
            entity_type=value("entity_type"),
            country=country.upper() if country else None,
            occurred_from=value("occurred_from"),
            occurred_to=value("occurred_to"),
        )
