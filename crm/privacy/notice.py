"""The privacy notice's versions: each response keeps the version its respondent accepted
(``docs/domain.md#survey``).

A published version is never edited: a change of wording is a new entry here with its own
template, and ``PRIVACY_NOTICE_VERSION`` names the one the survey shows and records. Every
earlier version stays readable at ``/<lang>/privacy/<version>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask, current_app, url_for

from config import ConfigError
from crm.core.i18n import SEGMENT_OF, active_locale


@dataclass(frozen=True)
class NoticeVersion:
    """One published version: its id (as stored in ``privacy_notice_version``), the day it took
    effect, and the template holding its text in every language."""

    version: str
    effective_on: date
    template: str


#: Every version ever published, oldest first.
VERSIONS: tuple[NoticeVersion, ...] = (
    # The short notice the survey opened with.
    NoticeVersion("2026-11", date(2026, 11, 1), "surveys/privacy/2026-11.html"),
    # Legal bases, retention period, recipients, transfers, cookies and every right spelled out.
    NoticeVersion("2026-11-29", date(2026, 11, 29), "surveys/privacy/2026-11-29.html"),
    # Answers saved to finish later, answers kept on the respondent's device; no cookie.
    NoticeVersion("2026-12-07", date(2026, 12, 7), "surveys/privacy/2026-12-07.html"),
)
_BY_VERSION = {v.version: v for v in VERSIONS}


def find_version(version: str) -> NoticeVersion | None:
    """The published version called ``version``, or None when there is none."""
    return _BY_VERSION.get(version)


def current_version(config: Mapping[str, Any]) -> NoticeVersion:
    """The version named by ``config["PRIVACY_NOTICE_VERSION"]``.

    Raises ``ConfigError`` when it names no published version: responses must never record a
    version nobody can read.
    """
    version = find_version(config["PRIVACY_NOTICE_VERSION"])
    if version is None:
        known = ", ".join(v.version for v in VERSIONS)
        raise ConfigError(
            f"PRIVACY_NOTICE_VERSION={config['PRIVACY_NOTICE_VERSION']!r} is not a published "
            f"privacy notice version (known: {known})"
        )
    return version


def version_in_effect(day: date, config: Mapping[str, Any]) -> NoticeVersion:
    """The version a respondent saw on ``day`` (the organization's calendar): the newest one
    in effect that day, never newer than the current one; the oldest before any took effect.
    For responses entered after the fact (the demo data), which must not record a notice
    that was not yet published when they were answered."""
    current = current_version(config)
    shown = [v for v in VERSIONS if v.effective_on <= min(day, current.effective_on)]
    return shown[-1] if shown else VERSIONS[0]


def privacy_notice_href(version: str | None) -> str | None:
    """Address of a published privacy-notice version in the reader's language, or None when
    ``version`` was never published (legacy imports) or the public pages are not served."""
    if not version or find_version(version) is None:
        return None
    if "surveys.privacy_version" not in current_app.view_functions:
        return None
    return url_for("surveys.privacy_version", lang=SEGMENT_OF[active_locale()], version=version)


def init_app(app: Flask) -> None:
    """Expose :func:`privacy_notice_href` to templates (the staff response page links to it)."""
    app.jinja_env.globals["privacy_notice_href"] = privacy_notice_href
