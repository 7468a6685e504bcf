"""Form pieces shared by the forms of every package: a date field held to the calendar the app
accepts, select options for WTForms 3.3+ (which deprecates ``(value, label)`` tuples), and the
steps the staff views take with a form (run its operation and commit, show a refusal, render
with 422 when a POST was refused).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice
from wtforms.validators import StopValidation

from crm.core.clock import EARLIEST_DAY, LATEST_DAY, within_calendar
from crm.core.errors import InvalidInput
from crm.core.extensions import db
from crm.core.presentation import localized_date


class CalendarDateField(DateField):
    """A date field that refuses days outside :data:`crm.core.clock.EARLIEST_DAY` ..
    :data:`crm.core.clock.LATEST_DAY` with an error next to it (a typo such as year 20266)."""

    def pre_validate(self, form: Any) -> None:
        super().pre_validate(form)
        if self.data is not None and not within_calendar(self.data):
            self.data = None
            raise StopValidation(
                _(
                    "Enter a date between %(earliest)s and %(latest)s.",
                    earliest=localized_date(EARLIEST_DAY),
                    latest=localized_date(LATEST_DAY),
                )
            )


def select_choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """``[(value, label), ...]`` (labels may be lazy strings) as ``SelectChoice`` options."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def show_operation_error(form: FlaskForm, error: InvalidInput) -> None:
    """Put an operation's refusal next to its field, or above the form when it names none."""
    field = form._fields.get(error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def render_form(template: str, form: FlaskForm, **context):
    """Render a form page; 422 when a POST was refused, so nothing typed is lost and the status
    tells scripts and tests the input was not accepted."""
    refused = any(field.errors for field in form) or bool(form.form_errors)
    status = 422 if request.method == "POST" and refused else 200
    return render_template(template, form=form, **context), status


def commit_operation(form: FlaskForm, operation: Callable, *args, **kwargs) -> bool:
    """Run one operation for a valid form and commit; when it refuses the input, roll back,
    put its message on the form and return False."""
    try:
        operation(*args, **kwargs)
    except InvalidInput as error:
        db.session.rollback()
        show_operation_error(form, error)
        return False
    db.session.commit()
    return True
