"""Forms of the audit log: its filters by person, kind of record, country and period
(docs/domain.md#audit-in-words)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField
from wtforms.validators import Optional, ValidationError

from crm.accounts.models import User
from crm.accounts.people import display_name
from crm.audit import queries
from crm.audit.queries import AuditFilters
from crm.audit.wording import kind_title
from crm.core.extensions import db
from crm.core.forms import CalendarDateField
from crm.core.forms import select_choices as options
from crm.core.i18n import collation_key, sorted_countries


class AuditFilterForm(FlaskForm):
    """Filters of the audit log, read from the query string; empty means any."""

    class Meta:
        csrf = False

    person = SelectField(_l("Who"), default="", validators=[Optional()])
    kind = SelectField(_l("Kind of record"), default="", validators=[Optional()])
    country = SelectField(_l("Country"), default="", validators=[Optional()])
    occurred_from = CalendarDateField(_l("From"), validators=[Optional()])
    occurred_to = CalendarDateField(_l("To"), validators=[Optional()])

    def set_choices(self) -> None:
        """Offer the people, kinds of record and countries that occur in the log, by name."""
        ids = queries.actor_ids()
        users = db.session.scalars(select(User).where(User.id.in_(ids))).all() if ids else []
        people = sorted(
            ((str(u.id), display_name(u)) for u in users), key=lambda p: collation_key(p[1])
        )
        self.person.choices = options([("", _l("Anyone")), *people])
        kinds = sorted(
            ((kind, kind_title(kind)) for kind in queries.entity_types()),
            key=lambda pair: collation_key(pair[1]),
        )
        self.kind.choices = options([("", _l("Any kind")), *kinds])
        self.country.choices = options(
            [("", _l("Any country")), *sorted_countries(queries.country_codes())]
        )

    def validate_occurred_to(self, field: Any) -> None:
        if field.data and self.occurred_from.data and field.data < self.occurred_from.data:
            raise ValidationError(_l("The end date cannot be before the start date."))

    def filters(self) -> AuditFilters:
        """The valid filters; a field with an error is ignored."""

        def value(name: str) -> Any:
            return None if self[name].errors else (self[name].data or None)

        person = value("person")
        return AuditFilters(
            person=int(person) if person and str(person).isdigit() else None,
            kind=value("kind"),
            country=value("country"),
            occurred_from=value("occurred_from"),
            occurred_to=value("occurred_to"),
        )
