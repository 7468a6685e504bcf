"""Practices and contacts (docs/architecture.md#packages). Staff only: contacts are personal
data (docs/domain.md#roles)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from crm.core import pagination
from crm.core.access import staff_required
from crm.core.extensions import db
from crm.core.forms import select_choices
from crm.core.i18n import sorted_countries
from crm.responses import queries as listing
from crm.responses.forms import ContactFilterForm, ContactForm, PracticeFilterForm, PracticeForm
from crm.responses.merging import merged_into
from crm.responses.models import Contact, Practice
from crm.responses.operations import update_contact, update_practice

blueprint = Blueprint("practices", __name__, url_prefix="/staff")


def _country_choices() -> list[SelectChoice]:
    return select_choices(
        [("", _("All countries")), *sorted_countries(listing.practice_countries())]
    )


@blueprint.get("/practices")
@staff_required
def index():
    """Practices by country and name; search by name, filter by country and program interest."""
    filters = PracticeFilterForm(request.args)
    filters.country.choices = _country_choices()
    valid = filters.validate() if request.args else True
    statement = listing.query_practices(
        text=filters.q.data if valid else None,
        country_code=(filters.country.data or None) if valid else None,
        program=(filters.program.data or None) if valid else None,
    )
    page = pagination.paginate(statement, pagination.page_number(request.args.get("page")))
    counts = listing.response_counts([p.id for p in page.items])
    return render_template(
        "responses/practices/index.html", filters=filters, page=page, counts=counts
    )


@blueprint.get("/practices/<int:practice_id>")
@staff_required
def detail(practice_id: int):
    """A practice: answers, interests and their responses, contacts, activities, audit trail."""
    practice = pagination.get_row(Practice, practice_id)
    if practice is None:
        return _merged_or_404(practice_id)
    return render_template(
        "responses/practices/detail.html",
        practice=practice,
        responses=listing.practice_responses(practice.id),
        audit_events=listing.practice_audit(practice.id),
    )


def _merged_or_404(practice_id: int):
    """The page of a practice merged into another: where it went (docs/domain.md#merges)."""
    found = merged_into(practice_id)
    if found is None:
        abort(404)
    merge, survivor = found
    return render_template("responses/practices/merged.html", merge=merge, survivor=survivor)


@blueprint.route("/practices/<int:practice_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(practice_id: int):
    """Correct a practice's name, city or type."""
    practice = pagination.get_row_or_404(Practice, practice_id)
    form = PracticeForm(obj=practice)
    if form.validate_on_submit():
        update_practice(
            practice,
            name=form.name.data,
            city=form.city.data,
            practice_type=form.practice_type.data,
        )
        db.session.commit()
        flash(_("Practice saved."), "success")
        return redirect(url_for("practices.detail", practice_id=practice.id), 303)
    code = 400 if form.errors else 200
    return render_template("responses/practices/edit.html", practice=practice, form=form), code


@blueprint.get("/contacts")
@staff_required
def contacts():
    """Contacts by name; search by name or email, filter by country and permission."""
    filters = ContactFilterForm(request.args)
    filters.country.choices = _country_choices()
    valid = filters.validate() if request.args else True
    permission = {"yes": True, "no": False}.get(filters.permission.data) if valid else None
    statement = listing.query_contacts(
        text=filters.q.data if valid else None,
        country_code=(filters.country.data or None) if valid else None,
        permission=permission,
    )
    page = pagination.paginate(statement, pagination.page_number(request.args.get("page")))
    return render_template("responses/practices/contacts.html", filters=filters, page=page)


@blueprint.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_contact(contact_id: int):
    """Edit a contact, including a withdrawal of their permission to be contacted."""
    contact = pagination.get_row_or_404(Contact, contact_id)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        update_contact(
            contact,
            name=form.name.data,
            role=form.role.data,
            email=form.email.data,
            phone=form.phone.data,
            preferred_language=form.preferred_language.data,
            permission_to_contact=form.permission_to_contact.data,
        )
        db.session.commit()
        flash(_("Contact saved."), "success")
        if contact.practice_id:
            return redirect(url_for("practices.detail", practice_id=contact.practice_id), 303)
        return redirect(url_for("practices.contacts"), 303)
    code = 400 if form.errors else 200
    return render_template(
        "responses/practices/edit_contact.html", contact=contact, form=form
    ), code
