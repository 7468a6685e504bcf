"""Import of legacy responses and exports (docs/architecture.md#data), under ``/staff/data``.

Import: upload → columns → values → preview → commit, each step stored in ``import_batches`` so
any process can serve the next. Exports take the same query arguments as the lists on screen, so
the filters shown carry into the file; each export of personal data is audited
(docs/domain.md#roles).
"""

from __future__ import annotations

import logging
import tempfile
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import load_only
from werkzeug.exceptions import RequestEntityTooLarge

from crm.core.access import requires
from crm.core.errors import without_values
from crm.core.extensions import db
from crm.core.i18n import select_locale
from crm.countries.forms import CountryFilterForm
from crm.countries.queries import chosen_country_codes
from crm.data import exports as reports
from crm.data import spreadsheets
from crm.data.forms import (
    IMPORT_STATUS_TITLES,
    TARGET_GROUPS,
    CommitForm,
    DiscardForm,
    PracticeExportForm,
    ResponseExportForm,
    UploadForm,
    column_mapping_form,
    value_mapping_form,
)
from crm.data.imports import operations as import_operations
from crm.data.imports.issues import ImportFileError, ImportLimits, describe
from crm.data.imports.targets import TARGET_TITLES
from crm.data.models import ImportBatch
from crm.data.operations import record_export_now
from crm.readiness import wording
from crm.readiness.queries import availability_by_country, readiness_board

logger = logging.getLogger(__name__)
blueprint = Blueprint("data", __name__, url_prefix="/staff/data")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_PAGE_SIZE = 100
FORMATS = ("csv", "xlsx")


@blueprint.app_context_processor
def import_export_helpers() -> dict:
    """Template helpers; ``export_url`` lets the response and practice lists offer downloads
    of what they show."""
    return {
        "export_url": export_url,
        "describe": describe,
        "target_title": lambda key: TARGET_TITLES.get(key, key),
        "import_status": lambda status: IMPORT_STATUS_TITLES.get(status, status),
    }


def export_url(kind: str, file_format: str) -> str:
    """Download link of ``kind`` (responses, practices) carrying the filters of the current
    request's query (``status``, ``country``, ``language``, ``from``, ``to``; ``interest``)."""
    if kind == "responses":
        args = _response_filters().as_args()
    else:
        args = reports.PracticeFilters.from_args(request.args).as_args()
    return url_for(f"data.export_{kind}", file_format=file_format, **args)


def get_batch_or_404(batch_id: int) -> ImportBatch:
    """The import batch with this id; 404 when unknown."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        abort(404)
    return batch


def _next_step(batch: ImportBatch) -> ResponseReturnValue:
    step = {"uploaded": ".columns", "mapped": ".values"}.get(batch.status, ".preview")
    return redirect(url_for(step, batch_id=batch.id), code=303)


@blueprint.get("/")
@requires("staff")
def index() -> ResponseReturnValue:
    """Import and export: recent imports, and links to each export."""
    batches = db.session.scalars(
        select(ImportBatch)
        .options(load_only(ImportBatch.id, ImportBatch.filename, ImportBatch.status,
                           ImportBatch.reading, ImportBatch.result, ImportBatch.created_at))
        .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())
        .limit(20)
    ).all()  # fmt: skip
    return render_template("data/index.html", batches=batches)


@blueprint.route("/import", methods=["GET", "POST"])
@requires("staff")
def upload() -> ResponseReturnValue:
    """Step 1: upload a CSV/XLSX export; it is read and staged, nothing is imported yet."""
    form = UploadForm()
    if form.validate_on_submit():
        try:
            batch = import_operations.stage_import(
                form.file.data.filename or "",
                form.file.data.read(),
                header_rows=form.header_rows_value(),
                language=select_locale(),
                limits=ImportLimits.from_config(current_app.config),
                created_by_id=current_user.id,
                keep_days=current_app.config["IMPORT_KEEP_DAYS"],
            )
        except ImportFileError as error:
            form.file.errors.append(error.message)
        else:
            db.session.commit()
            return redirect(url_for(".columns", batch_id=batch.id), code=303)
    return render_template("data/upload.html", form=form), 422 if form.errors else 200


@blueprint.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """A file over MAX_CONTENT_LENGTH: the upload form again, with the limit, not a bare 413."""
    form = UploadForm(formdata=None)
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    form.file.errors = [describe({"code": "upload_too_large", "params": {"limit": limit}})]
    return render_template("data/upload.html", form=form), 413


@blueprint.route("/import/<int:batch_id>/columns", methods=["GET", "POST"])
@requires("staff")
def columns(batch_id: int) -> ResponseReturnValue:
    """Step 2: which column holds which answer (suggested from the headings)."""
    batch = get_batch_or_404(batch_id)
    if batch.status == "committed":
        return _next_step(batch)
    form = column_mapping_form(batch.columns, batch.mapping)
    if form.validate_on_submit():
        import_operations.map_columns(
            batch, form.mapping(), language=form.language.data, date_order=form.date_order.data
        )
        db.session.commit()
        return _next_step(batch)
    page = render_template(
        "data/columns.html",
        batch=batch,
        form=form,
        samples=_samples(batch),
        target_groups=TARGET_GROUPS,
    )
    return page, 422 if form.errors else 200


def _samples(batch: ImportBatch, count: int = 3) -> list[list[str]]:
    """Up to ``count`` non-blank values per column, to recognise what a column holds."""
    found: list[list[str]] = [[] for _column in batch.columns]
    for row in batch.rows[:200]:
        for position, cell in enumerate(row["cells"]):
            if cell.strip() and len(found[position]) < count and cell not in found[position]:
                found[position].append(cell[:60])
    return found


@blueprint.route("/import/<int:batch_id>/values", methods=["GET", "POST"])
@requires("staff")
def values(batch_id: int) -> ResponseReturnValue:
    """Step 3: which of our answers each answer of a closed question means."""
    batch = get_batch_or_404(batch_id)
    if batch.status in ("uploaded", "committed"):
        return _next_step(batch)
    questions = import_operations.closed_columns(batch)
    form = value_mapping_form(questions)
    if form.validate_on_submit():
        import_operations.map_values(batch, form.mapping(questions))
        db.session.commit()
        return _next_step(batch)
    page = render_template("data/values.html", batch=batch, form=form, questions=questions)
    return page, 422 if form.errors else 200


@blueprint.get("/import/<int:batch_id>")
@requires("staff")
def preview(batch_id: int) -> ResponseReturnValue:
    """Step 4: every row with its errors and practice match; the commit form. Once
    committed: what was stored."""
    batch = get_batch_or_404(batch_id)
    if batch.status in ("uploaded", "mapped"):
        return _next_step(batch)
    show = "all" if request.args.get("show") == "all" else "errors"
    rows = batch.preview.get("rows", [])
    if show == "errors":
        rows = [r for r in rows if r["errors"] or r["warnings"]]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    pages = max((len(rows) + PREVIEW_PAGE_SIZE - 1) // PREVIEW_PAGE_SIZE, 1)
    shown = rows[(page - 1) * PREVIEW_PAGE_SIZE : page * PREVIEW_PAGE_SIZE]
    return render_template(
        "data/preview.html",
        batch=batch,
        rows=shown,
        show=show,
        page=min(page, pages),
        pages=pages,
        form=CommitForm(),
        discard_form=DiscardForm(),
    )


@blueprint.post("/import/<int:batch_id>/commit")
@requires("staff")
def commit(batch_id: int) -> ResponseReturnValue:
    """Store the rows, all or nothing."""
    batch = get_batch_or_404(batch_id)
    form = CommitForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        counts = import_operations.commit_import(batch, skip_invalid=form.skip_invalid.data)
    except import_operations.ImportRefused as refused:
        db.session.rollback()
        flash(_refusal(refused), "error")
        return redirect(url_for(".preview", batch_id=batch_id), code=303)
    except import_operations.ImportStateError:
        db.session.rollback()
        flash(_("This import was already committed or is not ready."), "error")
        return redirect(url_for(".preview", batch_id=batch_id), code=303)
    except SQLAlchemyError as error:
        db.session.rollback()
        logger.error("import %s failed: %s", batch_id, without_values(error))
        flash(_("The import failed and nothing was stored. Please try again."), "error")
        return redirect(url_for(".preview", batch_id=batch_id), code=303)
    db.session.commit()
    message = ngettext(
        "Imported %(num)d response.", "Imported %(num)d responses.", counts["imported"]
    )
    flash(message, "success")
    return redirect(url_for(".preview", batch_id=batch_id), code=303)


def _refusal(refused: import_operations.ImportRefused) -> str:
    if refused.invalid == refused.total:
        return _("No row can be imported: every row has errors. Nothing was stored.")
    return _(
        "%(invalid)s of %(total)s rows have errors. Nothing was stored: correct the file or "
        "the mapping, or choose to skip the rows with errors.",
        invalid=refused.invalid,
        total=refused.total,
    )


@blueprint.post("/import/<int:batch_id>/discard")
@requires("staff")
def discard(batch_id: int) -> ResponseReturnValue:
    """Delete a staged import that was not committed."""
    batch = get_batch_or_404(batch_id)
    if not DiscardForm().validate_on_submit() or batch.status == "committed":
        abort(400)
    import_operations.discard_import(batch)
    db.session.commit()
    flash(_("The uploaded file was discarded."), "success")
    return redirect(url_for(".index"), code=303)


@blueprint.get("/export/responses")
@requires("staff")
def responses_export() -> ResponseReturnValue:
    """The response export: filters (as on the response list) and download links."""
    form = ResponseExportForm(formdata=request.args)
    if request.args:
        form.validate()  # shows what the export ignores, e.g. a date out of the calendar
    filters = _response_filters()
    count = reports.count_responses(filters)
    return render_template(
        "data/export.html", kind="responses", form=form, args=filters.as_args(), count=count
    )


@blueprint.get("/export/practices")
@requires("staff")
def practices_export() -> ResponseReturnValue:
    """The practice export: filters (as on the practice list) and download links."""
    form = PracticeExportForm(formdata=request.args)
    filters = reports.PracticeFilters.from_args(request.args)
    count = reports.count_practices(filters)
    return render_template(
        "data/export.html", kind="practices", form=form, args=filters.as_args(), count=count
    )


@blueprint.get("/export/responses.<file_format>")
@requires("staff")
def export_responses(file_format: str) -> ResponseReturnValue:
    """Download the responses the filters select (personal data: staff only, audited)."""
    if file_format not in FORMATS:
        abort(404)
    filters = _response_filters()
    record_export_now("responses", file_format, filters.as_args(), reports.count_responses(filters))
    frames = reports.response_frames(filters, chunk_size=_chunk_size())
    return _download("responses", file_format, reports.RESPONSE_COLUMNS, frames)


@blueprint.get("/export/practices.<file_format>")
@requires("staff")
def export_practices(file_format: str) -> ResponseReturnValue:
    """Download the practices the filters select (staff only, audited)."""
    if file_format not in FORMATS:
        abort(404)
    filters = reports.PracticeFilters.from_args(request.args)
    record_export_now("practices", file_format, filters.as_args(), reports.count_practices(filters))
    frames = reports.practice_frames(filters, chunk_size=_chunk_size())
    return _download("practices", file_format, reports.PRACTICE_COLUMNS, frames)


def _response_filters() -> reports.ResponseFilters:
    return reports.ResponseFilters.from_args(
        request.args, timezone=current_app.config["ORG_TIMEZONE"]
    )


def _chunk_size() -> int:
    return current_app.config.get("EXPORT_CHUNK_SIZE", reports.DEFAULT_CHUNK_SIZE)


def _download(name: str, file_format: str, columns, frames) -> Response:
    today = datetime.now(ZoneInfo(current_app.config["ORG_TIMEZONE"])).date().isoformat()
    filename = f"{name}-{today}.{file_format}"
    if file_format == "csv":
        return Response(
            stream_with_context(spreadsheets.csv_stream(columns, frames)),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    # xlsxwriter assembles the zip at the end: a temporary file keeps memory bounded.
    target = tempfile.TemporaryFile()  # noqa: SIM115 - send_file closes it after sending
    spreadsheets.write_xlsx(columns, frames, target, sheet_name=name)
    target.seek(0)
    return send_file(target, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename)


@blueprint.get("/export/pipeline.<file_format>")
@requires("viewer")
def export_pipeline(file_format: str) -> ResponseReturnValue:
    """Download the country pipeline with readiness (aggregates: viewers too,
    docs/domain.md#roles); the country list's filters (region, program, availability,
    readiness) select the countries."""
    if file_format not in FORMATS:
        abort(404)
    chosen = chosen_country_codes(CountryFilterForm.from_query(request.args).filters())
    rows = [wording.as_dict(r, gettext) for r in readiness_board()]
    availability = availability_by_country()
    frame = reports.pipeline_frame(rows, availability, locale=select_locale(), countries=chosen)
    return _download("pipeline", file_format, reports.PIPELINE_COLUMNS, [frame])
