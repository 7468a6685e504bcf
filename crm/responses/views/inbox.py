"""The response inbox: search, filters and sort, bulk triage, one response beside its suggested
practice, and after each triage action the next response of the same list
(docs/architecture.md#packages, docs/domain.md#inbox)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from crm.accounts.people import display_name, names_by_id
from crm.activities.queries import staff_members
from crm.core import pagination
from crm.core.access import staff_required
from crm.core.clock import org_day_start
from crm.core.columns import utcnow
from crm.core.extensions import db
from crm.core.forms import select_choices
from crm.core.i18n import sorted_countries
from crm.responses import operations as triage
from crm.responses import queries as listing
from crm.responses import spam
from crm.responses.answers import answer_rows, compare_with_practice
from crm.responses.forms import (
    ALL,
    BulkForm,
    DuplicateForm,
    InboxFilterForm,
    LinkResponseForm,
    PracticeSearchForm,
    TriageActionForm,
)
from crm.responses.matching import answers_facts, practices_facts
from crm.responses.merging import MergeRefused
from crm.responses.models import Practice, SurveyResponse
from crm.responses.reasons import sentences
from crm.responses.similarity import compare

blueprint = Blueprint("inbox", __name__, url_prefix="/staff/responses")
#: The worker files responses within seconds; a response waiting longer means it is not running.
WORKER_STALLED_AFTER = timedelta(minutes=5)
#: Query arguments that are not the list's filters.
NOT_FILTERS = frozenset({"page", "view", "select"})
#: The inbox with no query, spelled out: a response opened from it carries this, so triage
#: opens the next response of the default filter and sort too (docs/domain.md#inbox).
DEFAULT_LIST = "status=new&sort=-submitted"


def list_filters(args: MultiDict) -> tuple[InboxFilterForm, listing.InboxFilters]:
    """The inbox's filter form read from ``args`` (its choices set) and what it selects; an
    invalid filter is shown next to its field and ignored."""
    form = InboxFilterForm(args)
    form.country.choices = select_choices(
        [("", _("All countries")), *sorted_countries(listing.response_countries())]
    )
    form.assigned.choices = select_choices(
        [("", _("Anyone or nobody")), ("me", _("Me")), ("none", _("Nobody"))]
        + [(str(u.id), display_name(u)) for u in staff_members()]
    )
    valid = form.validate() if args else True
    if not valid:
        return form, listing.InboxFilters()
    status = form.status.data or "new"
    assigned = form.assigned.data or ""
    day_to = form.received_to.data
    return form, listing.InboxFilters(
        status=None if status == ALL else status,
        country_code=form.country.data or None,
        language=form.language.data or None,
        with_suggestion=bool(form.suggested.data),
        likely_spam=bool(form.likely_spam.data),
        text=form.q.data or None,
        received_from=org_day_start(form.received_from.data) if form.received_from.data else None,
        received_before=org_day_start(day_to + timedelta(days=1)) if day_to else None,
        assigned_to=current_user.id if assigned == "me" else (
            int(assigned) if assigned.isdigit() else None),
        unassigned=assigned == "none",
        sort=form.sort.data or "-submitted",
    )  # fmt: skip


def list_query(args: MultiDict) -> str:
    """The list's query string, without the page: what a response opened from it carries."""
    return urlencode([(k, v) for k, v in args.items(multi=True) if k not in NOT_FILTERS])


def opened_list(args: MultiDict) -> str:
    """The list a response opened from the inbox at ``args`` belongs to: its query string,
    or :data:`DEFAULT_LIST` for the inbox with no filters (never empty)."""
    return list_query(args) or DEFAULT_LIST


def _from_list(value: str | None) -> str:
    """The list a response page was opened from: none when ``value`` is None (opened from
    elsewhere); the default list when it is present but empty (a link from the plain inbox)."""
    if value is None:
        return ""
    return value or DEFAULT_LIST


def _args_of(query: str | None) -> MultiDict:
    return MultiDict(parse_qsl(query or "", keep_blank_values=True))


def _assignees() -> list:
    return select_choices([("", _("Nobody"))] + [(str(u.id), display_name(u))
                                                  for u in staff_members()])  # fmt: skip


@blueprint.get("")
@staff_required
def index():
    """Responses by the list's search, filters and sort (default: new, newest first)."""
    form, filters = list_filters(request.args)
    statement = listing.query_responses(filters)
    page = pagination.paginate(statement, pagination.page_number(request.args.get("page")))
    waiting = listing.waiting_responses()
    stalled = waiting.oldest is not None and utcnow() - waiting.oldest > WORKER_STALLED_AFTER
    bulk = BulkForm(formdata=None, list=list_query(request.args))
    bulk.assignee.choices = _assignees()
    return render_template(
        "responses/inbox/index.html",
        filters=form,
        page=page,
        sort=filters.sort,
        list_args=opened_list(request.args),
        all_selected=request.args.get("select") == "page",
        selection_urls=_selection_urls(),
        bulk=bulk,
        assignees=dict(listing_names(page.items)),
        waiting=waiting,
        stalled=stalled,
        spam_reasons=lambda r: sentences(spam.from_json(r.spam_signals)),
    )


def _selection_urls() -> dict[str, str]:
    """The same page with every response selected, and without the selection (a link each:
    no script needed to select a whole page for a bulk action)."""
    args = {k: v for k, v in request.args.to_dict(flat=False).items() if k != "select"}
    return {"all": url_for("inbox.index", **args, select="page"),
            "none": url_for("inbox.index", **args)}  # fmt: skip


def listing_names(responses: list[SurveyResponse]) -> dict[int, str]:
    """Assignee id → display name for the responses shown."""
    return names_by_id({r.assigned_to_id for r in responses})


def _response_or_404(response_id: int) -> SurveyResponse:
    return pagination.get_row_or_404(SurveyResponse, response_id)


def _suggestion(response: SurveyResponse) -> dict | None:
    """The suggested practice beside the response: the reasons and the compared fields."""
    practice = response.suggested_practice
    if practice is None:
        return None
    facts = practices_facts([practice])[practice.id]
    alike = compare(answers_facts(response.answers), facts)
    return {
        "reasons": sentences(alike.reasons),
        "rows": compare_with_practice(response.answers, facts),
    }


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
    from_list = _from_list(request.args.get("list"))
    next_id = listing.next_in_list(list_filters(_args_of(from_list))[1], response.id)
    return render_template(
        "responses/inbox/detail.html",
        response=response,
        answers=answer_rows(response.answers),
        counts=listing.response_counts([p.id for p in shown]),
        suggestion=_suggestion(response),
        spam_reasons=sentences(spam.from_json(response.spam_signals)),
        search=search,
        candidates=candidates,
        link_form=link_form or LinkResponseForm(formdata=None),
        action_form=TriageActionForm(formdata=None, list=from_list),
        duplicate_form=DuplicateForm(),
        from_list=from_list,
        next_id=next_id,
        assigned_name=names_by_id([response.assigned_to_id]).get(response.assigned_to_id, ""),
    ), code


@blueprint.get("/<int:response_id>")
@staff_required
def detail(response_id: int):
    """One response: its answers, its practice beside the suggested one with what differs,
    the triage buttons each explained, and the next response of the list it was opened from."""
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
        except MergeRefused as error:
            form.practice_id.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Response linked to %(practice)s.", practice=practice.name), "success")
            return redirect(url_for("inbox.detail", response_id=response.id), 303)
    db.session.rollback()
    return _render_detail(response, link_form=form, code=400)


@blueprint.post("/<int:response_id>/merge")
@staff_required
def merge(response_id: int):
    """The merge button. A merge cannot be undone: it opens the page that asks first and
    lists what moves, as the scan for duplicates does (docs/domain.md#merges); Cancel comes
    back to this response. (A route of its own: a fixed segment wins over ``act``'s.)"""
    response = _response_or_404(response_id)
    form = TriageActionForm()
    if not form.validate():
        abort(400)
    back = url_for("inbox.detail", response_id=response.id, list=form.list.data or None)
    if response.suggested_practice_id is None or response.practice_id is None:
        flash(_("This response has no suggested practice."), "error")
        return redirect(back, 303)
    return redirect(url_for("duplicates.confirm_merge", practice_id=response.practice_id,
                            into=response.suggested_practice_id, next=back), 303)  # fmt: skip


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
    "dismiss": (triage.dismiss_suggestion, _l("Kept as a separate practice.")),
    "confirm": (triage.confirm_own_practice, _l("Confirmed as its own practice.")),
    "duplicate": (_duplicate, _l("Response marked as a duplicate; it no longer counts.")),
    "spam": (triage.mark_spam, _l("Response marked as spam; it no longer counts.")),
    "restore": (triage.restore, _l("Response restored.")),
}


def _after_triage(response_id: int, from_list: str, next_id: int | None):
    """Where a triage action goes: the next response of the list it came from, else that list
    (with a word that it is done), else this response again."""
    if not from_list:
        return redirect(url_for("inbox.detail", response_id=response_id), 303)
    if next_id is None:
        flash(_("That was the last response of this list."), "success")
        return redirect(url_for("inbox.index") + "?" + from_list, 303)
    return redirect(url_for("inbox.detail", response_id=next_id, list=from_list), 303)


@blueprint.post("/<int:response_id>/<action>")
@staff_required
def act(response_id: int, action: str):
    """Run one triage button (dismiss, confirm, duplicate, spam, restore), then open the next
    response of the list the response was opened from (merge: :func:`merge`)."""
    if action not in ACTIONS:
        abort(404)
    response = _response_or_404(response_id)
    form = TriageActionForm()
    if not form.validate():
        abort(400)
    from_list = form.list.data or ""
    next_id = listing.next_in_list(list_filters(_args_of(from_list))[1], response_id)
    operation, message = ACTIONS[action]
    try:
        operation(response)
    except MergeRefused as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("inbox.detail", response_id=response_id, list=from_list), 303)
    db.session.commit()
    flash(str(message), "success")
    return _after_triage(response_id, from_list, next_id)


@blueprint.post("/bulk")
@staff_required
def bulk():
    """Mark the selected responses spam or duplicate, or assign them, in one action; back to
    the same list."""
    form = BulkForm()
    form.assignee.choices = _assignees()
    back = url_for("inbox.index") + ("?" + form.list.data if form.list.data else "")
    if not form.validate():
        for errors in form.errors.values():
            flash(" ".join(str(e) for e in errors), "error")
        return redirect(back, 303)
    rows = db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.id.in_(form.ids.data)).order_by(
            SurveyResponse.id)
    ).all()  # fmt: skip
    assignee = int(form.assignee.data) if (form.assignee.data or "").isdigit() else None
    changed, left = triage.triage_many(list(rows), form.action.data, assignee)
    db.session.commit()
    flash(ngettext("%(num)d response changed.", "%(num)d responses changed.", changed), "success")
    if left:
        flash(ngettext("%(num)d response was already so or is still being filed.",
                       "%(num)d responses were already so or are still being filed.", left),
              "success")  # fmt: skip
    return redirect(back, 303)
