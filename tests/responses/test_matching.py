"""Close-name suggestions read a bounded set of practices found through name keys
(docs/decisions.md#name-keys)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.responses import matching as matching
from crm.responses.matching import name_keys, normalize_key, suggest_practice
from crm.responses.models import Practice, PracticeNameKey


def add_practice(db, name: str, country: str = "BR") -> Practice:
    practice = Practice(name=name, name_key=normalize_key(name), country_code=country)
    db.session.add(practice)
    db.session.flush()
    return practice


def keys_of(db, practice: Practice) -> set[str]:
    return set(
        db.session.scalars(
            select(PracticeNameKey.key).where(PracticeNameKey.practice_id == practice.id)
        )
    )


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        (
            "Clínica São José",
            {"w:clinica", "p:clin", "s:nica", "w:sao", "w:jose", "p:jose", "s:jose"},
        ),
        ("ONCO-CARE S.A.", {"w:onco", "p:onco", "s:onco", "w:care", "p:care", "s:care"}),
        ("Oncoclínica", {"w:oncoclinica", "p:onco", "s:nica"}),
        ("SJ", set()),
        ("", set()),
    ],
)
def test_name_keys(name, keys):
    assert name_keys(name) == keys


def test_a_new_practice_is_indexed_under_its_name_keys(db):
    practice = add_practice(db, "Hospital Kalomera")
    assert keys_of(db, practice) == {"w:hospital", "p:hosp", "s:ital", "w:kalomera", "p:kalo",
                                     "s:mera"}  # fmt: skip


def test_a_renamed_practice_is_indexed_under_its_new_name(db):
    practice = add_practice(db, "Hospital Kalomera")
    practice.name = "Centro Vidanova"
    db.session.flush()
    assert keys_of(db, practice) == {"w:centro", "p:cent", "s:ntro", "w:vidanova", "p:vida",
                                     "s:nova"}  # fmt: skip


def test_a_deleted_practice_leaves_no_keys(db):
    practice = add_practice(db, "Hospital Kalomera")
    practice_id = practice.id
    db.session.delete(practice)
    db.session.flush()
    remaining = db.session.scalars(
        select(PracticeNameKey).where(PracticeNameKey.practice_id == practice_id)
    ).all()
    assert remaining == []


def test_a_typo_in_the_distinctive_word_is_suggested(db):
    target = add_practice(db, "Clínica Kalomera")
    practice, score = suggest_practice("BR", "Clinica Kalomara")
    assert practice.id == target.id
    assert score >= matching.SUGGESTION_SCORE


def test_a_shorter_form_of_the_name_is_suggested(db):
    target = add_practice(db, "Clínica São José Oncologia")
    practice, _score = suggest_practice("BR", "Sao Jose Oncologia")
    assert practice.id == target.id


def test_a_close_name_in_another_country_is_not_suggested(db):
    add_practice(db, "Clínica Kalomera", country="PT")
    assert suggest_practice("BR", "Clinica Kalomara") is None


def test_an_old_practice_is_found_behind_many_sharing_a_common_word(db, monkeypatch):
    monkeypatch.setattr(matching, "CANDIDATES_PER_KEY", 5)
    target = add_practice(db, "Clínica Kalomera")
    for number in range(20):
        add_practice(db, f"Clínica Number{number:02d}")
    practice, _score = suggest_practice("BR", "Clinica Kalomara")
    assert practice.id == target.id


def test_a_common_word_alone_reads_only_the_most_recent_practices(db, monkeypatch):
    monkeypatch.setattr(matching, "CANDIDATES_PER_KEY", 5)
    added = [add_practice(db, f"Clínica Number{number:02d}") for number in range(20)]
    practice, _score = suggest_practice("BR", "Clinica")
    assert practice.id in {p.id for p in added[-5:]}


def test_the_per_key_limit_is_read_at_each_call(db, monkeypatch):
    """The candidates' statement is built once per number of keys: the limit is bound when it
    runs, never kept from the first call."""
    added = [add_practice(db, f"Clínica Number{number:02d}") for number in range(20)]
    assert len(matching._candidates("BR", "Clinica")) == 20
    monkeypatch.setattr(matching, "CANDIDATES_PER_KEY", 5)
    assert matching._candidates("BR", "Clinica") == [(p.id, p.name) for p in added[-5:]]


# --- suggestions that find what the automatic rule leaves to people (docs/domain.md#suggestions)


def add_contact(db, practice: Practice, email: str, phone: str | None = None) -> None:
    from crm.responses.models import Contact

    db.session.add(
        Contact(practice=practice, name="X", email=email, email_key=email.lower(), phone=phone)
    )
    db.session.flush()


def test_an_abbreviated_name_from_the_same_city_is_suggested(db):
    target = add_practice(db, "Hospital Sírio-Libanês")
    target.city = "São Paulo"
    db.session.flush()
    practice, score = suggest_practice("BR", "Hosp. Sirio Libanes", "Sao Paulo")
    assert practice.id == target.id
    assert score == 100


@pytest.mark.parametrize(
    ("on_file", "typed"),
    [
        ("Instituto Nacional de Cancerología", "Inst. Nac. Cancerologia"),
        ("Clínica Santa María", "Clín. Sta. María"),
        ("Centro Médico Imbanaco", "Ctro. Medico Imbanaco"),
        ("Hospital Universitario San Ignacio", "Hosp. Univ. San Ignacio"),
    ],
)
def test_short_forms_in_each_language_are_suggested(db, on_file, typed):
    target = add_practice(db, on_file, country="CO")
    found = suggest_practice("CO", typed)
    assert found is not None
    assert found[0].id == target.id


def test_the_same_name_in_another_city_is_suggested_lower(db):
    target = add_practice(db, "Hospital San Ignacio", country="CO")
    target.city = "Bogotá"
    db.session.flush()
    practice, score = suggest_practice("CO", "Hospital San Ignacio", "Medellín")
    assert practice.id == target.id
    assert score < 100


def test_a_different_email_domain_lowers_the_suggestion(db):
    target = add_practice(db, "Clínica Kalomera")
    add_contact(db, target, "ana@kalomera.example")
    _practice, same = suggest_practice("BR", "Clinica Kalomara", None, "bia@kalomera.example")
    _practice, other = suggest_practice("BR", "Clinica Kalomara", None, "bia@outra.example")
    assert same > other


def test_of_two_alike_names_the_one_from_the_same_city_is_suggested(db):
    add_practice(db, "Clínica Kalomera").city = "Recife"
    in_city = add_practice(db, "Clinica Kalomera Sul")
    in_city.city = "Curitiba"
    db.session.flush()
    practice, _score = suggest_practice("BR", "Clínica Kalomera", "Curitiba")
    assert practice.id == in_city.id


def test_a_name_only_alike_in_its_generic_words_is_not_suggested(db):
    add_practice(db, "Centro de Cáncer Aguilar", country="CO")
    assert suggest_practice("CO", "Centro de Cáncer Díaz") is None


def test_a_suggestion_never_files_the_response_under_the_practice(db, submit_response):
    """The automatic rule stays as docs/domain.md#eligible-practices says: an abbreviated
    name is only suggested."""
    first = submit_response(practice_name="Hospital Universitario San Ignacio", city="Bogotá")
    second = submit_response(practice_name="Hosp. Univ. San Ignacio", city="Bogotá",
                             email="other@else.example")  # fmt: skip
    assert second.triage_status == "new"
    assert second.practice_id != first.practice_id
    assert second.suggested_practice_id == first.practice_id
    # The same name once short forms are read, the same city, another email domain.
    assert second.suggestion_score == 100 + 5 - 10


def test_a_close_name_in_another_country_is_never_a_candidate(db):
    """The country is read from the practice itself, not only from its name keys: a key row
    left with an old country (a move written outside the ORM) brings no foreign practice."""
    here = add_practice(db, "Clínica Oncológica Norte", country="BR")
    abroad = add_practice(db, "Clínica Oncológica Norte", country="AR")
    db.session.execute(
        PracticeNameKey.__table__.update()
        .where(PracticeNameKey.practice_id == abroad.id)
        .values(country_code="BR")
    )
    assert [pid for pid, _name in matching._candidates("BR", "Clinica Oncologica")] == [here.id]
    practice, _score = suggest_practice("BR", "Clinica Oncologica Norte")
    assert practice.id == here.id
