"""Import and export home and the exports (docs/domain.md#exports), blueprint ``data`` under
``/staff/data``.

Each export has a page with the filters of its list and the language of the file (the reader's
by default, or ``codes`` for scripts); its downloads take the same query arguments, so the
filters shown carry into the file. Each export of personal data is audited
(docs/domain.md#roles); the pipeline (aggregates) is for viewers too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import load_only

from crm.core.access import requires
from crm.core.extensions import db
from crm.core.i18n import localized_list, select_locale
from crm.countries.forms import CountryFilterForm
from crm.countries.queries import chosen_country_codes
from crm.data import exports as reports
from crm.data.downloads import FORMATS, Export, download
from crm.data.filters import ContactFilters, PracticeFilters, ResponseFilters
from crm.data.forms.exports import (
    ContactExportForm,
    PipelineLanguageForm,
    PracticeExportForm,
    ResponseExportForm,
)
from crm.data.models import ImportBatch
from crm.data.operations import record_export_now
from crm.readiness import wording
from crm.readiness.queries import availability_by_country, readiness_board

blueprint = Blueprint("data", __name__, url_prefix="/staff/data")

#: Personal-data export kind → (filters from the query, counting, rows, export form).
_PERSONAL: dict[str, tuple[Callable[[Any], Any], Callable, Callable, type]] = {
    "responses": (
        lambda args: ResponseFilters.from_args(args, timezone=current_app.config["ORG_TIMEZONE"]),
        reports.count_responses,
        reports.response_rows,
        ResponseExportForm,
    ),
    "practices": (
        PracticeFilters.from_args,
        reports.count_practices,
        reports.practice_rows,
        PracticeExportForm,
    ),
    "contacts": (
        ContactFilters.from_args,
        reports.count_contacts,
        reports.contact_rows,
        ContactExportForm,
    ),
}


@blueprint.app_context_processor
def export_helpers() -> dict:
    """``export_url`` lets the response, practice and contact lists offer downloads of what
    they show."""
    return {"export_url": export_url}


def export_url(kind: str, file_format: str) -> str:
    """Download link of ``kind`` (responses, practices, contacts) carrying the filters of the
    current request's query and its ``labels`` choice."""
    args = _PERSONAL[kind][0](request.args).as_args()
    if request.args.get("labels"):
        args["labels"] = request.args["labels"]
    return url_for(f"data.export_{kind}", file_format=file_format, **args)


@blueprint.get("/")
@requires("staff")
def index() -> ResponseReturnValue:
    """Import and export: recent imports, and links to each export."""
    batches = db.session.scalars(
        select(ImportBatch)
        .options(load_only(ImportBatch.id, ImportBatch.filename, ImportBatch.status,
                           ImportBatch.reading, ImportBatch.result, ImportBatch.created_at,
                           ImportBatch.committed_at))
        .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())
        .limit(20)
    ).all()  # fmt: skip
    return render_template("data/index.html", batches=batches)


@blueprint.get("/export/<any(responses, practices, contacts):kind>")
@requires("staff")
def export_page(kind: str) -> ResponseReturnValue:
    """An export's page: the filters of its list, the file's language, the download links."""
    read_filters, count, _rows, form_class = _PERSONAL[kind]
    form = form_class(formdata=request.args)
    if request.args:
        form.validate()  # shows what the export ignores, e.g. a date out of the calendar
    form.labels.data = form.labels.data or select_locale()
    filters = read_filters(request.args)
    return render_template(
        "data/export.html",
        kind=kind,
        form=form,
        args={**filters.as_args(), "labels": form.labels.data},
        count=count(filters),
    )


def export_download(kind: str, file_format: str) -> ResponseReturnValue:
    """Download the rows the filters select (personal data: staff only, audited), in the
    language asked for (``labels``)."""
    if file_format not in FORMATS:
        abort(404)
    read_filters, count, rows, _form = _PERSONAL[kind]
    filters = read_filters(request.args)
    export = Export.chosen(kind, reports.EXPORT_FIELDS[kind], request.args.get("labels"))
    total = count(filters)
    record_export_now(kind, file_format, {**filters.as_args(), "labels": export.language}, total)
    with force_locale(export.text_locale):
        readme = export.readme(filters.described(), total)
    chunks = rows(filters, chunk_size=_chunk_size())
    return download(export, file_format, chunks, readme)


def _download_view(kind: str) -> Callable[[str], ResponseReturnValue]:
    """The download endpoint ``data.export_<kind>`` (staff only)."""

    def view(file_format: str) -> ResponseReturnValue:
        return export_download(kind, file_format)

    view.__name__ = f"export_{kind}"
    view.__doc__ = f"Download the {kind} the filters select (:func:`export_download`)."
    return requires("staff")(view)


for _kind in _PERSONAL:
    blueprint.add_url_rule(f"/export/{_kind}.<file_format>", view_func=_download_view(_kind))


def _chunk_size() -> int:
    return current_app.config.get("EXPORT_CHUNK_SIZE", reports.DEFAULT_CHUNK_SIZE)


@blueprint.get("/export/pipeline")
@requires("viewer")
def pipeline_page() -> ResponseReturnValue:
    """The pipeline export's page: the country list's filters and the file's language."""
    country_form = CountryFilterForm.from_query(request.args)
    form = PipelineLanguageForm(formdata=request.args)
    form.labels.data = form.labels.data or select_locale()
    args = {**_country_args(country_form), "labels": form.labels.data}
    return render_template("data/pipeline.html", country_form=country_form, form=form, args=args)


def _country_args(form: CountryFilterForm) -> dict[str, str]:
    return {
        name: form[name].data
        for name in ("region", "program", "availability", "readiness")
        if form[name].data and not form[name].errors
    }


@blueprint.get("/export/pipeline.<file_format>")
@requires("viewer")
def export_pipeline(file_format: str) -> ResponseReturnValue:
    """Download the country pipeline with readiness (aggregates: viewers too,
    docs/domain.md#roles); the country list's filters (region, program, availability,
    readiness) select the countries."""
    if file_format not in FORMATS:
        abort(404)
    export = Export.chosen("pipeline", reports.PIPELINE_FIELDS, request.args.get("labels"))
    with force_locale(export.text_locale):
        country_form = CountryFilterForm.from_query(request.args)
        chosen = chosen_country_codes(country_form.filters())
        rows = reports.pipeline_rows(
            [_worded(r) for r in readiness_board()],
            availability_by_country(),
            locale=export.text_locale,
            countries=chosen,
            codes=export.codes,
        )
        readme = export.readme(_form_described(country_form), len(rows))
    return download(export, file_format, [rows], readme)


def _worded(readiness: Any) -> dict[str, Any]:
    """A readiness result as ``crm.readiness.wording.as_dict`` words it, its summary joined
    by the current language's conjunction."""
    return {
        **wording.as_dict(readiness, gettext),
        "summary": wording.summarize(readiness, gettext, join=localized_list),
    }


def _form_described(form: CountryFilterForm) -> list[tuple[str, str]]:
    """``(label, chosen title)`` of each country filter in use, in the current locale."""
    used = []
    for name in ("region", "program", "availability", "readiness"):
        field = form[name]
        if field.data and not field.errors:
            title = dict((str(v), str(t)) for v, t, *_rest in field.iter_choices())
            used.append((str(field.label.text), title.get(field.data, field.data)))
    return used or [(gettext("Filters"), gettext("None: every row"))]
