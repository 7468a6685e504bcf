"""The import wizard (docs/architecture.md#data), blueprint ``data.imports`` under
``/staff/data/import``: upload → columns → values → preview → commit, each step stored in
``import_batches`` so any process can serve the next.
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge

from crm.core.access import requires
from crm.core.errors import without_values
from crm.core.extensions import db
from crm.core.i18n import select_locale
from crm.data.forms import (
    IMPORT_STATUS_TITLES,
    TARGET_GROUPS,
    CommitForm,
    DiscardForm,
    UploadForm,
    column_mapping_form,
    value_mapping_form,
)
from crm.data.imports import operations as import_operations
from crm.data.imports.issues import ImportFileError, ImportLimits, describe
from crm.data.imports.targets import TARGET_TITLES
from crm.data.models import ImportBatch

logger = logging.getLogger(__name__)
blueprint = Blueprint("imports", __name__, url_prefix="/import")

PREVIEW_PAGE_SIZE = 100


@blueprint.app_context_processor
def import_helpers() -> dict:
    """Template helpers of the import pages: issues in words, answer titles, step titles."""
    return {
        "describe": describe,
        "target_title": lambda key: TARGET_TITLES.get(key, key),
        "import_status": lambda status: IMPORT_STATUS_TITLES.get(status, status),
    }


def get_batch_or_404(batch_id: int) -> ImportBatch:
    """The import batch with this id; 404 when unknown."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        abort(404)
    return batch


def _next_step(batch: ImportBatch) -> ResponseReturnValue:
    step = {"uploaded": ".columns", "mapped": ".values"}.get(batch.status, ".preview")
    return redirect(url_for(step, batch_id=batch.id), code=303)


@blueprint.route("", methods=["GET", "POST"])
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


@blueprint.route("/<int:batch_id>/columns", methods=["GET", "POST"])
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


@blueprint.route("/<int:batch_id>/values", methods=["GET", "POST"])
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


@blueprint.get("/<int:batch_id>")
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


@blueprint.post("/<int:batch_id>/commit")
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


@blueprint.post("/<int:batch_id>/discard")
@requires("staff")
def discard(batch_id: int) -> ResponseReturnValue:
    """Delete a staged import that was not committed."""
    batch = get_batch_or_404(batch_id)
    if not DiscardForm().validate_on_submit() or batch.status == "committed":
        abort(400)
    import_operations.discard_import(batch)
    db.session.commit()
    flash(_("The uploaded file was discarded."), "success")
    return redirect(url_for("data.index"), code=303)
