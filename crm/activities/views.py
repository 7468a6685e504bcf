"""Activities and tasks on countries and practices, and "my tasks"
(docs/architecture.md#packages).

The timeline partial ``activities/_panel.html`` is shared: the country page includes it with
``country_code``, the practice page with ``practice``; it reads its rows through the
``activity_panel`` template global below.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from crm.accounts.models import User
from crm.accounts.people import display_name
from crm.activities import queries as activity_listing
from crm.activities.forms import ActivityForm, TaskFilterForm, TaskForm, TaskStatusForm
from crm.activities.models import OPEN_TASK_STATUSES, TASK_STATUSES, Task
from crm.activities.operations import add_activity, add_task, set_task_status
from crm.core import pagination
from crm.core.access import has_level, staff_required
from crm.core.clock import org_today
from crm.core.extensions import db
from crm.core.forms import select_choices
from crm.core.i18n import country_name
from crm.core.redirects import local_path
from crm.countries.queries import get_country_or_404
from crm.responses import queries as listing
from crm.responses.models import Practice

blueprint = Blueprint("tasks", __name__, url_prefix="/staff")


def _owner_choices() -> list[SelectChoice]:
    return select_choices(
        (user.id, user.name or user.email) for user in activity_listing.staff_members()
    )


def _task_form(**kwargs) -> TaskForm:
    form = TaskForm(prefix="task", **kwargs)
    form.owner_id.choices = _owner_choices()
    return form


@blueprint.app_template_global()
def activity_panel(country_code: str | None = None, practice: Practice | None = None) -> dict:
    """What ``activities/_panel.html`` shows for a country (ISO code) or a practice: the
    timeline (newest first), open tasks (overdue first) and, for staff, empty forms."""
    can_edit = has_level(current_user, "staff")
    country_code = country_code.upper() if country_code else None
    where = {"practice_id": practice.id} if practice is not None else {"country_code": country_code}
    # Practice notes may name people: on a country page only staff see them.
    include_practices = practice is None and can_edit
    today = org_today()
    panel = {
        "can_edit": can_edit,
        "on_country": practice is None,
        "today": today,
        "activities": activity_listing.timeline(**where, include_practices=include_practices),
        "tasks": activity_listing.open_tasks(
            **where, include_practices=include_practices, today=org_today()
        ),
        "next": request.full_path.rstrip("?"),
    }
    if practice is not None:
        panel["activity_url"] = url_for("tasks.add_practice_activity", practice_id=practice.id)
        panel["task_url"] = url_for("tasks.add_practice_task", practice_id=practice.id)
    else:
        panel["activity_url"] = url_for("tasks.add_country_activity", code=country_code)
        panel["task_url"] = url_for("tasks.add_country_task", code=country_code)
    ids = {a.practice_id for a in panel["activities"]} | {t.practice_id for t in panel["tasks"]}
    panel["practices"] = listing.practices_by_id(ids - {None})
    if can_edit:
        panel["activity_form"] = ActivityForm(
            formdata=None, prefix="activity", data={"occurred_on": org_today()}
        )
        panel["task_form"] = _task_form(formdata=None, data={"owner_id": current_user.id})
        panel["status_form"] = TaskStatusForm(formdata=None, prefix="status")
    return panel


def _back(form, default: str) -> str:
    """The form's ``next`` when it is a path on this site, else ``default``."""
    return local_path(form.next.data, default)


def _country_page(code: str) -> str:
    if "countries.detail" in current_app.view_functions:
        return url_for("countries.detail", code=code)
    return url_for("tasks.mine")


def _save(form: ActivityForm | TaskForm, heading: str, default: str, write: Callable[[], object],
          saved: str):  # fmt: skip
    """When ``form`` validates: ``write()``, commit, flash ``saved`` and go back (303); else
    show the form again with its errors (400)."""
    if form.validate_on_submit():
        write()
        db.session.commit()
        flash(saved, "success")
        return redirect(_back(form, default), 303)
    back = _back(form, default)
    return render_template("activities/form.html", form=form, heading=heading, back=back), 400


def _save_activity(form: ActivityForm, place: dict, heading: str, default: str):
    def write() -> object:
        return add_activity(
            kind=form.kind.data,
            subject=form.subject.data,
            body=form.body.data,
            occurred_on=form.occurred_on.data,
            **place,
        )

    return _save(form, heading, default, write, _("Activity added."))


def _save_task(form: TaskForm, place: dict, heading: str, default: str):
    def write() -> object:
        return add_task(
            title=form.title.data,
            owner=db.session.get(User, form.owner_id.data),
            due_on=form.due_on.data,
            notes=form.notes.data,
            **place,
        )

    return _save(form, heading, default, write, _("Task added."))


@blueprint.post("/countries/<code>/activities")
@staff_required
def add_country_activity(code: str):
    """Log an activity on a country."""
    country = get_country_or_404(code)
    heading = _("Add an activity to %(place)s", place=country_name(country.code))
    form = ActivityForm(prefix="activity")
    return _save_activity(form, {"country_code": country.code}, heading, _country_page(code))


@blueprint.post("/practices/<int:practice_id>/activities")
@staff_required
def add_practice_activity(practice_id: int):
    """Log an activity on a practice."""
    practice = pagination.get_row_or_404(Practice, practice_id)
    heading = _("Add an activity to %(place)s", place=practice.name)
    default = url_for("practices.detail", practice_id=practice.id)
    return _save_activity(ActivityForm(prefix="activity"), {"practice": practice}, heading, default)


@blueprint.post("/countries/<code>/tasks")
@staff_required
def add_country_task(code: str):
    """Add a task on a country."""
    country = get_country_or_404(code)
    heading = _("Add a task to %(place)s", place=country_name(country.code))
    return _save_task(_task_form(), {"country_code": country.code}, heading, _country_page(code))


@blueprint.post("/practices/<int:practice_id>/tasks")
@staff_required
def add_practice_task(practice_id: int):
    """Add a task on a practice."""
    practice = pagination.get_row_or_404(Practice, practice_id)
    heading = _("Add a task to %(place)s", place=practice.name)
    default = url_for("practices.detail", practice_id=practice.id)
    return _save_task(_task_form(), {"practice": practice}, heading, default)


@blueprint.post("/tasks/<int:task_id>/status")
@staff_required
def change_status(task_id: int):
    """Move a task to another status (open, in progress, done, cancelled)."""
    task = pagination.get_row_or_404(Task, task_id)
    form = TaskStatusForm(prefix="status")
    if form.validate_on_submit():
        set_task_status(task, form.status.data)
        db.session.commit()
        flash(_("Task updated."), "success")
    else:
        flash(_("Choose one of the listed statuses."), "error")
    return redirect(_back(form, url_for("tasks.mine")), 303)


@blueprint.get("/tasks")
@staff_required
def mine():
    """Tasks, by default the current user's open ones: overdue first, then by due date
    (organization's today); filtered by owner and status, sorted, saved as views."""
    today = org_today()
    filters = TaskFilterForm(request.args)
    filters.owner.choices = select_choices(
        [("me", _("Me")), ("anyone", _("Anyone"))]
        + [(str(u.id), display_name(u)) for u in activity_listing.staff_members()]
    )
    if request.args and not filters.validate():
        filters.owner.data, filters.status.data, filters.sort.data = "me", "", "due"
    owner = filters.owner.data or "me"
    owner_id = current_user.id if owner == "me" else (int(owner) if owner.isdigit() else None)
    status = filters.status.data or ""
    statuses = {"": OPEN_TASK_STATUSES, "all": TASK_STATUSES}.get(status, (status,))
    page = pagination.paginate(
        activity_listing.task_list(owner_id=owner_id, statuses=statuses,
                                   sort=filters.sort.data or "due", today=today),
        pagination.page_number(request.args.get("page")),
    )  # fmt: skip
    ids = {t.practice_id for t in page.items} - {None}
    return render_template(
        "activities/mine.html",
        page=page,
        today=today,
        filters=filters,
        mine_only=owner == "me",
        practices=listing.practices_by_id(ids),
        has_country_page="countries.detail" in current_app.view_functions,
    )
