"""The response inbox: new responses, suggested duplicates side by side, triage
(docs/architecture.md#packages)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm.core import pagination
from crm.core.access import staff_required
from crm.core.columns import utcnow
from crm.core.extensions import db
from crm.core.forms import select_choices
from crm.core.i18n import sorted_countries
from crm.responses import operations as triage
from crm.responses import queries as listing
from crm.responses.answers import answer_rows
from crm.responses.forms import (
    ALL,
    DuplicateForm,
    InboxFilterForm,
    LinkResponseForm,
    PracticeSearchForm,
    TriageActionForm,
)
from crm.responses.models import Practice, SurveyResponse

blueprint = Blueprint("inbox", __name__, url_prefix="/staff/responses")
#: The worker files responses within seconds; a response waiting longer means it is not running.
WORKER_STALLED_AFTER = timedelta(minutes=5)


@blueprint.get("")
@staff_required
def index():
    """Responses filtered by triage status (default: new), country, language and suggestion."""
    filters = InboxFilterForm(request.args)
    filters.country.choices = select_choices(
        [("", _("All countries")), *sorted_countries(listing.response_countries())]
    )
    valid = filters.validate() if request.args else True
    status = filters.status.data if valid and filters.status.data else "new"
    statement = listing.query_responses(
        status=None if status == ALL else status,
        country_code=(filters.country.data or None) if valid else None,
        language=(filters.language.data or None) if valid else None,
        with_suggestion=bool(valid and filters.suggested.data),
    )
    page = pagination.paginate(statement, pagination.page_number(request.args.get("page")))
    waiting = listing.waiting_responses()
    stalled = waiting.oldest is not None and utcnow() - waiting.oldest > WORKER_STALLED_AFTER
    return render_template(
        "responses/inbox/index.html",
        filters=filters,
        page=page,
        status=status,
        waiting=waiting,
        stalled=stalled,
    )


def _response_or_404(response_id: int) -> SurveyResponse:
    return pagination.get_row_or_404(SurveyResponse, response_id)


def _render_detail(response: SurveyResponse, link_form: LinkResponseForm | None = None, code=200):
    search = PracticeSearchForm(request.args)
    if link_form is not None and link_form.q.data:
        search.q.data = link_form.q.data
    candidates = []
    if search.validate() and search.q.data:
        candidates = listing.search_practices(
            response.country_code, search.q.data, exclude_id=response.practice_id
        )
    shown = [p for p in (response.practice, response.suggested_practice) if p is not None]
    return render_template(
        "responses/inbox/detail.html",
        response=response,
        answers=answer_rows(response.answers),
        counts=listing.response_counts([p.id for p in shown]),
        search=search,
        candidates=candidates,
        link_form=link_form or LinkResponseForm(formdata=None),
        action_form=TriageActionForm(),
        duplicate_form=DuplicateForm(),
    ), code


@blueprint.get("/<int:response_id>")
@staff_required
def detail(response_id: int):
    """One response: raw answers, its practice beside the suggested one, triage buttons."""
    return _render_detail(_response_or_404(response_id))


@blueprint.post("/<int:response_id>/link")
@staff_required
def link(response_id: int):
    """File the response under a practice chosen from the search (same country)."""
    response = _response_or_404(response_id)
    form = LinkResponseForm()
    if form.validate():
        practice = pagination.get_row(Practice, form.practice_id.data)
        try:
            if practice is None:
                raise triage.TriageError(_("That practice no longer exists. Search again."))
            triage.link_response(response, practice)
        except triage.TriageError as error:
            form.practice_id.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Response linked to %(practice)s.", practice=practice.name), "success")
            return redirect(url_for("inbox.detail", response_id=response.id), 303)
    db.session.rollback()
    return _render_detail(response, link_form=form, code=400)


def _merge(response: SurveyResponse) -> None:
    if response.suggested_practice is None or response.practice is None:
        raise triage.TriageError(_("This response has no suggested practice."))
    triage.merge_practices(response.practice, response.suggested_practice)


def _duplicate(response: SurveyResponse) -> None:
    form = DuplicateForm()
    of_practice = None
    if form.of_practice_id.data:
        # str.isdigit() admits "²", which int() refuses: only ASCII digits are an id.
        if not (form.of_practice_id.data.isascii() and form.of_practice_id.data.isdigit()):
            abort(400)
        of_practice = pagination.get_row_or_404(Practice, int(form.of_practice_id.data))
    triage.mark_duplicate(response, of_practice)


#: Button → (operation on the response, message flashed after it).
ACTIONS: dict[str, tuple[Callable[[SurveyResponse], object], str]] = {
    "merge": (_merge, _l("The two practices were merged.")),
    "dismiss": (triage.dismiss_suggestion, _l("Kept as a separate practice.")),
    "duplicate": (_duplicate, _l("Response marked as a duplicate; it no longer counts.")),
    "spam": (triage.mark_spam, _l("Response marked as spam; it no longer counts.")),
    "restore": (triage.restore, _l("Response restored.")),
}


@blueprint.post("/<int:response_id>/<action>")
@staff_required
def act(response_id: int, action: str):
    """Run one triage button (merge, dismiss, duplicate, spam, restore) and come back."""
    if action not in ACTIONS:
        abort(404)
    response = _response_or_404(response_id)
    if not TriageActionForm().validate():
        abort(400)
    operation, message = ACTIONS[action]
    try:
        operation(response)
    except triage.TriageError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(str(message), "success")
    return redirect(url_for("inbox.detail", response_id=response_id), 303)
