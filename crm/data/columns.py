"""What each column of an export holds, and how it is written: as people read it (headings and
values as the screens show them, in a chosen language, countries by name, moments in the
organization's time zone) or as codes for scripts (today's machine form: the answer keys, the
stored codes, ISO country codes, moments in UTC). See docs/domain.md#exports.

A :class:`Layout` resolves a list of :class:`Column` for one language once: every label is looked
up in a dict built up front, so a million rows are converted without a gettext call per cell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from flask_babel import force_locale
from flask_babel import gettext as _

from crm.core.i18n import LANGUAGE_NAMES, LOCALES, active_locale, localized_list

#: The ``labels`` choice that keeps the machine form (docs/domain.md#exports).
CODES = "codes"
#: What an export can be written in: each locale, or codes.
EXPORT_LANGUAGES = (*LOCALES, CODES)
#: Kinds of column value, and how each is written (see :func:`_converter`).
KINDS = ("text", "id", "number", "moment", "choice", "multi", "bool", "country", "language")


@dataclass(frozen=True)
class Column:
    """One column of an export: ``key`` is its heading in codes, ``title`` (lazy) its heading
    for people; ``kind`` one of KINDS; ``labels`` the titles of a choice's codes (lazy);
    ``meaning`` (lazy) what it holds, for the README sheet (None: said from the kind and
    title); ``codes_only`` columns are left out of the labelled form (``country_name`` beside
    the ISO code)."""

    key: str
    title: Any
    kind: str = "text"
    labels: Mapping[str, Any] | None = None
    meaning: Any = None
    codes_only: bool = False


@dataclass(frozen=True)
class Layout:
    """Columns resolved for one export language: the ``headings``, the XLSX cell kind of each
    (``text``, ``number``, ``moment``), what each means (README), and one converter per
    column from a stored value to the value written."""

    language: str
    headings: list[str]
    cell_kinds: list[str]
    meanings: list[str]
    positions: list[int]
    converters: list[Callable[[Any], Any]]

    def row(self, values: Sequence[Any]) -> list[Any]:
        """One row of stored values (in the order of the columns given to :func:`layout`) as
        written."""
        return [
            convert(values[p]) for convert, p in zip(self.converters, self.positions, strict=True)
        ]

    def rows(self, chunk: Sequence[Sequence[Any]]) -> list[list[Any]]:
        """A chunk of rows converted (see :meth:`row`)."""
        pairs = list(zip(self.converters, self.positions, strict=True))
        return [[convert(values[p]) for convert, p in pairs] for values in chunk]


def export_language(value: str | None, default: str) -> str:
    """The export language asked for (``labels`` query argument): a locale, ``codes``, or
    ``default`` (the reader's locale) for anything else."""
    return value if value in EXPORT_LANGUAGES else default


def layout(columns: Sequence[Column], language: str, *, timezone: str, reader: str) -> Layout:
    """``columns`` resolved for ``language`` (a locale or CODES). Headings and values are in
    that language; the meanings are in it too, or in ``reader`` (the reader's locale) for
    codes. Moments are written in ``timezone`` (the organization's), named in the heading;
    codes write them in UTC, as ``<key> (UTC)``."""
    codes = language == CODES
    with force_locale(reader if codes else language):
        kept = [(i, c) for i, c in enumerate(columns) if codes or not c.codes_only]
        zone = "UTC" if codes else timezone
        return Layout(
            language=language,
            headings=[_heading(c, codes, zone) for _i, c in kept],
            cell_kinds=[_cell_kind(c) for _i, c in kept],
            meanings=[_meaning(c, codes, zone) for _i, c in kept],
            positions=[i for i, _c in kept],
            converters=[_converter(c, codes, ZoneInfo(zone)) for _i, c in kept],
        )


def _heading(column: Column, codes: bool, zone: str) -> str:
    if codes:
        return f"{column.key} (UTC)" if column.kind == "moment" else column.key
    title = str(column.title)
    return f"{title} ({zone})" if column.kind == "moment" else title


def _cell_kind(column: Column) -> str:
    if column.kind in ("id", "number"):
        return "number"
    return "moment" if column.kind == "moment" else "text"


def _meaning(column: Column, codes: bool, zone: str) -> str:
    """What the column holds, in the current locale: its own meaning or the question it
    answers, then for choices the values it can hold (codes with their titles, for scripts)."""
    said = (
        str(column.meaning)
        if column.meaning is not None
        else _("The answer to “%(question)s”.", question=str(column.title))
    )
    if column.kind == "moment":
        said += " " + _("Date and time in %(zone)s.", zone=zone)
    if column.labels:
        values = [
            f"{code} = {title}" if codes else str(title)
            for code, title in ((code, str(t)) for code, t in column.labels.items())
        ]
        template = _("Any of: %(values)s.") if column.kind == "multi" else _("One of: %(values)s.")
        said += " " + template % {"values": localized_list(values)}
    return said


def _plain(value: Any) -> Any:
    """A value of no known kind, as one cell: lists joined by ``; ``, dicts as ``k: v``."""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return value


def _moment(zone: ZoneInfo) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if isinstance(value, datetime):
            aware = value if value.tzinfo else value.replace(tzinfo=UTC)
            return aware.astimezone(zone).replace(tzinfo=None)
        return value if isinstance(value, date) or value is None else _plain(value)

    return convert


def _lookup(titles: Mapping[str, str], joiner: str | None = None) -> Callable[[Any], Any]:
    """A converter reading ``titles`` (unknown values kept as stored); with ``joiner``, each
    item of a list converted and joined."""

    def convert(value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, list | tuple):
            return (joiner or "; ").join(str(titles.get(v, v)) for v in value) or None
        if isinstance(value, bool):
            value = "yes" if value else "no"
        return titles.get(value, value) if isinstance(value, str) else _plain(value)

    return convert


def _converter(column: Column, codes: bool, zone: ZoneInfo) -> Callable[[Any], Any]:
    """From a stored value to the value written, for the current locale (labels) or codes."""
    kind = column.kind
    if kind == "moment":
        return _moment(zone)
    if codes:
        if kind in ("choice", "multi", "bool"):
            return _lookup({}, "; ")
        return _plain
    if kind in ("choice", "multi"):
        titles = {code: str(title) for code, title in (column.labels or {}).items()}
        return _lookup(titles, ", ")
    if kind == "bool":
        return _lookup({"yes": _("Yes"), "no": _("No")})
    if kind == "country":
        return _lookup(dict(Locale.parse(active_locale()).territories))
    if kind == "language":
        return _lookup(dict(LANGUAGE_NAMES))
    return _plain
