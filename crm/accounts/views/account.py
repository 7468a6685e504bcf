"""A user's own account: name and language of the staff screens; links to change the password
and set up two-factor (Flask-Security's pages); the user's sessions, each of which can be ended
(docs/decisions.md#server-sessions)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts import operations as accounts
from crm.accounts import people, sessions
from crm.accounts.forms import PreferencesForm
from crm.core.access import viewer_required
from crm.core.columns import utcnow
from crm.core.extensions import db
from crm.core.forms import commit_operation, render_form
from crm.countries.forms import ConfirmForm

blueprint = Blueprint("account", __name__, url_prefix="/staff/account")
# How people are named on every page (docs/domain.md#people).
blueprint.add_app_template_filter(people.display_name, "person")
blueprint.add_app_template_global(people.actor_label, "actor_label")


@blueprint.route("/", methods=["GET", "POST"])
@viewer_required
def index():
    """Own preferences; any logged-in role."""
    user = current_user._get_current_object()
    form = PreferencesForm(obj=user if request.method == "GET" else None)
    if form.validate_on_submit() and commit_operation(
        form,
        accounts.update_preferences,
        user,
        name=form.name.data,
        locale=form.locale.data,
        digest=form.digest.data or None,
    ):
        # The explicit choice in the session would otherwise hide the new preference.
        session["locale"] = form.locale.data
        flash(_("Preferences saved."), "success")
        return redirect(url_for("account.index"), code=303)
    return render_form(
        "accounts/account/index.html",
        form,
        title=_("My account"),
        user=user,
        sessions=sessions.sessions_of(user, utcnow()),
        current_key_hash=sessions.key_hash(session.get(sessions.SESSION_KEY, "")),
        action_form=ConfirmForm(),
    )


@blueprint.post("/sessions/<int:session_id>/end")
@viewer_required
def end_session(session_id: int):
    """End one of the user's own sessions (another browser's): its cookie opens nothing more."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not sessions.end_session(current_user._get_current_object(), session_id):
        abort(404)
    db.session.commit()
    flash(_("Session ended."), "success")
    return redirect(url_for("account.index"), code=303)


@blueprint.post("/sessions/end-others")
@viewer_required
def end_other_sessions():
    """End every session of the user but this one."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    ended = sessions.end_sessions(user, keep_key=session.get(sessions.SESSION_KEY))
    db.session.commit()
    flash(_("Other sessions ended: %(count)d.", count=ended), "success")
    return redirect(url_for("account.index"), code=303)
