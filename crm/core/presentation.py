"""What templates see: localized names, dates, numbers and the language switcher.

Dates have one style per language and so do moments (docs/domain.md#dates): every page, email
and alert writes them through :func:`localized_date` and :func:`localized_datetime` (the
``date`` and ``datetime`` template filters); ISO 8601 is for the API, exports and
``<time datetime>`` only.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from babel import Locale
from babel.dates import format_date, format_time, get_timezone_gmt, get_timezone_name
from babel.lists import format_list
from flask import Flask, request, url_for
from flask_babel import format_decimal

from crm.core.clock import org_timezone
from crm.core.i18n import (
    LANGUAGE_NAMES,
    LOCALES,
    SEGMENT_OF,
    active_locale,
    country_name,
    region_name,
    select_locale,
    sorted_countries,
)
from crm.core.navigation import staff_navigation


def language_links() -> list[dict[str, object]]:
    """One link per locale to the same page in that language (URL segment or ``?lang=``)."""
    current = select_locale()
    endpoint = request.endpoint
    args = dict(request.view_args or {})
    links = []
    for locale in LOCALES:
        if endpoint and "lang" in args:
            href = url_for(endpoint, **{**args, "lang": SEGMENT_OF[locale]})
        else:
            href = url_for("public.set_language", locale=locale, next=request.full_path)
        links.append(
            {
                "locale": locale,
                "name": LANGUAGE_NAMES[locale],
                "href": href,
                "current": locale == current,
            }
        )
    return links


def html_lang() -> str:
    """The BCP 47 tag for ``<html lang>``: ``pt-BR`` rather than Babel's ``pt_BR``."""
    return active_locale().replace("_", "-")


#: The one date style: CLDR's "medium" date ("Nov 22, 2026", "22 nov 2026",
#: "22 de nov. de 2026"); never a numeric "short" one, which readers across the world read in
#: opposite orders (12/6/26).
DATE_STYLE = "medium"
#: The time of day in a moment: CLDR's "short" time ("4:16 PM", "16:16"), no seconds.
TIME_STYLE = "short"


def localized_date(value: date | datetime | None, locale: str | None = None) -> str:
    """A calendar day in the language's one date style (``locale``, default: the active one).

    A ``date`` is shown as it is: a day typed without a time stays a day. A ``datetime`` (an
    instant, naive values read as UTC) is shown as the organization's calendar day it falls on
    (``crm.clock.org_timezone``). ``None`` gives "".
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _in_org_zone(value).date()
    return format_date(value, DATE_STYLE, locale=locale or active_locale())


def localized_datetime(value: date | datetime | None, locale: str | None = None) -> str:
    """An instant as the organization's local date and time, its zone named: the date style
    of :func:`localized_date`, a short time and the zone ("Nov 22, 2026, 4:16 PM EST",
    "22 nov 2026, 16:16 GMT-05:00", "22 de nov. de 2026 16:16 GMT-05:00").

    Naive values are read as UTC. A ``date`` carries no time, so none is invented: it is shown
    as :func:`localized_date` shows it. ``None`` gives "".
    """
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return localized_date(value, locale)
    locale = locale or active_locale()
    local = _in_org_zone(value)
    time_text = f"{format_time(local, TIME_STYLE, locale=locale)} {zone_name(local, locale)}"
    # CLDR's own glue for a date and a time: "{1}, {0}" in en and es, "{1} {0}" in pt.
    pattern = str(Locale.parse(locale).datetime_formats[DATE_STYLE])
    return pattern.format(time_text, format_date(local.date(), DATE_STYLE, locale=locale))


def zone_name(moment: datetime, locale: str | None = None) -> str:
    """The short name of the zone ``moment`` (timezone-aware) is in, in ``locale``: CLDR's
    abbreviation where the language has one ("EST", "BRT", "UTC"), else the GMT offset
    ("GMT-05:00"), never a bare "-0500". The offset always follows "GMT": Babel's Portuguese
    pattern puts it first ("-05:00 GMT"), which Brazilian readers took for a broken time
    (docs/domain.md#dates)."""
    locale = locale or active_locale()
    name = get_timezone_name(moment, "short", locale=locale)
    if name[:1] in "+-":
        offset = get_timezone_gmt(moment, "iso8601", locale=locale)
        return "GMT" if offset == "Z" else f"GMT{offset}"
    return name


def _in_org_zone(value: datetime) -> datetime:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(org_timezone())


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})")


def change_value(value: object) -> str:
    """One old or new value of an audit event's changes, as the reader reads it: the ISO 8601
    days and instants the trail stores (``crm.audit``) in the one date and date-time styles,
    lists joined by the language's rules, anything else as stored; "—" for none."""
    if value is None:
        return "—"
    if isinstance(value, list):
        return format_list([change_value(v) for v in value], locale=active_locale())
    text = str(value)
    try:
        if _ISO_DAY.fullmatch(text):
            return localized_date(date.fromisoformat(text))
        if _ISO_INSTANT.fullmatch(text):
            return localized_datetime(datetime.fromisoformat(text))
    except ValueError:  # shaped like a day but none ("2026-02-31"): shown as stored
        pass
    return text


def localized_expiry(value: datetime | str | None, locale: str | None = None) -> str:
    """When something stops working, as the person who set it reads it: an expiry given as
    the last day it works is stored as the instant that day ends (the next local midnight),
    and is shown as that last day ("Jan 31, 2027"), never as the next day at 00:00; any
    other instant (ended "now") is shown as a moment. An ISO string is read as the audit
    trail stores it; ``None`` gives "". (docs/domain.md#dates)"""
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = _in_org_zone(moment)
    if local.time() == time.min:
        return localized_date(local.date() - timedelta(days=1), locale)
    return localized_datetime(moment, locale)


def _date_filter(value: date | datetime | None) -> str:
    return localized_date(value)


def _datetime_filter(value: date | datetime | None) -> str:
    return localized_datetime(value)


def init_app(app: Flask) -> None:
    """Expose helpers and filters to every template."""
    app.jinja_env.globals.update(
        country_name=country_name,
        region_name=region_name,
        language_links=language_links,
        html_lang=html_lang,
        current_locale=active_locale,
        sorted_countries=sorted_countries,
        staff_navigation=staff_navigation,
    )
    app.jinja_env.filters["date"] = _date_filter
    app.jinja_env.filters["datetime"] = _datetime_filter
    app.jinja_env.filters["expiry"] = localized_expiry
    app.jinja_env.filters["change_value"] = change_value
    app.jinja_env.filters["country"] = country_name
    app.jinja_env.filters["number"] = format_decimal
