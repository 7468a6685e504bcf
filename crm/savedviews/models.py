"""Saved views of the staff lists (docs/domain.md#saved-views)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.core.columns import UTCDateTime, one_of, utcnow
from crm.core.extensions import db

#: The lists a view can be saved for (``crm.savedviews.lists.LISTS`` says where each is).
LIST_NAMES = ("countries", "responses", "practices", "contacts", "tasks")


class SavedView(db.Model):
    """A list's filters and sort under a name; ``shared`` views are offered to the whole team.
    Its page ``/staff/views/<id>`` is its stable URL."""

    __tablename__ = "saved_views"
    __table_args__ = (
        one_of("list_name", LIST_NAMES),
        UniqueConstraint("owner_id", "list_name", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    list_name: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    #: The list's query string (filters and sort), without the page number.
    query: Mapped[str] = mapped_column(String(2000), default="")
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<SavedView {self.id} {self.list_name}>"
