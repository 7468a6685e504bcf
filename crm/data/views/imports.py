"""The import wizard (docs/domain.md#imports), blueprint ``data.imports`` under
``/staff/data/import``: upload → columns → answers → preview → commit, then undo for
``IMPORT_UNDO_DAYS``. Each step is stored in ``import_batches`` and ``import_rows`` so any
process can serve the next; checking and committing a large file run a chunk at a time with
their progress on the preview page.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

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
from flask_babel import format_decimal, format_timedelta, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from crm.core import pagination
from crm.core.access import requires
from crm.core.extensions import db
from crm.core.i18n import select_locale
from crm.data.forms.imports import (
    IMPORT_STATUS_TITLES,
    TARGET_GROUPS,
    CommitForm,
    ConfirmForm,
    TemplateForm,
    UploadForm,
    column_mapping_form,
    option_field_name,
    value_mapping_form,
)
from crm.data.imports import checking, committing, jobs, templates, undoing
from crm.data.imports import operations as import_operations
from crm.data.imports.issues import ImportFileError, ImportLimits, describe
from crm.data.imports.targets import TARGET_CHOICES, TARGET_TITLES, TARGETS
from crm.data.models import WORKING_STATUSES, ImportBatch

logger = logging.getLogger(__name__)
blueprint = Blueprint("imports", __name__, url_prefix="/import")

PREVIEW_PAGE_SIZE = 100
#: Largest upload of an import (``IMPORT_MAX_BYTES``); other requests keep
#: ``MAX_CONTENT_LENGTH``.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024


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


def _limits() -> ImportLimits:
    config = current_app.config
    return ImportLimits.from_config({**config, "MAX_CONTENT_LENGTH": _max_bytes()})


def _max_bytes() -> int:
    return current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


@blueprint.route("", methods=["GET", "POST"])
@requires("staff")
def upload() -> ResponseReturnValue:
    """Step 1: upload a CSV/XLSX export; it is read and staged, nothing is imported yet. A
    template saved for files with the same headings is proposed at once."""
    request.max_content_length = _max_bytes()
    form = UploadForm()
    if form.validate_on_submit():
        try:
            batch = import_operations.stage_import(
                form.file.data.filename or "",
                form.file.data.read(),
                header_rows=form.header_rows_value(),
                language=select_locale(),
                limits=_limits(),
                created_by_id=current_user.id,
                keep_days=current_app.config["IMPORT_KEEP_DAYS"],
            )
        except ImportFileError as error:
            if error.issue.code == "too_large":
                return upload_too_large(RequestEntityTooLarge())
            form.file.errors.append(error.message)
        else:
            db.session.commit()
            return redirect(url_for(".columns", batch_id=batch.id), code=303)
    return render_template("data/upload.html", form=form), 422 if form.errors else 200


@blueprint.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """A file over the limit: the upload form again, with the limit, not a bare 413."""
    form = UploadForm(formdata=None)
    form.file.errors = [describe({"code": "upload_too_large", "params": {"limit": _max_bytes()}})]
    return render_template("data/upload.html", form=form), 413


@blueprint.route("/<int:batch_id>/columns", methods=["GET", "POST"])
@requires("staff")
def columns(batch_id: int) -> ResponseReturnValue:
    """Step 2: which column holds which answer, or the same value for every row, or one
    column per option (suggested from the headings, or a saved template)."""
    batch = get_batch_or_404(batch_id)
    if batch.status in (*WORKING_STATUSES, "committed", "undone"):
        return _next_step(batch)
    form = column_mapping_form(batch.columns, batch.mapping)
    if form.validate_on_submit():
        try:
            values_step = import_operations.map_columns(
                batch, form.mapping(), options=form.options(), fixed=form.fixed(),
                language=form.language.data, date_order=form.date_order.data,
            )  # fmt: skip
        except import_operations.MappingError as error:
            _mapping_refused(form, error)
        else:
            return _after_mapping(batch, values_step)
    page = render_template(
        "data/columns.html",
        batch=batch,
        form=form,
        samples=_samples(batch),
        target_groups=TARGET_GROUPS,
        targets=TARGETS,
        option_fields={
            key: [option_field_name(key, code) for code in TARGET_CHOICES[key]]
            for key, kind in TARGETS.items()
            if kind == "multi"
        },
    )
    return page, 422 if form.errors else 200


def _mapping_refused(form: Any, error: import_operations.MappingError) -> None:
    """A mapping the operation refused after the form's own checks: said above the form."""
    db.session.rollback()
    what = TARGET_TITLES.get(error.field or "", _("the mapping"))
    form.form_errors.append(
        _("“%(what)s” cannot be mapped this way: check the columns and values chosen.", what=what)
    )


def _after_mapping(batch: ImportBatch, values_step: bool) -> ResponseReturnValue:
    """The answers step next, or the rows checked (in this request or in the background)."""
    if values_step:
        db.session.commit()
        return redirect(url_for(".values", batch_id=batch.id), code=303)
    checking.start_check(batch)
    db.session.commit()
    jobs.launch(batch, "check")
    return redirect(url_for(".preview", batch_id=batch.id), code=303)


def _samples(batch: ImportBatch, count: int = 3) -> list[list[str]]:
    """Up to ``count`` non-blank values per column, to recognise what a column holds."""
    found: list[list[str]] = [[] for _column in batch.columns]
    for index, cells in enumerate(import_operations.batch_cells(batch)):
        if index >= 200:
            break
        for position, cell in enumerate(cells[: len(found)]):
            if cell.strip() and len(found[position]) < count and cell[:60] not in found[position]:
                found[position].append(cell[:60])
    return found


@blueprint.route("/<int:batch_id>/values", methods=["GET", "POST"])
@requires("staff")
def values(batch_id: int) -> ResponseReturnValue:
    """Step 3: which of our answers each answer of a closed question means, and which number
    each number typed in words means (suggested, editable)."""
    batch = get_batch_or_404(batch_id)
    if batch.status != "mapped" and batch.status != "previewed":
        return _next_step(batch)
    questions = import_operations.value_questions(batch)
    form = value_mapping_form(questions)
    if form.validate_on_submit():
        try:
            import_operations.map_values(batch, form.mapping(questions))
        except import_operations.MappingError as error:
            _mapping_refused(form, error)
        else:
            return _after_mapping(batch, False)
    page = render_template("data/values.html", batch=batch, form=form, questions=questions)
    return page, 422 if form.errors else 200


@blueprint.get("/<int:batch_id>")
@requires("staff")
def preview(batch_id: int) -> ResponseReturnValue:
    """Step 4: every row with its errors, notices and practice match; the commit form; the
    progress while rows are checked or committed. Once committed: what was stored, and undo."""
    batch = get_batch_or_404(batch_id)
    if batch.status in ("uploaded", "mapped"):
        return _next_step(batch)
    show = "all" if request.args.get("show") == "all" else "notable"
    # A page past the last shows nothing rather than asking the database for an offset no
    # integer column holds.
    page = min(
        pagination.page_number(request.args.get("page")), pagination.MAX_ID // PREVIEW_PAGE_SIZE
    )
    rows, total = ([], 0)
    if batch.status == "previewed":
        rows, total = checking.preview_rows(
            batch, only_notable=show == "notable", page=page, per_page=PREVIEW_PAGE_SIZE
        )
    days = _undo_days()
    return render_template(
        "data/preview.html",
        batch=batch,
        rows=rows,
        show=show,
        page=page,
        pages=max((total + PREVIEW_PAGE_SIZE - 1) // PREVIEW_PAGE_SIZE, 1),
        form=CommitForm(),
        confirm_form=ConfirmForm(),
        template_form=TemplateForm(),
        stalled=jobs.stalled(batch),
        progress_text=_progress_text(batch),
        can_undo=undoing.can_undo(batch, days),
        undo_until=undoing.undo_until(batch, days),
    )


@blueprint.get("/<int:batch_id>/progress")
@requires("staff")
def progress(batch_id: int) -> ResponseReturnValue:
    """How far checking or committing has got, for the preview page's progress bar."""
    batch = get_batch_or_404(batch_id)
    done, total = batch.progress.get("done", 0), batch.progress.get("total", 0)
    return {"status": batch.status, "done": done, "total": total, "text": _progress_text(batch)}


#: Below this, no time left is shown: the page is about to change.
TIME_LEFT_SHOWN_FROM = timedelta(seconds=5)


def _progress_text(batch: ImportBatch) -> str:
    """The progress line, "1,000 of 20,000 rows", with the time left once the pace of the rows
    is known (in the reader's language)."""
    done, total = batch.progress.get("done", 0), batch.progress.get("total", 0)
    numbers = {"done": format_decimal(done), "total": format_decimal(total)}
    left = jobs.time_left(batch.progress, datetime.now(UTC))
    if left is None or left < TIME_LEFT_SHOWN_FROM:
        return _("%(done)s of %(total)s rows", **numbers)
    return _(
        "%(done)s of %(total)s rows, about %(left)s left",
        left=format_timedelta(left, add_direction=False),
        **numbers,
    )


@blueprint.post("/<int:batch_id>/commit")
@requires("staff")
def commit(batch_id: int) -> ResponseReturnValue:
    """Store the rows, all or nothing (a chunk at a time; a failure is taken back)."""
    batch = get_batch_or_404(batch_id)
    form = CommitForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        committing.start_commit(batch, skip_invalid=form.skip_invalid.data)
    except committing.ImportRefused as refused:
        db.session.rollback()
        flash(_refusal(refused), "error")
        return redirect(url_for(".preview", batch_id=batch_id), code=303)
    except import_operations.ImportStateError:
        db.session.rollback()
        flash(_("This import was already committed or is not ready."), "error")
        return redirect(url_for(".preview", batch_id=batch_id), code=303)
    db.session.commit()
    jobs.launch(batch, "commit")
    db.session.refresh(batch)
    if batch.status == "committed":
        imported = batch.result.get("imported", 0)
        flash(
            ngettext("Imported %(num)d response.", "Imported %(num)d responses.", imported),
            "success",
        )
    elif batch.progress.get("error"):
        flash(_("The import failed and nothing was stored. Please try again."), "error")
    return redirect(url_for(".preview", batch_id=batch_id), code=303)


def _refusal(refused: committing.ImportRefused) -> str:
    if refused.invalid == refused.total:
        return _("No row can be imported: every row has errors. Nothing was stored.")
    if not refused.invalid:
        return _("No row can be imported: every row was imported before. Nothing was stored.")
    return _(
        "%(invalid)s of %(total)s rows have errors. Nothing was stored: correct the file or "
        "the mapping, or choose to skip the rows with errors.",
        invalid=refused.invalid,
        total=refused.total,
    )


@blueprint.post("/<int:batch_id>/continue")
@requires("staff")
def resume(batch_id: int) -> ResponseReturnValue:
    """Take up a check or a commit whose work stopped (the process restarted)."""
    batch = get_batch_or_404(batch_id)
    if not ConfirmForm().validate_on_submit() or not jobs.stalled(batch):
        return redirect(url_for(".preview", batch_id=batch_id), code=303)
    jobs.launch(batch, "check" if batch.status == "checking" else "commit")
    return redirect(url_for(".preview", batch_id=batch_id), code=303)


@blueprint.post("/<int:batch_id>/template")
@requires("staff")
def save_template(batch_id: int) -> ResponseReturnValue:
    """Save the mapping as a template proposed for the next file with the same headings."""
    batch = get_batch_or_404(batch_id)
    form = TemplateForm()
    if form.validate_on_submit():
        template = templates.save_template(batch, form.name.data, created_by_id=current_user.id)
        db.session.commit()
        flash(_("Mapping saved as the template “%(name)s”.", name=template.name), "success")
    else:
        flash(" ".join(form.name.errors) or _("Give the template a name."), "error")
    return redirect(url_for(".preview", batch_id=batch_id), code=303)


def _undo_days() -> int:
    return current_app.config.get("IMPORT_UNDO_DAYS", undoing.DEFAULT_UNDO_DAYS)


@blueprint.post("/<int:batch_id>/undo")
@requires("staff")
def undo(batch_id: int) -> ResponseReturnValue:
    """Take back a committed import (within its undo period), leaving what staff changed."""
    batch = get_batch_or_404(batch_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result = undoing.undo_import(batch, days=_undo_days())
    except import_operations.ImportStateError:
        db.session.rollback()
        flash(_("This import can no longer be undone."), "error")
        return redirect(url_for(".preview", batch_id=batch_id), code=303)
    db.session.commit()
    flash(_("The import was undone."), "success")
    if result["kept"]:
        flash(
            _(
                "Some records were changed by staff since the import and were left as they "
                "are: they are listed below."
            ),
            "warning",
        )
    return redirect(url_for(".preview", batch_id=batch_id), code=303)


@blueprint.post("/<int:batch_id>/discard")
@requires("staff")
def discard(batch_id: int) -> ResponseReturnValue:
    """Delete a staged import that was not committed."""
    batch = get_batch_or_404(batch_id)
    if not ConfirmForm().validate_on_submit() or batch.status in (
        *WORKING_STATUSES,
        "committed",
        "undone",
    ):
        abort(400)
    import_operations.discard_import(batch)
    db.session.commit()
    flash(_("The uploaded file was discarded."), "success")
    return redirect(url_for("data.index"), code=303)
