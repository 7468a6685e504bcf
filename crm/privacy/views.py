"""Data-subject requests, for admins: find, export and erase what is held about an email."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField
from wtforms.validators import DataRequired, Email, Length

from crm.audit import operations as audit
from crm.core.access import admin_required
from crm.core.extensions import db
from crm.privacy.operations import erase_subject, export_subject, find_subject, plan_erasure

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
    """Search by email (POST, so the address stays out of URLs and access logs) and show
    everything held about it."""
    form = SubjectForm()
    records = find_subject(form.email.data) if form.validate_on_submit() else None
    return render_page(form, records)


def render_page(form: SubjectForm, records, erase_form: EraseForm | None = None, code=200):
    """The search form, and for a found address what is held with the export and erase forms."""
    erase_form = erase_form or EraseForm(formdata=None, email=form.email.data)
    return render_template(
        "privacy/index.html", form=form, records=records, erase_form=erase_form
    ), code


@blueprint.post("/export")
@admin_required
def export():
    """Download everything held about the email as JSON (right of access); audited."""
    form = SubjectForm()
    if not form.validate_on_submit():
        flash(_("Enter a valid email address."), "error")
        return redirect(url_for(".index"))
    records = find_subject(form.email.data)
    audit.record("privacy.export", "data_subject", "-", {"records": [None, records.count]})
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
    """Anonymize the person everywhere once the admin typed the email again; a mismatch shows
    the same page again with the error beside the confirmation field."""
    form = EraseForm()
    valid = form.validate_on_submit()
    email = (form.email.data or "").strip()
    if valid and form.confirmation.data.strip().lower() != email.lower():
        form.confirmation.errors.append(
            _("The confirmation did not match the email address. Nothing was erased.")
        )
        valid = False
    if not valid:
        subject = SubjectForm(formdata=None, email=email)
        return render_page(subject, find_subject(email) if email else None, form, 400)
    plan = plan_erasure(email)  # the long scan, holding no write lock
    if plan is None:
        flash(_("Nothing is held about this email address."), "info")
        return redirect(url_for(".index"), 303)
    counts = erase_subject(find_subject(email), plan)
    db.session.commit()
    flash(
        _(
            "Erased: %(contacts)d contacts and %(responses)d responses anonymized, %(emails)d "
            "emails deleted or anonymized.",
            contacts=counts["contacts"],
            responses=counts["responses"],
            emails=counts["unsent_emails"]
            + counts["sent_emails"]
            + counts.get("sending_emails", 0),
        ),
        "success",
    )
    if counts["drafts"]:
        flash(
            ngettext(
                "%(num)d saved survey draft deleted.",
                "%(num)d saved survey drafts deleted.",
                counts["drafts"],
            ),
            "success",
        )
    return redirect(url_for(".index"), 303)
