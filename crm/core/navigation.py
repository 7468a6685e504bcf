"""The staff navigation: entries appear once their blueprint exists and the user may see them."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm.core.access import has_level

#: (endpoint, label, level). Blueprints add their pages here; missing endpoints are skipped.
ENTRIES = [
    ("dashboard.index", _l("Dashboard"), "viewer"),
    ("countries.index", _l("Countries"), "viewer"),
    ("inbox.index", _l("Responses"), "staff"),
    ("practices.index", _l("Practices"), "staff"),
    ("tasks.mine", _l("My tasks"), "staff"),
    ("data.index", _l("Import and export"), "staff"),
    ("invitations.index", _l("Invitations"), "staff"),
    ("alerts.index", _l("Alerts"), "viewer"),
    ("admin.index", _l("Administration"), "admin"),
    ("account.index", _l("My account"), "viewer"),
]


def staff_navigation() -> list[dict[str, str]]:
    """Entries the current user may open, as ``{"href", "label", "endpoint"}``."""
    return [
        {"href": url_for(endpoint), "label": str(label), "endpoint": endpoint}
        for endpoint, label, level in ENTRIES
        if endpoint in current_app.view_functions and has_level(current_user, level)
    ]
