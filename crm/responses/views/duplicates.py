"""Duplicate practices already in the CRM: the scan, merging a pair, "not the same"
(docs/domain.md#merges). Staff only."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from crm.core import pagination
from crm.core.access import staff_required
from crm.core.extensions import db
from crm.core.forms import select_choices
from crm.core.i18n import sorted_countries
from crm.core.redirects import local_path
from crm.responses import duplicates, merging
from crm.responses import queries as listing
from crm.responses.forms import DuplicateScanForm, MergeForm, NotSameForm
from crm.responses.models import Practice
from crm.responses.reasons import sentences

blueprint = Blueprint("duplicates", __name__, url_prefix="/staff/practices")
#: Pairs shown on the scan's page, best first.
SHOWN = 100


@blueprint.get("/duplicates")
@staff_required
def index():
    """Pairs of practices of one country likely the same, best first, with their reasons."""
    form = DuplicateScanForm(request.args)
    form.country.choices = select_choices(
        [("", _("Choose a country")), *sorted_countries(listing.practice_countries())]
    )
    pairs = []
    if request.args and form.validate() and form.country.data:
        pairs = duplicates.scan_country(form.country.data)
    return render_template(
        "responses/duplicates/index.html",
        form=form,
        pairs=pairs[:SHOWN],
        total=len(pairs),
        explain=sentences,
        merge_form=MergeForm(formdata=None),
        not_same_form=NotSameForm(formdata=None),
    )


@blueprint.get("/<int:practice_id>/merge")
@staff_required
def confirm_merge(practice_id: int):
    """Ask before merging: "Merge X into Y?", what moves and what the one that stays then
    holds, with Confirm (a form, no script needed) and Cancel (back where the staff came from)."""
    source = pagination.get_row_or_404(Practice, practice_id)
    form = MergeForm(request.args, meta={"csrf": False})
    back = local_path(form.next.data, url_for("practices.detail", practice_id=practice_id))
    target = pagination.get_row(Practice, form.into.data) if form.validate() else None
    if target is None or target.id == source.id:
        flash(_("Choose the practice that stays."), "error")
        return redirect(back, 303)
    try:
        merging.require_same_country(source, target)
    except merging.MergeRefused as error:
        flash(str(error), "error")
        return redirect(back, 303)
    moving, staying = merging.holdings(source.id), merging.holdings(target.id)
    return render_template(
        "responses/duplicates/confirm.html",
        source=source,
        target=target,
        moving=moving,
        after=moving + staying,
        form=MergeForm(formdata=None, into=target.id, next=back, confirmed="1"),
        back=back,
    )


@blueprint.post("/<int:practice_id>/merge")
@staff_required
def merge(practice_id: int):
    """Merge this practice into the one chosen to stay, once confirmed (else the confirmation
    page first); then show the one that stayed."""
    source = pagination.get_row_or_404(Practice, practice_id)
    form = MergeForm()
    back = local_path(form.next.data, url_for("practices.detail", practice_id=practice_id))
    if not form.validate():
        flash(_("Choose the practice that stays."), "error")
        return redirect(back, 303)
    if form.confirmed.data != "1":
        return redirect(url_for("duplicates.confirm_merge", practice_id=practice_id,
                                into=form.into.data, next=back), 303)  # fmt: skip
    target = pagination.get_row(Practice, form.into.data)
    try:
        if target is None:
            raise merging.MergeRefused(_("That practice no longer exists."))
        merging.merge_practices(source, target)
    except merging.MergeRefused as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back, 303)
    db.session.commit()
    flash(_("Practice merged into %(practice)s.", practice=target.name), "success")
    return redirect(url_for("practices.detail", practice_id=target.id), 303)


@blueprint.post("/duplicates/not-the-same")
@staff_required
def not_same():
    """Remember that two practices are not the same: the scan leaves the pair out for good."""
    form = NotSameForm()
    if not form.validate():
        abort(400)
    first = pagination.get_row_or_404(Practice, form.first.data)
    second = pagination.get_row_or_404(Practice, form.second.data)
    try:
        merging.mark_not_same(first, second)
    except merging.MergeRefused as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Kept apart: this pair will not be suggested again."), "success")
    default = url_for("duplicates.index", country=first.country_code)
    return redirect(local_path(form.next.data, default), 303)
