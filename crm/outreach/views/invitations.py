"""Invitations: staff choose contacts, preview the email in each language and send;
the list shows each invitation's status. Contacts unsubscribe through a public page."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext, refresh
from sqlalchemy import func, select

from crm.core import pagination
from crm.core.access import public, staff_required
from crm.core.clock import org_today
from crm.core.extensions import csrf, db
from crm.core.forms import select_choices
from crm.core.i18n import LANGUAGE_NAMES, SEGMENT_OF, sorted_countries
from crm.countries.models import Country
from crm.outreach import operations as invitation_operations
from crm.outreach import outbox
from crm.outreach import queries as invitations
from crm.outreach.forms import InvitationFilterForm, InvitationSelectionForm, UnsubscribeForm

blueprint = Blueprint("invitations", __name__, url_prefix="/staff/invitations")
unsubscribe_blueprint = Blueprint("unsubscribe", __name__)

#: A placeholder for the personal link in previews (the real one exists only in the email).
PREVIEW_TOKEN = "x" * 43  # noqa: S105  (not a secret)


@blueprint.context_processor
def invitation_helpers() -> dict:
    """Template helpers of these pages: a language's own name, and a contact's language."""
    return {
        "language_name": lambda code: LANGUAGE_NAMES.get(code, code),
        "invitations_language": invitations.contact_language,
    }


def _country_choices(blank: str):
    codes = db.session.scalars(select(Country.code)).all()
    return select_choices([("", blank), *sorted_countries(codes)])


def selection_of(form: InvitationSelectionForm) -> invitations.Selection:
    """The form's choices as a :class:`crm.outreach.queries.Selection`."""
    return invitations.Selection(
        country=form.country.data or "",
        program=form.program.data or "",
        readiness_state=form.readiness_state.data or "",
        emails=invitations.parse_emails(form.emails.data),
        never_invited=bool(form.never_invited.data),
    )


def email_previews(result: invitations.SelectionResult) -> dict[str, outbox.Rendered]:
    """The invitation as each language's contacts would get it, with a placeholder link."""
    previews = {}
    expires_on = org_today() + timedelta(days=current_app.config["INVITATION_DAYS"])
    for language in result.languages:
        contact = next(c for c in result.contacts if invitations.contact_language(c) == language)
        previews[language] = outbox.render_email(
            "invitation",
            language,
            survey_url=invitations.public_url(
                "surveys.invited", lang=SEGMENT_OF[language], token=PREVIEW_TOKEN
            ),
            unsubscribe_url=invitations.public_url("unsubscribe.page", token=PREVIEW_TOKEN),
            country=contact.practice.country_code,
            expires_on=expires_on,
        )
    return previews


@blueprint.get("/")
@staff_required
def index():
    """Invitations, newest first, with their status; filter by status."""
    filters = InvitationFilterForm(request.args)
    status = filters.status.data if filters.validate() else None
    statement = invitations.query_invitations(status=status or None)
    number = pagination.page_number(request.args.get("page"))
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    pages = max(1, -(-total // pagination.PER_PAGE))
    number = min(number, pages)
    rows = db.session.execute(
        statement.limit(pagination.PER_PAGE).offset((number - 1) * pagination.PER_PAGE)
    ).all()
    page = pagination.Page(list(rows), number, pagination.PER_PAGE, total)
    return render_template(
        "outreach/invitations/index.html",
        filters=filters,
        page=page,
        counts=invitations.status_counts(),
    )


@blueprint.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    """Choose contacts (country, program interest, readiness, pasted emails), see who they are
    and the email in each of their languages, then send to those ticked."""
    form = _selection_form()
    valid = form.validate() if request.method == "POST" or request.args else False
    result = invitations.select_contacts(selection_of(form)) if valid else None
    if valid and request.form.get("action") == "send":
        offered = {c.id for c in result.contacts}
        chosen = [i for i in form.contact_ids.data or [] if i in offered]
        if chosen:
            sent = invitation_operations.send_invitations(chosen)
            db.session.commit()
            flash(_sent_message(len(sent.invitations), sent.skipped), "success")
            return redirect(url_for("invitations.index"), code=303)
        form.contact_ids.errors = [_("Tick at least one contact to invite.")]
    status = 422 if request.method == "POST" and form.errors else 200
    previews = email_previews(result) if result and result.contacts else {}
    page = render_template(
        "outreach/invitations/new.html",
        form=form,
        result=result,
        previews=previews,
        keep_ticks=request.form.get("action") == "send",
    )
    return page, status


def _selection_form() -> InvitationSelectionForm:
    """The selection as posted, or from the query string (the country page's button)."""
    if request.method == "POST":
        form = InvitationSelectionForm()
    else:
        form = InvitationSelectionForm(formdata=request.args or None, meta={"csrf": False})
    form.country.choices = _country_choices(_("Any country"))
    return form


def _sent_message(sent: int, skipped: int) -> str:
    message = ngettext(
        "%(num)d invitation queued; it goes out within a minute.",
        "%(num)d invitations queued; they go out within a minute.",
        sent,
    )
    if skipped:
        message += " " + ngettext(
            "%(num)d contact was skipped: no permission to contact, or already invited.",
            "%(num)d contacts were skipped: no permission to contact, or already invited.",
            skipped,
        )
    return message


@blueprint.app_template_global()
def country_outreach(code: str) -> invitations.CountryOutreach:
    """The country page's outreach numbers (more eligible practices needed, contacts there
    not yet invited)."""
    return invitations.country_outreach(code)


# --- unsubscribing (public) ----------------------------------------------------------------------


@unsubscribe_blueprint.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
@csrf.exempt  # RFC 8058 one-click POSTs from mail clients carry no CSRF token; the page's
# own button is checked below (UnsubscribeForm). The signed token names the invitation.
def page(token: str):
    """A page with one button that withdraws the permission to contact; a one-click POST
    (``List-Unsubscribe=One-Click``, sent by mail clients) withdraws it at once."""
    one_click = request.method == "POST" and request.form.get("List-Unsubscribe") == "One-Click"
    form = UnsubscribeForm()
    if request.method == "POST" and not one_click and not form.validate_on_submit():
        abort(400)
    invitation = invitations.invitation_for_unsubscribe(token)
    if invitation is None:
        return render_template("outreach/unsubscribe/page.html", state="invalid"), 404
    if "locale" not in session:
        # Without an explicit choice, the page speaks the language the emails were written in.
        g.locale = invitation.language
        refresh()
    if request.method == "POST":
        invitation_operations.unsubscribe(invitation)
        db.session.commit()
        if not one_click:
            return redirect(url_for("unsubscribe.page", token=token), code=303)
    withdrawn = not invitation.contact.permission_to_contact
    return render_template(
        "outreach/unsubscribe/page.html", state="done" if withdrawn else "ask", form=form
    )
