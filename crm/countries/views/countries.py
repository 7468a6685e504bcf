"""Country list and country page with the pipeline forms. Viewers read; staff write
(docs/domain.md#roles)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from crm.audit import queries as audit_queries
from crm.core.access import has_level, staff_required, viewer_required
from crm.core.clock import org_today
from crm.core.extensions import db
from crm.core.forms import commit_operation, render_form
from crm.core.i18n import localized_list
from crm.core.presentation import localized_date
from crm.countries import operations as pipeline
from crm.countries import queries as country_queries
from crm.countries import thresholds
from crm.countries.forms import (
    AvailabilityForm,
    ConfirmForm,
    CountryAgreementForm,
    CountryFilterForm,
    PrivacyReviewForm,
    StatusRecordForm,
    ThresholdForm,
)
from crm.countries.models import (
    PROGRAM_CODES,
    Availability,
    Country,
    CountryAgreement,
    CountryThreshold,
    PrivacyReview,
)
from crm.countries.queries import get_country_or_404
from crm.countries.seed import seeded_text
from crm.readiness import rules as readiness
from crm.readiness import wording
from crm.readiness.rules import PROGRAMS_WITH_LAUNCH

blueprint = Blueprint("countries", __name__, url_prefix="/staff/countries")


@blueprint.app_template_global()
def explain_criterion(criterion: readiness.Criterion) -> str:
    """A readiness criterion as a sentence with its numbers and days, in the reader's language
    and date style."""
    return wording.explain(criterion, _, day=localized_date)


@blueprint.app_template_global()
def readiness_summary(result: readiness.Readiness) -> str:
    """A readiness result in one line ("Near ready: missing a signed country agreement"), the
    missing criteria joined with the reader's language's conjunction."""
    return wording.summarize(result, _, join=localized_list)


blueprint.add_app_template_global(audit_queries.action_label, "audit_action_label")
blueprint.add_app_template_filter(seeded_text, "seeded")


@blueprint.app_template_global()
def endpoint_url(endpoint: str, **values) -> str | None:
    """``url_for`` for pages other blueprints may provide; None while they do not exist."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _detail(code: str, anchor: str):
    return redirect(url_for("countries.detail", code=code, _anchor=anchor), code=303)


def _program_or_404(program: str, allowed: tuple[str, ...] = PROGRAM_CODES) -> str:
    if program not in allowed:
        abort(404)
    return program


@blueprint.get("/")
@viewer_required
def index():
    """Countries with availability and readiness per program, filtered."""
    form = CountryFilterForm.from_query(request.args)
    filters = form.filters()
    rows = country_queries.country_list(filters)
    export_args = {name: value for name, value in asdict(filters).items() if value}
    return render_template(
        "countries/index.html",
        form=form,
        rows=rows,
        programs=PROGRAM_CODES,
        launch_programs=PROGRAMS_WITH_LAUNCH,
        export_args=export_args,
    )


@blueprint.get("/<code>")
@viewer_required
def detail(code: str):
    """The country page: pipeline, readiness with every criterion, practices, audit."""
    country = get_country_or_404(code)
    can_write = has_level(current_user, "staff")
    return render_template(
        "countries/detail.html",
        country=country,
        country_code=country.code,
        can_write=can_write,
        confirm_form=ConfirmForm(),
        today=org_today(),
        programs=PROGRAM_CODES,
        launch_programs=PROGRAMS_WITH_LAUNCH,
        # Viewers (IQSG) see totals, not people's details (privacy notice).
        **country_queries.country_page(country, include_personal=can_write),
    )


@blueprint.route("/<code>/availability/<program>", methods=["GET", "POST"])
@staff_required
def edit_availability(code: str, program: str):
    """Change a program's availability in the country; its history keeps every step."""
    country = get_country_or_404(code)
    program = _program_or_404(program)
    availability = db.session.scalar(
        db.select(Availability).filter_by(country_code=country.code, program_code=program)
    )
    # Source and note describe the new status, so only the status itself is filled in.
    current = {"status": availability.status} if availability and request.method == "GET" else None
    form = AvailabilityForm(data=current)
    if form.validate_on_submit() and commit_operation(
        form,
        pipeline.set_availability,
        country,
        program,
        form.status.data,
        since=form.since.data,
        source=form.source.data,
        note=form.note.data,
    ):
        flash(_("Availability of %(program)s saved.", program=program), "success")
        return _detail(country.code, "availability")
    return render_form(
        "countries/form.html",
        form,
        country=country,
        title=_("Availability of %(program)s", program=program),
    )


def _record_form(country: Country, form: StatusRecordForm, save: Callable[[], object], **page: str):
    """The form page of a privacy review or an agreement: a valid POST runs ``save`` (the
    operation with its values) and commits, then returns to the country page's ``anchor``
    section with the ``saved`` message; otherwise the form under ``title`` (422 when refused)."""
    if form.validate_on_submit() and commit_operation(form, save):
        flash(page["saved"], "success")
        return _detail(country.code, page["anchor"])
    return render_form("countries/form.html", form, country=country, title=page["title"])


def _edit_form(
    form: StatusRecordForm,
    record: PrivacyReview | CountryAgreement,
    country: Country,
    stored: dict[str, Any],
) -> StatusRecordForm:
    """``form`` for editing ``record`` of ``country`` (404 when it is another country's), filled
    from its ``stored`` values on GET."""
    if record.country_code != country.code:
        abort(404)
    if request.method == "GET":
        form.load(stored)
    return form


@blueprint.route("/<code>/privacy-reviews/new", methods=["GET", "POST"])
@staff_required
def new_privacy_review(code: str):
    """Record a privacy review of the country."""
    country = get_country_or_404(code)
    form = PrivacyReviewForm()
    return _record_form(
        country,
        form,
        lambda: pipeline.record_privacy_review(country, **form.values()),
        saved=_("Privacy review saved."),
        anchor="privacy-reviews",
        title=_("New privacy review"),
    )


@blueprint.route("/<code>/privacy-reviews/<int:review_id>", methods=["GET", "POST"])
@staff_required
def edit_privacy_review(code: str, review_id: int):
    """Change a privacy review of the country."""
    country = get_country_or_404(code)
    review = db.get_or_404(PrivacyReview, review_id)
    stored = pipeline.review_values(review)
    form = _edit_form(PrivacyReviewForm(), review, country, stored)
    return _record_form(
        country,
        form,
        lambda: pipeline.update_privacy_review(review, **form.changes(stored)),
        saved=_("Privacy review saved."),
        anchor="privacy-reviews",
        title=_("Privacy review"),
    )


@blueprint.route("/<code>/agreements/new", methods=["GET", "POST"])
@staff_required
def new_agreement(code: str):
    """Record a country agreement."""
    country = get_country_or_404(code)
    form = CountryAgreementForm()
    return _record_form(
        country,
        form,
        lambda: pipeline.record_country_agreement(country, **form.values()),
        saved=_("Agreement saved."),
        anchor="agreements",
        title=_("New agreement"),
    )


@blueprint.route("/<code>/agreements/<int:agreement_id>", methods=["GET", "POST"])
@staff_required
def edit_agreement(code: str, agreement_id: int):
    """Change a country agreement (status, dates, programs covered)."""
    country = get_country_or_404(code)
    agreement = db.get_or_404(CountryAgreement, agreement_id)
    stored = pipeline.agreement_values(agreement)
    form = _edit_form(CountryAgreementForm(), agreement, country, stored)
    return _record_form(
        country,
        form,
        lambda: pipeline.update_country_agreement(agreement, **form.changes(stored)),
        saved=_("Agreement saved."),
        anchor="agreements",
        title=_("Agreement"),
    )


@blueprint.route("/<code>/thresholds/<program>", methods=["GET", "POST"])
@staff_required
def edit_threshold(code: str, program: str):
    """Override a launch program's threshold in the country."""
    country = get_country_or_404(code)
    program = _program_or_404(program, PROGRAMS_WITH_LAUNCH)
    override = db.session.scalar(
        db.select(CountryThreshold).filter_by(country_code=country.code, program_code=program)
    )
    form = ThresholdForm(obj=override if request.method == "GET" else None)
    if form.validate_on_submit() and commit_operation(
        form,
        thresholds.set_threshold,
        country,
        program,
        form.min_eligible_practices.data,
        form.reason.data,
    ):
        flash(_("Threshold of %(program)s saved.", program=program), "success")
        return _detail(country.code, "thresholds")
    threshold = next(t for t in country_queries.thresholds_of(country.code) if t.program == program)
    return render_form(
        "countries/form.html",
        form,
        country=country,
        title=_("Threshold of %(program)s", program=program),
        intro=_(
            "The default for %(program)s is %(default)s eligible practices.",
            program=program,
            default=threshold.default,
        ),
    )


@blueprint.post("/<code>/thresholds/<program>/clear")
@staff_required
def clear_threshold(code: str, program: str):
    """Remove the country's override so the program default applies again."""
    country = get_country_or_404(code)
    program = _program_or_404(program, PROGRAMS_WITH_LAUNCH)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if thresholds.clear_threshold(country, program):
        db.session.commit()
        flash(_("The default threshold of %(program)s applies again.", program=program), "success")
    return _detail(country.code, "thresholds")
