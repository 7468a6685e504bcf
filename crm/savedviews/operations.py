"""Saving and deleting views (docs/domain.md#saved-views); each write audited, the caller
commits. Errors a person can cause raise ``InvalidInput`` with a translated message."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode

from flask_babel import gettext as _
from sqlalchemy import select

from crm.accounts.models import User
from crm.audit import operations as audit
from crm.core.access import has_level
from crm.core.errors import InvalidInput
from crm.core.extensions import db
from crm.savedviews.lists import LISTS, NOT_SAVED
from crm.savedviews.models import SavedView

logger = logging.getLogger(__name__)
MAX_QUERY = SavedView.__table__.c.query.type.length


def clean_query(query: str) -> str:
    """A list's query string as saved: the page, the view and any token left out."""
    pairs = [(k, v) for k, v in parse_qsl(query or "", keep_blank_values=False)
             if k not in NOT_SAVED]  # fmt: skip
    return urlencode(pairs)


def save_view(owner: User, list_name: str, name: str, query: str, shared: bool) -> SavedView:
    """Save ``list_name``'s filters and sort (``query``, its query string) under ``name``; a
    view of the same name and list of the owner's is replaced. Only staff share views with the
    team. Raises ``InvalidInput`` for an unknown list, a blank name, a list the owner may not
    open, or sharing without staff rights."""
    if list_name not in LISTS or not has_level(owner, LISTS[list_name].level):
        raise InvalidInput("list_name", _("This list cannot be saved."))
    name = (name or "").strip()
    if not name:
        raise InvalidInput("name", _("Give the view a name."))
    if shared and not has_level(owner, "staff"):
        raise InvalidInput("shared", _("Only staff share views with the team."))
    query = clean_query(query)
    if len(query) > MAX_QUERY:
        raise InvalidInput("name", _("These filters are too long to save."))
    view = db.session.scalar(
        select(SavedView).where(SavedView.owner_id == owner.id,
                                SavedView.list_name == list_name, SavedView.name == name)
    )  # fmt: skip
    before = {"query": view.query, "shared": view.shared} if view else {}
    if view is None:
        view = SavedView(owner_id=owner.id, list_name=list_name, name=name)
        db.session.add(view)
    view.query, view.shared = query, bool(shared)
    db.session.flush()
    changes = audit.diff(
        before,
        {
            "query": view.query,
            "shared": view.shared,
            **({} if before else {"list_name": list_name, "name": name}),
        },
    )
    audit.record("saved_view.update" if before else "saved_view.create", "saved_view", view.id,
                 changes)  # fmt: skip
    logger.info("view %s of %s saved by %s", view.id, list_name, audit.current_actor()[1])
    return view


def delete_view(view: SavedView, user: User) -> None:
    """Delete a saved view; only its owner may. Raises ``InvalidInput`` otherwise."""
    if view.owner_id != user.id:
        raise InvalidInput(None, _("Only the person who saved a view can delete it."))
    audit.record("saved_view.delete", "saved_view", view.id,
                 {"name": [view.name, None], "list_name": [view.list_name, None]})  # fmt: skip
    db.session.delete(view)
    db.session.flush()
