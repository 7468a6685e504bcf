"""Lists a page at a time: SQL LIMIT/OFFSET with a total, and rows by id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort
from sqlalchemy import Select, func, select

from crm.core.extensions import db

PER_PAGE = 50


#: Largest id an integer primary key holds on PostgreSQL; larger ones cannot exist.
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Page:
    """One page of a list: ``items``, the 1-based ``number``, ``per_page`` and ``total`` rows."""

    items: list[Any]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(statement: Select, page: int, per_page: int | None = None) -> Page:
    """Run ``statement`` for page ``page`` (clamped to 1..pages) with a COUNT for the total;
    ``per_page`` defaults to PER_PAGE."""
    per_page = per_page or PER_PAGE
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    number = min(max(page, 1), pages)
    items = db.session.scalars(statement.limit(per_page).offset((number - 1) * per_page)).all()
    return Page(list(items), number, per_page, total)


def page_number(raw: str | None) -> int:
    """The ``?page=`` argument as a positive int; 1 for anything else."""
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def get_row(model: type[Any], ident: int | None) -> Any | None:
    """The ``model`` row with primary key ``ident``, or None; ids outside 1..MAX_ID are None
    rather than a database error (PostgreSQL's integer range, SQLite's 64-bit limit)."""
    if ident is None or not 0 < ident <= MAX_ID:
        return None
    return db.session.get(model, ident)


def get_row_or_404(model: type[Any], ident: int) -> Any:
    """The ``model`` row with primary key ``ident``; aborts 404 when there is none."""
    row = get_row(model, ident)
    if row is None:
        abort(404)
    return row
