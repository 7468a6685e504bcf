"""Outreach's vocabularies are defined once, in ``crm.outreach.models``: the titles
(``crm.labels``) and the alert sentences (``crm.outreach.alerts.MESSAGES``) cover exactly
those values."""

from __future__ import annotations

from crm import labels
from crm.outreach import alerts, models


def test_every_status_has_one_title():
    assert tuple(labels.INVITATION_STATUS) == models.INVITATION_STATUSES
    assert tuple(labels.OUTBOX_STATUS) == models.OUTBOX_STATUSES


def test_every_alert_kind_has_its_sentence():
    assert tuple(alerts.MESSAGES) == models.ALERT_KINDS
