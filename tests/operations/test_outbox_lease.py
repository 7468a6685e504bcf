"""The outbox's claim lease (``OUTBOX_CLAIM_SECONDS``) and what a delivery holds while it talks
to the mail server (docs/deploy.md#several)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import select

from crm.core.columns import utcnow
from crm.outreach import outbox
from crm.outreach.models import OutboxMessage
from tests.conftest import ON_POSTGRES


def queued(db, **values) -> OutboxMessage:
    row = OutboxMessage(
        kind="digest", recipient="someone@example.org", language="en", subject="s",
        text_body="t", **values,
    )  # fmt: skip
    db.session.add(row)
    db.session.commit()
    return row


def test_the_claim_lease_is_a_setting(app):
    assert outbox.claim_lease() == timedelta(seconds=600)
    app.config["OUTBOX_CLAIM_SECONDS"] = 3
    assert outbox.claim_lease() == timedelta(seconds=3)


def test_a_dead_workers_claim_is_taken_over_after_the_lease(app, db, monkeypatch):
    app.config["OUTBOX_CLAIM_SECONDS"] = 30
    row = queued(db)
    now = utcnow()
    assert outbox._claim(row.id, "dead-worker", now)
    sent = []
    monkeypatch.setattr(outbox, "_attempt", lambda r: sent.append(r.id) or outbox.Outcome("sent"))
    assert outbox.deliver_due(now + timedelta(seconds=29), worker="alive")["sent"] == 0
    assert outbox.deliver_due(now + timedelta(seconds=31), worker="alive")["sent"] == 1
    assert sent == [row.id]
    db.session.expire_all()
    assert db.session.scalar(select(OutboxMessage.status)) == "sent"


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's single write lock")
def test_talking_to_the_mail_server_holds_no_write_lock(app, db, monkeypatch):
    """Were the worker to keep a write transaction open while a slow mail server answers, every
    survey submit would wait for it (SQLite has one write lock)."""
    queued(db)
    path = db.engine.url.database
    db.session.close()
    seen = []

    def attempt(row):
        other = sqlite3.connect(path, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once while another holds the lock
            other.execute("ROLLBACK")
            seen.append("free")
        except sqlite3.OperationalError as error:
            seen.append(str(error))
        finally:
            other.close()
        return outbox.Outcome("sent")

    monkeypatch.setattr(outbox, "_attempt", attempt)
    assert outbox.deliver_due(worker="w")["sent"] == 1
    assert seen == ["free"]
