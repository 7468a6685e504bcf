"""A user's own account: name and language of the staff screens; links to change the password
and set up two-factor (Flask-Security's pages)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.account_forms import PreferencesForm
from crm.auth import viewer_required
from crm.extensions import db
from crm.operations import accounts
from crm.operations.errors import InvalidInput
from crm.views.form_support import render_form, show_operation_error

blueprint = Blueprint("account", __name__, url_prefix="/staff/account")


@blueprint.route("/", methods=["GET", "POST"])
@viewer_required
def index():
    """Own preferences; any logged-in role."""
    user = current_user._get_current_object()
    form = PreferencesForm(obj=user if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            accounts.update_preferences(user, name=form.name.data, locale=form.locale.data)
        except InvalidInput as error:
            show_operation_error(form, error)
        else:
            db.session.commit()
            # The explicit choice in the session would otherwise hide the new preference.
            session["locale"] = form.locale.data
            flash(_("Preferences saved."), "success")
            return redirect(url_for("account.index"), code=303)
    return render_form("account/index.html", form, title=_("My account"), user=user)
