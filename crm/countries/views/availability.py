"""Public pages on where the programs are available: the landing page (``/en/``, ``/es/``,
``/pt/``) and the availability pages (``/en/availability``…), no login; the availability
pages are cached by ETag (a staff change gives a new one at once)."""

from __future__ import annotations

import os

from flask import Blueprint, current_app, make_response, render_template, request

from crm import labels
from crm.core.access import public
from crm.core.i18n import select_locale
from crm.countries.availability import as_of, availability_etag, program_availability
from crm.countries.models import PROGRAM_CODES
from crm.countries.queries import available_countries
from crm.readiness.worldmap import load_world_map

blueprint = Blueprint("availability", __name__)
TEMPLATE = "countries/availability/index.html"
MAP_STATES = ("available", "pilot", "not_available")


def _template_mtime(locale: str) -> str:
    """Modification times of the page's template and of the locale's compiled catalog: a new
    deployment of either gives a new ETag, so no stale 304 keeps an old wording."""
    source = current_app.jinja_env.get_or_select_template(TEMPLATE).filename
    catalog = os.path.join(
        current_app.root_path, "translations", locale, "LC_MESSAGES", "messages.mo"
    )
    return "|".join(
        str(os.path.getmtime(path)) for path in (source, catalog) if path and os.path.exists(path)
    )


@blueprint.get("/<any(en, es, pt):lang>/availability")
@public
def index(lang: str):
    """Per program, the countries where it is available, by region; the QCP map; an as-of
    date; a link to the survey for anyone whose country is not listed."""
    locale = select_locale()
    etag = availability_etag(locale, _template_mtime(locale))
    if request.if_none_match.contains_weak(etag):  # If-None-Match compares weakly (RFC 9110)
        response = make_response("", 304)
    else:
        programs = program_availability(locale)
        response = make_response(
            render_template(
                TEMPLATE,
                programs=programs,
                as_of=as_of(),
                world=load_world_map(),
                qcp_states=next(p for p in programs if p.program == "QCP").statuses,
                map_legend={s: labels.label("availability", s) for s in MAP_STATES},
            )
        )
    # Weak: the same page compressed or not (crm.core.assets) is the same page, and
    # Flask-Compress leaves a weak tag as it is, so a browser's revalidation finds it.
    response.set_etag(etag, weak=True)
    # Revalidate on every view (cheap with the ETag), so a change shows at once.
    response.headers["Cache-Control"] = "public, no-cache"
    return response


@blueprint.get("/<any(en, es, pt):lang>/")
@public
def home(lang: str):
    """Landing page: what the programs are and where they are available today. Only a
    language's segment: any other one-segment path (``/favicon.ico``) is a plain 404, where
    ``/<lang>/`` redirected it to ``/favicon.ico/`` first."""
    return render_template(
        "countries/availability/home.html", available=available_countries(), programs=PROGRAM_CODES
    )
