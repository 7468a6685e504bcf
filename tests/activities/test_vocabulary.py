"""The activities' vocabularies are defined once, in ``crm.activities.models``: the titles
(``crm.labels``) and the forms' choices cover exactly those values, in that order."""

from __future__ import annotations

from crm import labels
from crm.activities import forms, models


def test_every_value_has_one_title():
    assert tuple(labels.ACTIVITY_KIND) == models.ACTIVITY_KINDS
    assert tuple(labels.TASK_STATUS) == models.TASK_STATUSES
    assert set(models.OPEN_TASK_STATUSES) <= set(models.TASK_STATUSES)


def test_form_choices_follow_the_vocabularies(app):
    with app.test_request_context():
        activity = forms.ActivityForm(meta={"csrf": False})
        status = forms.TaskStatusForm(meta={"csrf": False})
    assert [c.value for c in activity.kind.choices] == list(models.ACTIVITY_KINDS)
    assert [c.value for c in status.status.choices] == list(models.TASK_STATUSES)
