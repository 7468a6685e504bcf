"""Reusable ``select()`` builders and lookups (``get_*_or_404``, ``query_*``)."""

from __future__ import annotations

from collections import defaultdict

from flask import abort
from sqlalchemy import select

from crm.extensions import db
from crm.models import Availability, Country

LAUNCHED_STATUSES = ("available", "pilot")


def get_country_or_404(code: str) -> Country:
    """The country with ISO alpha-2 ``code`` (any case); aborts 404 when unknown."""
    country = db.session.get(Country, code.upper()) if len(code) == 2 else None
    if country is None:
        abort(404)
    return country


def available_countries() -> dict[str, list[str]]:
    """Program code → ISO codes of countries where it is launched (``available`` or ``pilot``)."""
    rows = db.session.execute(
        select(Availability.program_code, Availability.country_code)
        .where(Availability.status.in_(LAUNCHED_STATUSES))
        .order_by(Availability.program_code, Availability.country_code)
    )
    launched: dict[str, list[str]] = defaultdict(list)
    for program_code, country_code in rows:
        launched[program_code].append(country_code)
    return dict(launched)


def launched_programs(country_code: str | None) -> set[str]:
    """Codes of the programs launched (``available`` or ``pilot``) in one country today; empty
    for None. One indexed lookup (the submit path asks it per response)."""
    if not country_code:
        return set()
    return set(
        db.session.scalars(
            select(Availability.program_code).where(
                Availability.country_code == country_code,
                Availability.status.in_(LAUNCHED_STATUSES),
            )
        )
    )
