"""crm.drafts: saving a draft under a link whose digest alone is stored, keeping or renewing
that link, emailing it once per link and address, ending drafts when sent or past their day
(docs/domain.md#drafts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from crm.drafts import operations as drafts
from crm.drafts.models import SurveyDraft
from crm.drafts.queries import LinkState, digest, open_draft, open_invitation
from crm.outreach.models import OutboxMessage
from tests.outreach.helpers import invite, new_contact

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
ANSWERS = {"name": "Lucía Gómez", "email": " Lucia@Centro.example ", "city": "Medellín"}


def save(**kwargs) -> drafts.SavedDraft:
    options = {"language": "es", "submission_token": "t" * 32, "days": 30, "now": NOW}
    return drafts.save_draft(kwargs.pop("answers", ANSWERS), **(options | kwargs))


def resume_emails(db) -> list[OutboxMessage]:
    kind = OutboxMessage.kind == drafts.EMAIL_KIND
    return list(db.session.scalars(select(OutboxMessage).where(kind).order_by(OutboxMessage.id)))


def test_a_new_draft_keeps_only_the_digest_of_its_link(db):
    saved = save()
    db.session.commit()
    row = db.session.scalar(select(SurveyDraft))
    assert len(saved.token) == 43
    assert row.token_hash == digest(saved.token)
    assert saved.token not in repr(row.__dict__)
    assert row.email_key == "lucia@centro.example"
    assert row.saved_at == NOW
    assert row.expires_at == NOW + timedelta(days=30)


def test_saving_with_the_link_updates_the_draft_and_keeps_the_link(db):
    first = save()
    later = NOW + timedelta(days=10)
    again = save(token=first.token, answers=ANSWERS | {"city": "Cali"}, now=later)
    assert again.draft.id == first.draft.id
    assert again.token == first.token
    assert again.draft.answers["city"] == "Cali"
    assert again.draft.expires_at == later + timedelta(days=30)
    assert not again.emailed
    assert len(resume_emails(db)) == 1


def test_the_link_is_emailed_once_per_link_and_address(db):
    first = save()
    save(token=first.token, answers=ANSWERS | {"email": "otra@centro.example"})
    save(token=first.token, answers=ANSWERS | {"email": "otra@centro.example"})
    assert [m.recipient for m in resume_emails(db)] == [
        "Lucia@Centro.example",
        "otra@centro.example",
    ]


def test_one_address_gets_a_few_links_a_day_then_only_the_page_shows_them(db):
    """Anyone can type anyone's address: past a few links a day it is emailed no more."""
    saved = [save() for _ in range(drafts.EMAILS_PER_ADDRESS_PER_DAY + 2)]
    assert [draft.emailed for draft in saved] == [True] * drafts.EMAILS_PER_ADDRESS_PER_DAY + [
        False,
        False,
    ]
    assert len(resume_emails(db)) == drafts.EMAILS_PER_ADDRESS_PER_DAY
    assert all(draft.token for draft in saved)  # each link is still shown on its page
    tomorrow = NOW + timedelta(days=1, minutes=1)
    assert save(now=tomorrow).emailed


def test_the_email_carries_the_link_in_the_drafts_language(app, db):
    saved = save(language="pt_BR")
    [email] = resume_emails(db)
    assert email.language == "pt_BR"
    assert f"{app.config['PUBLIC_BASE_URL']}/pt/survey/resume/{saved.token}" in email.text_body
    assert "Lucía" not in email.text_body
    assert "Medellín" not in email.html_body


def test_no_email_without_an_address(db):
    saved = save(answers={"name": "Lucía"})
    assert not saved.emailed
    assert resume_emails(db) == []


def test_a_draft_from_an_invitation_is_found_again_and_gets_a_new_link(db):
    invitation, _token = invite(db, new_contact(db))
    first = save(invitation=invitation)
    again = save(invitation=invitation, answers=ANSWERS | {"city": "Cali"})
    assert again.draft.id == first.draft.id
    assert again.token != first.token
    assert open_draft(first.token, NOW).state == LinkState.INVALID
    assert open_draft(again.token, NOW).draft.answers["city"] == "Cali"
    assert len(resume_emails(db)) == 2  # the new link is emailed


@pytest.mark.parametrize(
    ("offset", "state"),
    [(timedelta(days=30, seconds=-1), LinkState.OPEN), (timedelta(days=30), LinkState.EXPIRED)],
)
def test_a_link_works_until_its_draft_expires(db, offset, state):
    saved = save()
    assert open_draft(saved.token, NOW + offset).state == state


@pytest.mark.parametrize("token", [None, "", "x" * 43, "short", "a" * 44])
def test_unknown_or_malformed_links_open_nothing(db, token):
    save()
    assert open_draft(token, NOW) == open_draft("", NOW)
    assert open_draft(token, NOW).draft is None


def test_discard_sent_ends_the_draft_and_its_emails(db):
    saved = save()
    other = save(answers={"name": "Otro", "email": "otro@centro.example"})
    assert drafts.discard_sent(saved.token) == 1
    assert [d.id for d in db.session.scalars(select(SurveyDraft))] == [other.draft.id]
    assert [m.recipient for m in resume_emails(db)] == ["otro@centro.example"]


def test_discard_sent_ends_every_draft_of_the_invitation(db):
    invitation, _token = invite(db, new_contact(db))
    save(invitation=invitation)
    assert drafts.discard_sent(None, invitation.id) == 1
    assert drafts.discard_sent(None, None) == 0


def test_delete_expired_takes_only_drafts_past_their_day(db):
    old = save()
    recent = save(answers={"name": "Otro"}, now=NOW + timedelta(days=5))
    assert drafts.delete_expired(NOW + timedelta(days=30)) == 1
    remaining = [d.id for d in db.session.scalars(select(SurveyDraft))]
    assert remaining == [recent.draft.id]
    assert old.draft.id not in remaining


def test_a_resume_email_is_held_back_when_its_draft_is_gone(db):
    save()
    [email] = resume_emails(db)
    assert drafts.withheld_resume_link(email) is None
    drafts.discard_drafts([d.id for d in db.session.scalars(select(SurveyDraft))])
    assert drafts.withheld_resume_link(email) == "the draft of this resume link is gone"


def test_other_emails_are_never_held_back_by_drafts(db):
    other = OutboxMessage(kind="confirmation", dedupe_key="confirmation:1")
    assert drafts.withheld_resume_link(other) is None


def test_an_answered_or_expired_invitation_is_not_open(db):
    invitation, _token = invite(db, new_contact(db))
    assert open_invitation(invitation.id) == invitation
    assert open_invitation(invitation.id, invitation.expires_at) is None
    invitation.responded_at = NOW
    assert open_invitation(invitation.id) is None
    assert open_invitation(None) is None
