"""Site-wide pages: the front door, the staff address and the language switch."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, session, url_for

from crm.core.access import public, viewer_required
from crm.core.i18n import SEGMENT_OF, normalize_locale, select_locale
from crm.core.redirects import local_path

blueprint = Blueprint("public", __name__)


@blueprint.get("/")
@public
def root():
    """Send a visitor to the survey (the front door) in the language their browser asks for."""
    return redirect(url_for("surveys.survey", lang=SEGMENT_OF[select_locale()]), code=302)


@blueprint.get("/staff/")
@viewer_required
def staff_home():
    """The staff address ``make run`` prints: the dashboard, or the login page for a visitor."""
    return redirect(url_for("dashboard.index"), code=302)


@blueprint.get("/language/<locale>")
@public
def set_language(locale: str):
    """Remember an explicit language choice, then go back to a local page (never off-site)."""
    chosen = normalize_locale(locale)
    if chosen is None:
        abort(404)
    session["locale"] = chosen
    return redirect(local_path(request.args.get("next"), "/"), code=303)
