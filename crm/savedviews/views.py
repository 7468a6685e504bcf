"""Saved views: save a list's filters and sort, open one by its stable URL, delete one
(docs/domain.md#saved-views). Anyone signed in saves views of the lists they may open; staff
share them with the team."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.core.access import has_level, viewer_required
from crm.core.errors import InvalidInput
from crm.core.extensions import db
from crm.savedviews import operations, queries
from crm.savedviews.forms import SaveViewForm
from crm.savedviews.lists import LISTS

blueprint = Blueprint("savedviews", __name__, url_prefix="/staff/views")


def _list_url(list_name: str, query: str, view_id: int | None = None) -> str:
    url = url_for(LISTS[list_name].endpoint)
    extra = f"view={view_id}" if view_id else ""
    joined = "&".join(part for part in (query, extra) if part)
    return f"{url}?{joined}" if joined else url


@blueprint.app_template_global()
def saved_views(list_name: str) -> dict:
    """What ``savedviews/_panel.html`` shows on ``list_name``'s page: the views the reader may
    open, the one open now, and the form that saves the list as it is."""
    query = operations.clean_query(request.query_string.decode("utf-8", "replace"))
    return {
        "views": queries.views_for(current_user.id, list_name),
        "form": SaveViewForm(formdata=None, list_name=list_name, query=query),
        "active": request.args.get("view", type=int),
        "user_id": current_user.id,
        "can_share": has_level(current_user, "staff"),
    }


@blueprint.get("/<int:view_id>")
@viewer_required
def open_view(view_id: int):
    """A saved view's stable URL: its list with the saved filters and sort."""
    view = queries.get_visible_or_404(view_id, current_user.id)
    if not has_level(current_user, LISTS[view.list_name].level):
        return redirect(url_for("search.index"), 303)
    return redirect(_list_url(view.list_name, view.query, view.id), 303)


@blueprint.post("")
@viewer_required
def save():
    """Save the list's current filters and sort under a name."""
    form = SaveViewForm()
    list_name = form.list_name.data if form.list_name.data in LISTS else None
    if list_name is None:
        flash(_("This list cannot be saved."), "error")
        return redirect(url_for("search.index"), 303)
    back = _list_url(list_name, operations.clean_query(form.query.data or ""))
    if not form.validate():
        flash(_("Give the view a name."), "error")
        return redirect(back, 303)
    try:
        view = operations.save_view(
            current_user._get_current_object(),
            list_name,
            form.name.data,
            form.query.data or "",
            form.shared.data,
        )
    except InvalidInput as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back, 303)
    db.session.commit()
    flash(_("View “%(name)s” saved.", name=view.name), "success")
    return redirect(_list_url(list_name, view.query, view.id), 303)


@blueprint.post("/<int:view_id>/delete")
@viewer_required
def delete(view_id: int):
    """Delete one of one's own saved views."""
    view = queries.get_visible_or_404(view_id, current_user.id)
    list_name = view.list_name
    try:
        operations.delete_view(view, current_user._get_current_object())
    except InvalidInput as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("View deleted."), "success")
    return redirect(_list_url(list_name, ""), 303)
