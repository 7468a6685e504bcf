"""No name with CR/LF or a script payload can inject a mail header or markup into any email:
confirmations, invitations, reminders and digests, delivered to a real SMTP server."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from crm.activities import operations as activities
from crm.countries import operations as pipeline
from crm.countries.queries import get_country_or_404
from crm.outreach import outbox
from crm.outreach.emails import queue_confirmation
from crm.outreach.operations import queue_reminders, run_alerts
from crm.responses.models import SurveyResponse
from tests.outreach.helpers import invite, new_contact, running_smtp

PAYLOAD = (
    'Eve\r\nBcc: victim@example.org\r\nX-Evil: 1\r\n\r\n<script>alert(1)</script><b onclick="x">'
)


@pytest.fixture
def smtp(app):
    with running_smtp(app) as server:
        yield server


def assert_clean(message) -> None:
    """No injected header, every header one line, no live markup in the HTML part."""
    assert message["Bcc"] is None
    assert message["X-Evil"] is None
    for name, value in message.items():
        assert not {"\n", "\r"} & set(str(value)), name
    html = message.get_body(("html",)).get_content()
    assert "<script" not in html
    assert "<b onclick" not in html
    assert message.get_body(("plain",)) is not None


def test_a_confirmation_to_a_respondent_named_with_a_payload(db, smtp):
    contact = new_contact(db, name=PAYLOAD, practice_name=PAYLOAD, comments=PAYLOAD)
    response = db.session.scalar(
        select(SurveyResponse).where(SurveyResponse.contact_id == contact.id)
    )
    queue_confirmation(response)
    db.session.commit()
    outbox.send_due()
    [message] = smtp.inbox.messages
    assert_clean(message)
    assert "Eve" not in message.as_string()


def test_an_invitation_and_its_reminder_to_a_contact_named_with_a_payload(db, smtp):
    contact = new_contact(db, name=PAYLOAD, practice_name=PAYLOAD)
    invite(db, contact)
    outbox.send_due()
    queue_reminders(now=datetime.now(UTC) + timedelta(days=8))
    db.session.commit()
    outbox.send_due(now=datetime.now(UTC) + timedelta(days=8))
    assert len(smtp.inbox.messages) == 2
    for message in smtp.inbox.messages:
        assert_clean(message)
        assert "Eve" not in message.as_string()


@freeze_time("2026-12-01 17:00:00")
def test_a_digest_listing_staff_text_with_a_payload(db, smtp, create_user):
    owner = create_user("staff")
    owner.name, owner.digest = PAYLOAD, "daily"
    get_country_or_404("CO").owner_id = owner.id
    activities.add_task(title=PAYLOAD, owner=owner, due_on=date(2026, 12, 1), country_code="CO")
    pipeline.record_country_agreement(
        get_country_or_404("CO"),
        programs=["QOPI"],
        counterparty=PAYLOAD[:200],
        status="signed",
        signed_on=date(2025, 1, 1),
        expires_on=date(2026, 12, 8),
    )
    db.session.commit()
    run_alerts()
    db.session.commit()
    outbox.send_due()
    [message] = smtp.inbox.messages
    assert_clean(message)
    assert "&lt;script&gt;" in message.get_body(("html",)).get_content()
