"""Forms of the activity timeline and tasks; their choices follow the vocabularies of
``crm.activities.models``, titled by ``crm.labels``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from crm import labels
from crm.activities.models import ACTIVITY_KINDS, TASK_STATUSES
from crm.core.clock import org_today
from crm.core.forms import CalendarDateField, select_choices


class ActivityForm(FlaskForm):
    """Log a note, call, email or meeting that happened."""

    kind = SelectField(
        _l("Kind"),
        choices=select_choices((k, labels.ACTIVITY_KIND[k]) for k in ACTIVITY_KINDS),
        default="note",
    )
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Details"), validators=[Optional(), Length(max=10000)])
    occurred_on = CalendarDateField(_l("Date"), validators=[DataRequired()])
    next = HiddenField()

    def validate_occurred_on(self, field: DateField) -> None:
        """An activity happened on or before the organization's today (docs/domain.md#dates)."""
        if field.data and field.data > org_today():
            raise ValidationError(_l("The date cannot be in the future."))


class TaskForm(FlaskForm):
    """A task with an owner (a staff member) and a due date."""

    title = StringField(_l("Task"), validators=[DataRequired(), Length(max=200)])
    owner_id = SelectField(_l("Owner"), coerce=int, choices=[], validate_choice=True)
    due_on = CalendarDateField(_l("Due date"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=10000)])
    next = HiddenField()

    def validate_due_on(self, field: DateField) -> None:
        """A task is not due before the organization's today (docs/domain.md#dates)."""
        if field.data and field.data < org_today():
            raise ValidationError(_l("The due date cannot be before today."))


class TaskStatusForm(FlaskForm):
    """Move a task to another status."""

    status = SelectField(
        _l("Status"), choices=select_choices((s, labels.TASK_STATUS[s]) for s in TASK_STATUSES)
    )
    next = HiddenField()


class TaskFilterForm(FlaskForm):
    """Whose tasks and which statuses the task list shows, and their order (GET)."""

    class Meta:
        csrf = False

    owner = SelectField(_l("Owner"), choices=[], default="me", validators=[Optional()])
    status = SelectField(
        _l("Status"),
        choices=select_choices(
            [("", _l("Open and in progress")), ("all", _l("All statuses"))]
            + [(s, labels.TASK_STATUS[s]) for s in TASK_STATUSES]
        ),
        default="",
        validators=[Optional()],
    )
    sort = SelectField(
        _l("Sort by"),
        choices=select_choices(
            [("due", _l("Overdue first, then due date")), ("-created", _l("Newest first"))]
        ),  # fmt: skip
        default="due",
        validators=[Optional()],
    )
