"""The staff lists a view can be saved for: each list's page and who may open it."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from crm.savedviews.models import LIST_NAMES


@dataclass(frozen=True)
class StaffList:
    """A list: its endpoint, the level that opens it (``crm.core.access``), its title."""

    endpoint: str
    level: str
    title: object


LISTS = {
    "countries": StaffList("countries.index", "viewer", _l("Countries")),
    "responses": StaffList("inbox.index", "staff", _l("Responses")),
    "practices": StaffList("practices.index", "staff", _l("Practices")),
    "contacts": StaffList("practices.contacts", "staff", _l("Contacts")),
    "tasks": StaffList("tasks.mine", "staff", _l("Tasks")),
}
assert tuple(LISTS) == LIST_NAMES  # noqa: S101  (one vocabulary: the models' CHECK holds it)
#: Query arguments never saved: the page shown, the view opened, a form's token.
NOT_SAVED = frozenset({"page", "view", "csrf_token"})
