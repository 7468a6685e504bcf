"""What templates see: localized names, labels, dates and the language switcher."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, request, url_for
from flask_babel import format_date, format_datetime, format_decimal

from crm import labels
from crm.i18n import (
    LANGUAGE_NAMES,
    LOCALES,
    SEGMENT_OF,
    active_locale,
    country_name,
    region_name,
    select_locale,
    sorted_countries,
)
from crm.navigation import staff_navigation
from crm.privacy_notice import find_version


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


def privacy_notice_href(version: str | None) -> str | None:
    """Address of a published privacy-notice version in the reader's language, or None when
    ``version`` was never published (legacy imports) or the public pages are not served."""
    if not version or find_version(version) is None:
        return None
    if "surveys.privacy_version" not in current_app.view_functions:
        return None
    return url_for("surveys.privacy_version", lang=SEGMENT_OF[active_locale()], version=version)


def html_lang() -> str:
    """The BCP 47 tag for ``<html lang>``: ``pt-BR`` rather than Babel's ``pt_BR``."""
    return active_locale().replace("_", "-")


def _date(value: date | datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, fmt)
    return format_date(value, fmt)


def init_app(app: Flask) -> None:
    """Expose helpers and filters to every template."""
    app.jinja_env.globals.update(
        country_name=country_name,
        region_name=region_name,
        label=labels.label,
        labels=labels.ALL,
        language_links=language_links,
        html_lang=html_lang,
        privacy_notice_href=privacy_notice_href,
        current_locale=active_locale,
        sorted_countries=sorted_countries,
        staff_navigation=staff_navigation,
    )
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["country"] = country_name
    app.jinja_env.filters["number"] = format_decimal
