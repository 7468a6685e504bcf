"""Intake files a response under the right practice (docs/domain.md#eligible-practices) and
never stores it twice (docs/decisions.md#double-submits)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm.responses.intake import intake_response
from crm.responses.models import Contact, Interest, Practice, SurveyResponse
from crm.responses.operations import update_practice
from crm.responses.queries import search_practices

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def answers(**overrides) -> dict:
    base = {
        "name": "Ana Pérez",
        "email": "ana@clinica.example",
        "practice_name": "Clínica San José",
        "country": "CO",
        "city": "Bogotá",
        "practice_type": "private_practice",
        "outpatient_hem_onc": "yes",
        "asco_members_count": 2,
        "reads_english": "yes",
        "interest_qopi": "very",
        "interest_qcp": "somewhat",
        "willing_to_pay_qcp_fee": "yes",
        "timeframe": "within_6_months",
        "consent": True,
        "permission_to_contact": True,
    }
    return base | overrides


def submit(db, token: str | None = None, at: datetime = T0, **overrides):
    result = intake_response(
        answers(**overrides),
        language="es",
        submission_token=token or uuid.uuid4().hex,
        consent_at=at,
        privacy_notice_version="2026-11",
        submitted_at=at,
    )
    db.session.commit()
    return result


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_first_response_creates_practice_contact_and_interests(db):
    result = submit(db)
    assert result.created
    response = result.response
    assert response.triage_status == "new"
    practice = db.session.get(Practice, response.practice_id)
    assert practice.name_key == "clinicasanjose"
    assert practice.reads_english is True
    assert {i.program_code: i.level for i in practice.interests} == {
        "QOPI": "very",
        "QCP": "somewhat",
    }
    contact = db.session.get(Contact, response.contact_id)
    assert (contact.email_key, contact.preferred_language) == ("ana@clinica.example", "es")
    assert contact.permission_to_contact is True


def test_same_submission_token_stores_one_response(db):
    first = submit(db, token="t-1")
    second = submit(db, token="t-1", practice_name="Something else")
    assert not second.created
    assert second.response.id == first.response.id
    assert count(db, SurveyResponse) == 1


@pytest.mark.parametrize(
    "name", ["CLINICA SAN JOSE", "Clínica  San-José.", "clinica sanjose", "Clínica San José "]
)
def test_equal_names_after_normalization_are_the_same_practice(db, name):
    first = submit(db)
    second = submit(db, practice_name=name, email="other@x.example", at=T0 + timedelta(days=1))
    assert second.response.triage_status == "linked"
    assert second.response.practice_id == first.response.practice_id
    assert count(db, Practice) == 1


def test_different_city_is_a_different_practice(db):
    submit(db)
    second = submit(db, city="Medellín", email="other@x.example")
    assert second.response.triage_status == "new"
    assert count(db, Practice) == 2


def test_shared_contact_email_links_to_the_practice(db):
    first = submit(db)
    second = submit(db, practice_name="Oncología SJ", email="ANA@clinica.example")
    assert second.response.practice_id == first.response.practice_id
    assert second.response.triage_status == "linked"


def test_close_name_is_only_a_suggestion(db):
    first = submit(db, practice_name="Instituto Nacional de Cancerología")
    second = submit(db, practice_name="Instituto Nacional de Cancerologia ESE", email="b@x.example")
    assert second.response.practice_id != first.response.practice_id
    assert second.response.suggested_practice_id == first.response.practice_id
    assert second.response.suggestion_score >= 85


def test_latest_response_gives_the_practice_its_answers(db):
    submit(db, interest_qopi="not_at_all")
    submit(db, interest_qopi="very", email="other@x.example", at=T0 + timedelta(days=2))
    submit(db, interest_qopi="somewhat", email="third@x.example", at=T0 + timedelta(days=1))
    levels = db.session.scalars(select(Interest.level).where(Interest.program_code == "QOPI"))
    assert list(levels) == ["very"]


def test_shared_email_in_another_country_is_another_practice(db):
    first = submit(db)
    second = submit(db, country="PE", practice_name="Clínica Lima", email="ANA@clinica.example")
    assert second.response.practice_id != first.response.practice_id


def test_names_sharing_only_a_prefix_are_not_suggested(db):
    submit(db, practice_name="Centro de Cáncer Aguilar")
    second = submit(db, practice_name="Centro de Cáncer Díaz", email="b@x.example")
    assert second.response.suggested_practice_id is None


def without(key: str, **overrides) -> dict:
    return {k: v for k, v in answers(**overrides).items() if k != key}


def intake_import(db, values: dict, token: str):
    result = intake_response(
        values,
        language="en",
        submission_token=token,
        consent_at=None,
        privacy_notice_version=None,
        source="import",
    )
    db.session.commit()
    return result


def test_import_without_email_keeps_a_contact_by_name(db):
    result = intake_import(db, without("email"), "import-1-2")
    contact = db.session.get(Contact, result.response.contact_id)
    assert (contact.name, contact.email, contact.email_key) == ("Ana Pérez", "", "")


def test_import_without_email_reuses_the_contact_of_the_same_name(db):
    intake_import(db, without("email"), "import-1-2")
    intake_import(db, without("email", name="ANA PÉREZ"), "import-1-3")
    assert count(db, Contact) == 1


def test_import_without_email_or_name_files_the_practice_without_a_contact(db):
    values = {k: v for k, v in answers().items() if k not in ("email", "name")}
    result = intake_import(db, values, "import-1-2")
    assert result.response.contact_id is None
    assert result.response.practice_id is not None
    assert count(db, Contact) == 0


#: Names whose key grows under NFKD + casefolding: "ﷺ" decomposes into 18 letters, "ß" into "ss".
LONG_KEY_NAMES = ["Clínica " + "\ufdfa" * 20, "ß" * 300, "ﬃ" * 300]


@pytest.mark.parametrize("name", LONG_KEY_NAMES)
def test_keys_that_normalize_longer_than_their_column_are_cut_to_it(db, name):
    # PostgreSQL refused the uncut keys (StringDataRightTruncation): a 500 on the survey.
    result = submit(db, practice_name=name, city="ß" * 200)
    practice = db.session.get(Practice, result.response.practice_id)
    assert len(practice.name_key) == Practice.__table__.c.name_key.type.length
    assert len(practice.city_key) == Practice.__table__.c.city_key.type.length
    assert practice.name == name


@pytest.mark.parametrize("name", LONG_KEY_NAMES)
def test_a_name_with_a_cut_key_still_finds_its_practice(db, name):
    first = submit(db, practice_name=name, city="ß" * 200)
    second = submit(db, practice_name=name, city="ß" * 200, email="b@x.example")
    assert second.response.practice_id == first.response.practice_id
    assert search_practices("CO", name) == [db.session.get(Practice, first.response.practice_id)]


def test_a_staff_rename_cuts_the_keys_the_same_way(db):
    practice = db.session.get(Practice, submit(db).response.practice_id)
    update_practice(practice, name="ß" * 300, city="ß" * 200, practice_type=None)
    db.session.commit()
    assert (len(practice.name_key), len(practice.city_key)) == (300, 200)
    found = submit(db, practice_name="SS" * 150, city="ss" * 100, email="b@x.example")
    assert found.response.practice_id == practice.id


def test_an_email_that_lowercases_longer_than_its_column_is_cut_and_still_matches(db):
    # "İ".lower() is two characters: a 254-character address has a 255-character key uncut.
    long_email = "İ" * 62 + "x" * 180 + "@example.org"
    assert (len(long_email), len(long_email.lower())) == (254, 316)
    first = submit(db, email=long_email)
    contact = db.session.get(Contact, first.response.contact_id)
    assert len(contact.email_key) <= Contact.__table__.c.email_key.type.length
    second = submit(db, email=long_email, practice_name="Otro nombre")
    assert second.response.practice_id == first.response.practice_id


def test_a_contact_left_without_practice_is_not_taken_by_a_new_practice(db):
    """A new practice is not stored yet when its contact is looked for: the look-up must not
    read "no practice" as "practice_id IS NULL" (contacts of a deleted practice)."""
    orphan = Contact(practice_id=None, name="Ana Pérez", email="ana@clinica.example",
                     email_key="ana@clinica.example")  # fmt: skip
    db.session.add(orphan)
    db.session.commit()
    result = submit(db, practice_name="Instituto Nuevo", city="Cali")
    assert result.response.contact_id != orphan.id
    assert result.response.contact.practice_id == result.response.practice_id
    assert db.session.get(Contact, orphan.id).practice_id is None


def test_a_burst_counts_the_response_itself_before_anything_is_flushed(db):
    """The spam signal's count of responses from one address includes the one being filed,
    whether or not its contact has reached the database yet: each of these is a new practice
    (one address, three countries), whose contact is stored only at the end of its filing."""
    for minute, country in enumerate(("BR", "AR", "CL")):
        result = submit(db, at=T0 + timedelta(minutes=minute), country=country,
                        practice_name=f"Instituto {country}")  # fmt: skip
    signals = result.response.spam_signals or []
    first = submit(db, at=T0 + timedelta(days=3), email="solo@clinica.example")
    assert _burst_count(signals) == 3
    assert _burst_count(first.response.spam_signals or []) is None


def _burst_count(signals: list[dict]) -> int | None:
    return next((s["params"]["count"] for s in signals if s["code"] == "burst"), None)
