"""The staff lists a view can be saved for: each list's page and who may open it."""

from __future__ import annotations

from dataclasses import dataclass

from crm.labels import STAFF_LIST
from crm.savedviews.models import LIST_NAMES


@dataclass(frozen=True)
class StaffList:
    """A list: its endpoint, the level that opens it (``crm.core.access``), its title."""

    endpoint: str
    level: str
    title: object


LISTS = {
    "countries": StaffList("countries.index", "viewer", STAFF_LIST["countries"]),
    "responses": StaffList("inbox.index", "staff", STAFF_LIST["responses"]),
    "practices": StaffList("practices.index", "staff", STAFF_LIST["practices"]),
    "contacts": StaffList("practices.contacts", "staff", STAFF_LIST["contacts"]),
    "tasks": StaffList("tasks.mine", "staff", STAFF_LIST["tasks"]),
}
assert tuple(LISTS) == LIST_NAMES  # noqa: S101  (one vocabulary: the models' CHECK holds it)
#: Query arguments never saved: the page shown, the view opened, a form's token.
NOT_SAVED = frozenset({"page", "view", "csrf_token"})
