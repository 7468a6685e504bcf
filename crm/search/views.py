"""The global search page, reached from the box in every staff page's header
(docs/decisions.md#search-index). Viewers find countries; staff and admins find people too."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from crm.core.access import has_level, viewer_required
from crm.search.highlight import highlight
from crm.search.queries import search

blueprint = Blueprint("search", __name__, url_prefix="/staff/search")
blueprint.add_app_template_filter(highlight, "highlight")
#: Longest query read (longer ones are cut).
MAX_QUERY = 200


@blueprint.get("")
@viewer_required
def index():
    """Results for ``?q=``, grouped by kind, what matched marked."""
    query = (request.args.get("q") or "")[:MAX_QUERY]
    people = has_level(current_user, "staff")
    return render_template("search/index.html", results=search(query, people=people), people=people)
