"""API: the public feed for the society's website (``/api/v1/public``); no token."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from sqlalchemy import select

from crm.api import schemas
from crm.core.access import public
from crm.core.extensions import db
from crm.core.i18n import LOCALES, country_name
from crm.countries.models import PROGRAM_CODES, Availability, Country
from crm.countries.queries import LAUNCHED

blp = Blueprint(
    "api_public",
    __name__,
    url_prefix="/api/v1/public",
    description="Public data for the society's website; no token",
)


@blp.get("/availability")
@public
@blp.etag  # an ETag from the body: a conditional GET gets 304 until staff change it
@blp.response(200, schemas.PublicAvailabilitySchema)
@blp.doc(security=[])
def public_availability():
    """Where each program is launched today (``available`` or ``pilot``), for the society's
    website: names in en, es and pt_BR, the M49 region, and the newest as-of date."""
    rows = db.session.execute(
        select(Availability, Country)
        .join(Country, Country.code == Availability.country_code)
        .where(Availability.status.in_(LAUNCHED))
        .order_by(Availability.program_code, Country.code)
    ).all()
    programs: dict[str, list[dict[str, Any]]] = {code: [] for code in PROGRAM_CODES}
    for availability, country in rows:
        programs[availability.program_code].append(
            {
                "code": country.code,
                "status": availability.status,
                "region": country.region,
                "names": {locale: country_name(country.code, locale) for locale in LOCALES},
            }
        )
    as_of = max((a.as_of for a, _c in rows if a.as_of), default=None)
    return {
        "as_of": as_of,
        "programs": [{"program": p, "countries": c} for p, c in programs.items()],
    }
