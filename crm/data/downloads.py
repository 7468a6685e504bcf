"""An export as a file to download (docs/domain.md#exports): its columns resolved for the
language chosen on the export form, its README sheet, and the response that streams it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, current_app, send_file, stream_with_context
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm.core.i18n import LANGUAGE_NAMES, select_locale
from crm.core.presentation import localized_datetime
from crm.data import spreadsheets
from crm.data.columns import CODES, Column, Layout, export_language, layout

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
#: Export kind → its title (README) and the name of its sheet.
TITLES = {
    "responses": (_l("Survey responses"), _l("Responses")),
    "practices": (_l("Practices"), _l("Practices")),
    "contacts": (_l("Contacts"), _l("Contacts")),
    "pipeline": (_l("Country pipeline and readiness"), _l("Pipeline")),
}


@dataclass(frozen=True)
class Export:
    """One export being taken: its ``kind``, the ``language`` it is written in (a locale or
    ``codes``), the locale its words are in (``text_locale``: the language, or the reader's
    for codes) and the resolved ``layout``."""

    kind: str
    language: str
    text_locale: str
    layout: Layout

    @classmethod
    def chosen(cls, kind: str, fields: Sequence[Column], asked: str | None) -> Export:
        """The export of ``kind`` in the language ``asked`` (the ``labels`` argument; the
        reader's locale when absent or unknown)."""
        reader = select_locale()
        language = export_language(asked, reader)
        resolved = layout(fields, language, timezone=_timezone(), reader=reader)
        return cls(kind, language, reader if language == CODES else language, resolved)

    @property
    def codes(self) -> bool:
        """Whether it keeps the machine form (codes)."""
        return self.language == CODES

    def rows(self, chunks: Iterable[Sequence[Sequence[Any]]]) -> Iterable[list[list[Any]]]:
        """Chunks of stored values, converted as written."""
        return (self.layout.rows(chunk) for chunk in chunks)

    def readme(self, filters: Sequence[tuple[str, str]], count: int) -> spreadsheets.Readme:
        """The README sheet: what the file is, when it was exported (UTC and the
        organization's zone), with which filters and how many rows, and what each column
        means; in the export's words."""
        now = datetime.now(UTC)
        with force_locale(self.text_locale):
            values = (
                _("Codes, for scripts (the machine form of the API).")
                if self.codes
                else _(
                    "As the screens show them, in %(language)s.",
                    language=LANGUAGE_NAMES[self.language],
                )
            )
            lines = [
                (_("Exported (UTC)"), now.strftime("%Y-%m-%d %H:%M:%S UTC")),
                (
                    _("Exported (%(zone)s)", zone=_timezone()),
                    localized_datetime(now, self.text_locale),
                ),
                (_("Rows"), str(count)),
                (_("Headings and values"), values),
                *filters,
            ]
            return spreadsheets.Readme(
                title=str(TITLES[self.kind][0]),
                lines=lines,
                columns=list(zip(self.layout.headings, self.layout.meanings, strict=True)),
                headings=(_("Column"), _("Meaning")),
            )

    def sheet_name(self) -> str:
        """The name of the data sheet: the export's kind, in its words."""
        if self.codes:
            return self.kind
        with force_locale(self.text_locale):
            return str(TITLES[self.kind][1])


def _timezone() -> str:
    return current_app.config["ORG_TIMEZONE"]


def download(
    export: Export,
    file_format: str,
    chunks: Iterable[Sequence[Sequence[Any]]],
    readme: spreadsheets.Readme,
) -> Response:
    """The export as an attachment named ``<kind>-<organization day>.<format>``: a streamed
    CSV, or an XLSX written to a temporary file (xlsxwriter assembles the zip at the end)."""
    today = datetime.now(ZoneInfo(_timezone())).date().isoformat()
    filename = f"{export.kind}-{today}.{file_format}"
    rows = export.rows(chunks)
    if file_format == "csv":
        return Response(
            stream_with_context(spreadsheets.csv_stream(export.layout.headings, rows)),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    target = tempfile.TemporaryFile()  # noqa: SIM115 - send_file closes it after sending
    spreadsheets.write_xlsx(
        export.layout.headings,
        rows,
        target,
        sheet_name=export.sheet_name(),
        cell_kinds=export.layout.cell_kinds,
        readme=readme,
    )
    target.seek(0)
    return send_file(target, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename)
