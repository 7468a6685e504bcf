"""Alerts: each user's in-app list, and the owner of a country (whom its alerts go to)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import SelectChoice

from crm.accounts.models import Role, User
from crm.core import pagination
from crm.core.access import staff_required, viewer_required
from crm.core.extensions import db
from crm.core.forms import commit_operation, select_choices
from crm.countries.forms import ConfirmForm
from crm.countries.models import Country
from crm.countries.queries import get_country_or_404
from crm.outreach import operations as alert_operations
from crm.outreach.alerts import reading_order
from crm.outreach.forms import CountryOwnerForm
from crm.outreach.models import Alert

blueprint = Blueprint("alerts", __name__, url_prefix="/staff")


def owner_choices() -> list[SelectChoice]:
    """Active staff and admin accounts, by name or email, after a "nobody" option."""
    users = db.session.scalars(
        select(User)
        .where(User.active.is_(True), User.roles.any(Role.name.in_(("staff", "admin"))))
        .order_by(func.lower(func.coalesce(User.name, User.email)))
    ).all()
    return select_choices([("", _("Nobody")), *((str(u.id), u.name or u.email) for u in users)])


@blueprint.app_template_global()
def country_owner_form(country: Country) -> CountryOwnerForm:
    """The owner form of the country page, set to the current owner."""
    form = CountryOwnerForm(formdata=None, owner=str(country.owner_id or ""))
    form.owner.choices = owner_choices()
    return form


@blueprint.get("/alerts/")
@viewer_required
def index():
    """The current user's alerts, newest day first, a day's alerts by country name; unread
    ones marked."""
    statement = (
        select(Alert)
        .where(Alert.user_id == current_user.id)
        .order_by(Alert.created_at.desc(), Alert.id.desc())
    )
    page = pagination.paginate(statement, pagination.page_number(request.args.get("page")))
    unread = db.session.scalar(
        select(func.count()).where(Alert.user_id == current_user.id, Alert.read_at.is_(None))
    )
    return render_template(
        "outreach/alerts/index.html",
        page=page,
        alerts=reading_order(page.items),
        unread=unread,
        confirm_form=ConfirmForm(),
    )


@blueprint.post("/alerts/read")
@viewer_required
def mark_read():
    """Mark every alert of the current user read."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    alert_operations.mark_read(current_user._get_current_object())
    db.session.commit()
    flash(_("All alerts marked as read."), "success")
    return redirect(url_for("alerts.index"), code=303)


@blueprint.post("/countries/<code>/owner")
@staff_required
def set_owner(code: str):
    """Choose the staff user who owns the country (audited)."""
    country = get_country_or_404(code)
    form = CountryOwnerForm()
    form.owner.choices = owner_choices()
    if not form.validate_on_submit():
        abort(400)
    owner_id = int(form.owner.data) if form.owner.data else None
    if commit_operation(form, alert_operations.set_country_owner, country, owner_id):
        flash(_("Owner saved."), "success")
    else:
        flash(" ".join(form.owner.errors or form.form_errors), "error")
    return redirect(url_for("countries.detail", code=country.code, _anchor="outreach"), code=303)
