"""Small pieces shared by the staff views that handle forms."""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template, request
from flask_wtf import FlaskForm

from crm.extensions import db
from crm.operations.errors import InvalidInput


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
