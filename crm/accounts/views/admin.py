"""Administration (the admin of ``docs/domain.md#roles``): users and roles, program defaults
and QCP capacity, audit log.

Every page here is for admins only, and an admin without two-factor is sent to set it up first
(``ADMIN_TWO_FACTOR_REQUIRED``).
"""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from crm.accounts import operations as accounts
from crm.accounts import sessions
from crm.accounts.forms import UserCreateForm, UserEditForm
from crm.accounts.models import ApiToken, User
from crm.accounts.security import enforce_admin_two_factor
from crm.api import tokens
from crm.api.forms import ApiTokenForm
from crm.audit import objects as audit_objects
from crm.audit import operations as audit
from crm.audit import queries as audit_queries
from crm.audit.forms import AuditFilterForm
from crm.core import pagination
from crm.core.access import admin_required
from crm.core.clock import org_timezone
from crm.core.columns import utcnow
from crm.core.errors import InvalidInput
from crm.core.extensions import db
from crm.core.forms import commit_operation, render_form, show_operation_error
from crm.countries import thresholds
from crm.countries.forms import ConfirmForm, ProgramDefaultsForm
from crm.countries.models import Program
from crm.data import spreadsheets

blueprint = Blueprint("admin", __name__, url_prefix="/staff/admin")
blueprint.before_request(enforce_admin_two_factor)
# Every audit trail of the screens reads as sentences (docs/domain.md#audit-in-words).
blueprint.add_app_template_global(audit_objects.audit_entries, "audit_entries")


@blueprint.get("/")
@admin_required
def index():
    """Administration home: links to users, settings and the audit log."""
    return render_template("accounts/admin/index.html")


@blueprint.get("/users")
@admin_required
def users():
    """Every account with its role, state and two-factor."""
    rows = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("accounts/admin/users.html", users=rows, now=utcnow())


@blueprint.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user():
    """Create an account with a role and an initial password."""
    form = UserCreateForm()
    if form.validate_on_submit() and commit_operation(
        form,
        accounts.create_user,
        form.email.data,
        form.role.data,
        form.password.data,
        name=form.name.data,
        locale=form.locale.data,
    ):
        flash(_("Account created."), "success")
        return redirect(url_for("admin.users"), code=303)
    return render_form("accounts/admin/user_form.html", form, title=_("New account"))


@blueprint.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    """Change a user's name and role; buttons to deactivate, unlock or reset two-factor."""
    user = db.get_or_404(User, user_id)
    form = UserEditForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.role.data = accounts.role_of(user)
    if form.validate_on_submit() and commit_operation(
        form, accounts.update_user, user, name=form.name.data, role=form.role.data
    ):
        flash(_("Account saved."), "success")
        return redirect(url_for("admin.edit_user", user_id=user.id), code=303)
    return render_form(
        "accounts/admin/user_form.html",
        form,
        title=_("Account %(email)s", email=user.email),
        user=user,
        action_form=ConfirmForm(),
        locked=accounts.is_locked(user),
        signed_in=len(sessions.sessions_of(user, utcnow())),
    )


@blueprint.post("/users/<int:user_id>/end-sessions")
@admin_required
def end_user_sessions(user_id: int):
    """End every session of an account at once: its cookies open nothing more, on every app
    server (audited; docs/decisions.md#server-sessions)."""
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ended = sessions.end_sessions(user)
    db.session.commit()
    flash(_("Sessions ended: %(count)d.", count=ended), "success")
    return redirect(url_for("admin.edit_user", user_id=user_id), code=303)


@blueprint.post("/users/<int:user_id>/deactivate", defaults={"action": "deactivate"})
@blueprint.post("/users/<int:user_id>/reactivate", defaults={"action": "reactivate"})
@blueprint.post("/users/<int:user_id>/unlock", defaults={"action": "unlock"})
@blueprint.post("/users/<int:user_id>/reset-two-factor", defaults={"action": "reset_two_factor"})
@admin_required
def user_action(user_id: int, action: str):
    """Deactivate, reactivate, unlock or reset the two-factor of an account."""
    user = db.get_or_404(User, user_id)
    operations = {
        "deactivate": lambda: accounts.set_active(user, False, acting_user=current_user),
        "reactivate": lambda: accounts.set_active(user, True, acting_user=current_user),
        "unlock": lambda: accounts.unlock(user),
        "reset_two_factor": lambda: accounts.reset_two_factor(user),
    }
    try:
        operations[action]()
    except InvalidInput as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Account saved."), "success")
    return redirect(url_for("admin.edit_user", user_id=user_id), code=303)


@blueprint.route("/tokens", methods=["GET", "POST"])
@admin_required
def api_tokens():
    """API tokens (docs/decisions.md#api-tokens): create one for an account (its plain text is
    shown on this answer only, never again), and every token with its owner, scope, expiry,
    last use and state, newest first."""
    form = ApiTokenForm()
    created = None
    if form.validate_on_submit():
        try:
            row, plain = tokens.create_token(
                form.chosen_user(),
                form.label.data,
                scope=form.scope.data,
                expires_at=form.expires_at(),
                created_by=current_user,
            )
        except InvalidInput as error:
            db.session.rollback()
            show_operation_error(form, error)
        else:
            db.session.commit()
            created = (row, plain)
            form = ApiTokenForm(formdata=None)
    rows = db.session.scalars(
        select(ApiToken).options(joinedload(ApiToken.user)).order_by(ApiToken.id.desc())
    ).all()
    page = render_template(
        "accounts/admin/tokens.html",
        tokens=rows,
        form=form,
        created=created,
        token_state=tokens.token_state,
        action_form=ConfirmForm(),
    )
    # The plain token is on this answer only: never kept by a cache.
    return page, 422 if form.errors else 200, {"Cache-Control": "no-store"}


@blueprint.post("/tokens/<int:token_id>/<any(revoke, expire):action>")
@admin_required
def end_api_token(token_id: int, action: str):
    """Revoke a token, or end its validity now (expire): its next request is refused
    (audited; ``docs/decisions.md#api-tokens``)."""
    row = db.get_or_404(ApiToken, token_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if action == "revoke":
        tokens.revoke_token(row)
        message = _("Token %(prefix)s… revoked.", prefix=row.prefix)
    else:
        tokens.expire_token(row)
        message = _("Token %(prefix)s… expired: it no longer works.", prefix=row.prefix)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("admin.api_tokens"), code=303)


@blueprint.route("/programs", methods=["GET", "POST"])
@admin_required
def programs():
    """Default thresholds of QOPI and QCP, and QCP capacity."""
    qopi, qcp = db.session.get(Program, "QOPI"), db.session.get(Program, "QCP")
    if qopi is None or qcp is None:
        abort(404)
    current = {
        "qopi_threshold": qopi.default_threshold,
        "qcp_threshold": qcp.default_threshold,
        "qcp_capacity": qcp.capacity,
    }
    form = ProgramDefaultsForm(data=current if request.method == "GET" else None)
    if form.validate_on_submit() and commit_operation(form, _save_defaults, form):
        flash(_("Program settings saved."), "success")
        return redirect(url_for("admin.programs"), code=303)
    return render_form("accounts/admin/programs.html", form, title=_("Program settings"))


def _save_defaults(form: ProgramDefaultsForm) -> None:
    """Both programs' defaults in one transaction; a refusal names this form's field."""
    for program, fields, values in (
        ("QOPI", {"default_threshold": "qopi_threshold"}, {}),
        (
            "QCP",
            {"default_threshold": "qcp_threshold", "capacity": "qcp_capacity"},
            {"capacity": form.qcp_capacity.data},
        ),
    ):
        threshold = form[fields["default_threshold"]].data
        try:
            thresholds.set_program_defaults(program, default_threshold=threshold, **values)
        except InvalidInput as error:
            raise InvalidInput(fields.get(error.field or ""), error.message) from error


@blueprint.get("/audit")
@admin_required
def audit_log():
    """Every recorded write, newest first, each a sentence (docs/domain.md#audit-in-words),
    filtered by person, kind of record, country and period."""
    form = _audit_filters()
    events = audit_queries.audit_events(
        form.filters(), page=pagination.page_number(request.args.get("page"))
    )
    csv_args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("accounts/admin/audit.html", form=form, events=events, csv_args=csv_args)


def _audit_filters() -> AuditFilterForm:
    form = AuditFilterForm(formdata=request.args)
    form.set_choices()
    form.validate()
    return form


@blueprint.get("/audit.csv")
@admin_required
def audit_log_csv():
    """The audit log's entries the filters select, as CSV in the reader's language (audited)."""
    filters = _audit_filters().filters()
    total = db.session.scalar(
        select(func.count()).select_from(audit_queries.filtered(filters).subquery())
    )
    audit.record("export.audit", "audit", "log", {"rows": [None, total]})
    db.session.commit()
    zone = org_timezone()
    headings = [
        _("When (UTC)"),
        _("When (%(zone)s)", zone=zone.key),
        _("Who"),
        _("What"),
        _("Kind of record"),
        _("Country"),
    ]
    rows = audit_objects.log_rows(
        audit_queries.events_in_chunks(filters), reader="admin", timezone=zone
    )
    today = datetime.now(zone).date().isoformat()
    return Response(
        stream_with_context(spreadsheets.csv_stream(headings, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="audit-log-{today}.csv"'},
    )
