"""Reading saved views (docs/domain.md#saved-views): a person's own and the team's shared."""

from __future__ import annotations

from flask import abort
from sqlalchemy import or_, select

from crm.core import pagination
from crm.core.extensions import db
from crm.savedviews.models import SavedView


def views_for(user_id: int, list_name: str) -> list[SavedView]:
    """The views of ``list_name`` a person may open: their own and those shared, by name."""
    return list(
        db.session.scalars(
            select(SavedView)
            .where(
                SavedView.list_name == list_name,
                or_(SavedView.owner_id == user_id, SavedView.shared.is_(True)),
            )
            .order_by(SavedView.name, SavedView.id)
        )
    )


def get_visible_or_404(view_id: int, user_id: int) -> SavedView:
    """The saved view ``view_id`` when it is the person's own or shared; 404 otherwise (another
    person's own view is not theirs to see)."""
    view = pagination.get_row_or_404(SavedView, view_id)
    if view.owner_id != user_id and not view.shared:
        abort(404)
    return view
