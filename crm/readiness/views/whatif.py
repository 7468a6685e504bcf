"""The what-if page (docs/domain.md#what-if): readiness today and after hypothetical changes,
computed without writing anything; an admin may then apply a threshold or capacity change, which
the usual operations validate and audit."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm import labels
from crm.accounts.security import enforce_admin_two_factor
from crm.core.access import admin_required, has_level, viewer_required
from crm.core.errors import InvalidInput
from crm.core.extensions import db
from crm.core.forms import select_choices
from crm.core.i18n import country_name, sort_by_country, sorted_countries
from crm.countries.forms import ConfirmForm
from crm.countries.models import Country, CountryAgreement, PrivacyReview, Program
from crm.readiness.forms import WhatIfForm
from crm.readiness.operations import apply_what_if
from crm.readiness.queries import qcp_capacity, what_if_board
from crm.readiness.whatif import Scenario

blueprint = Blueprint("whatif", __name__, url_prefix="/staff/what-if")
#: Reviews and agreements a what-if can decide: the ones not decided yet.
OPEN_REVIEWS = ("not_started", "requested", "in_review")
OPEN_AGREEMENTS = ("draft", "negotiating", "out_for_signature")
#: The fields "apply" saves (reviews and agreements are only ever supposed, never decided here).
APPLIED_FIELDS = (
    "qopi_threshold",
    "qcp_threshold",
    "qcp_capacity",
    "country",
    "country_program",
    "country_threshold",
)


def _form() -> WhatIfForm:
    form = WhatIfForm(formdata=request.args)
    countries = sorted_countries(db.session.scalars(select(Country.code)))
    form.country.choices = select_choices([("", _("No country")), *countries])
    reviews = db.session.scalars(
        select(PrivacyReview)
        .where(PrivacyReview.status.in_(OPEN_REVIEWS))
        .options(selectinload(PrivacyReview.programs))
    ).all()
    form.reviews.choices = select_choices(
        (r.id, _record_label(r.country_code, r.program_codes, r.status, "privacy_review"))
        for r in sort_by_country(sorted(reviews, key=lambda r: r.id), lambda r: r.country_code)
    )
    agreements = db.session.scalars(
        select(CountryAgreement)
        .where(CountryAgreement.status.in_(OPEN_AGREEMENTS))
        .options(selectinload(CountryAgreement.programs))
    ).all()
    form.agreement.choices = select_choices(
        [("", _("No agreement"))]
        + [
            (str(a.id), _record_label(a.country_code, a.program_codes, a.status, "agreement"))
            for a in sort_by_country(
                sorted(agreements, key=lambda a: a.id), lambda a: a.country_code
            )
        ]
    )
    if request.args:
        form.validate()
    return form


def _record_label(country: str, programs, status: str, kind: str) -> str:
    return _(
        "%(country)s, %(programs)s: %(status)s",
        country=country_name(country),
        programs=", ".join(labels.program_order(programs)),
        status=labels.label(kind, status),
    )


def scenario_of(form: WhatIfForm) -> Scenario:
    """The scenario a valid form asks for (fields with errors are left out)."""

    def value(name):
        return None if form[name].errors else form[name].data

    defaults = {p: value(f) for p, f in (("QOPI", "qopi_threshold"), ("QCP", "qcp_threshold"))}
    country, threshold = value("country"), value("country_threshold")
    agreement = value("agreement")
    return Scenario(
        thresholds={p: n for p, n in defaults.items() if n is not None},
        country_thresholds={country: {form.country_program.data: threshold}}
        if country and threshold is not None
        else {},
        qcp_capacity=value("qcp_capacity"),
        privacy_reviews_approved=frozenset(value("reviews") or ()),
        agreements_signed={int(agreement): value("agreement_expires_on")} if agreement else {},
    )


@blueprint.get("/")
@viewer_required
def index():
    """The what-if form and, once asked, the rows whose state changes (every row with
    ``show=all``)."""
    form = _form()
    scenario = scenario_of(form)
    changes = [] if scenario.empty else what_if_board(scenario)
    show_all = request.args.get("show") == "all"
    # By country name in the reader's language, then the programs' own order
    # (docs/domain.md#countries, docs/domain.md#programs).
    kept = labels.program_order(
        [c for c in changes if show_all or c.state_changed], "before.program"
    )
    rows = sort_by_country(kept, lambda c: c.before.country)
    programs = {p.code: p for p in db.session.scalars(select(Program))}
    args = request.args.to_dict()
    links = {
        "changes": url_for("whatif.index", **(args | {"show": "changes"})),
        "all": url_for("whatif.index", **(args | {"show": "all"})),
        "apply": url_for("whatif.apply", **args),
    }
    return render_template(
        "readiness/whatif.html",
        links=links,
        form=form,
        scenario=scenario,
        rows=rows,
        asked=not scenario.empty,
        show_all=show_all,
        programs=programs,
        capacity=qcp_capacity(),
        can_apply=has_level(current_user, "admin"),
        confirm_form=ConfirmForm(),
    )


@blueprint.post("/apply")
@admin_required
def apply():
    """Admins: save the scenario's default thresholds, QCP capacity and country threshold
    through the usual operations (validated, audited), then show the board."""
    refused = enforce_admin_two_factor()
    if refused is not None:
        return refused
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired: please try again."), "error")
        return redirect(url_for("whatif.index", **request.args), code=303)
    form = _form()
    if any(form[name].errors for name in APPLIED_FIELDS):
        # scenario_of leaves refused fields out: saving the rest would look like saving all.
        flash(_("Some values were refused, so nothing was saved: correct them and try again."),
              "error")  # fmt: skip
        return redirect(url_for("whatif.index", **request.args), code=303)
    try:
        apply_what_if(scenario_of(form), _("Applied from the what-if page"))
    except InvalidInput as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("whatif.index", **request.args), code=303)
    db.session.commit()
    flash(_("The thresholds and capacity were saved."), "success")
    return redirect(url_for("dashboard.index"), code=303)
