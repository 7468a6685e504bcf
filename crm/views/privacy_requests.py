"""Data-subject requests, for admins: find, export and erase what is held about an email."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField
from wtforms.validators import DataRequired, Email, Length

from crm import audit
from crm.auth import admin_required
from crm.extensions import db
from crm.operations.privacy import erase_subject, export_subject, find_subject

blueprint = Blueprint("privacy_requests", __name__, url_prefix="/staff/privacy-requests")


class SubjectForm(FlaskForm):
    """The email address a request is about."""

    email = EmailField(_l("Email address"), validators=[DataRequired(), Email(), Length(max=254)])


class EraseForm(FlaskForm):
    """Erasure, confirmed by typing the email again."""

    email = HiddenField(validators=[DataRequired()])
    confirmation = StringField(
        _l("Type the email address again to confirm"), validators=[DataRequired()]
    )


@blueprint.route("/", methods=["GET", "POST"])
@admin_required
def index():
    """Search by email and show everything held about it."""
    form = SubjectForm(request.values, meta={"csrf": request.method == "POST"})
    records = None
    if request.values.get("email") and form.validate():
        records = find_subject(form.email.data)
    erase_form = EraseForm(email=form.email.data)
    return render_template(
        "privacy_requests/index.html", form=form, records=records, erase_form=erase_form
    )


@blueprint.post("/export")
@admin_required
def export():
    """Download everything held about the email as JSON (right of access); audited."""
    form = SubjectForm()
    if not form.validate_on_submit():
        flash(_("Enter a valid email address."), "error")
        return redirect(url_for(".index"))
    records = find_subject(form.email.data)
    audit.record(
        "privacy.export",
        "data_subject",
        "-",
        {"records": [None, len(records.contacts) + len(records.responses)]},
    )
    db.session.commit()
    body = json.dumps(export_subject(records), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=data-subject-export.json"},
    )


@blueprint.post("/erase")
@admin_required
def erase():
    """Anonymize the person everywhere once the admin typed the email again."""
    form = EraseForm()
    if not form.validate_on_submit() or (
        form.confirmation.data.strip().lower() != form.email.data.strip().lower()
    ):
        flash(_("The confirmation did not match the email address. Nothing was erased."), "error")
        return redirect(url_for(".index", email=form.email.data))
    records = find_subject(form.email.data)
    if records.is_empty:
        flash(_("Nothing is held about this email address."), "info")
        return redirect(url_for(".index"))
    counts = erase_subject(records)
    db.session.commit()
    flash(
        _(
            "Erased: %(contacts)d contacts and %(responses)d responses anonymized.",
            contacts=counts["contacts"],
            responses=counts["responses"],
        ),
        "success",
    )
    return redirect(url_for(".index"))
