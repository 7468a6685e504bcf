"""How alike two practices are, and why (docs/domain.md#suggestions): pure rules, no database."""

from __future__ import annotations

import pytest

from crm.responses import similarity
from crm.responses.similarity import (
    PracticeFacts,
    canonical_words,
    compare,
    email_domain,
    facts,
    name_similarity,
    phone_key,
    suggests,
)


@pytest.mark.parametrize(
    ("typed", "on_file"),
    [
        ("Hosp. Sirio Libanes", "Hospital Sírio-Libanês"),
        ("Hosp. Univ. San Ignacio", "Hospital Universitario San Ignacio"),
        ("Inst. Nac. de Cancerologia", "Instituto Nacional de Cancerología"),
        ("Clín. Sta. María", "Clínica Santa María"),
        ("Ctro. Médico Imbanaco", "Centro Médico Imbanaco"),
        ("Hosp. Israelita A. Einstein", "Hospital Israelita Albert Einstein"),
        ("Fund. Oncológica del Sur", "Fundación Oncológica del Sur"),
        ("Santa Maria Clinica", "Clínica Santa María"),  # words in another order
        ("Clinica Kalomara", "Clínica Kalomera"),  # a typo
        ("Clinica Klaomera", "Clínica Kalomera"),  # two letters swapped
        ("Instituto Nacional de Cancerologia ESE", "Instituto Nacional de Cancerología"),
    ],
)
def test_short_forms_typos_and_word_order_reach_the_name_floor(typed, on_file):
    assert name_similarity(typed, on_file) >= similarity.NAME_FLOOR


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Centro de Cáncer Aguilar", "Centro de Cáncer Díaz"),
        ("Hospital San José", "Hospital San Juan"),
        ("Hospital Italiano", "Hospital Alemão"),
        ("Clínica Sede 1", "Clínica Sede 2"),
    ],
)
def test_names_whose_own_words_disagree_stay_below_the_floor(first, second):
    assert name_similarity(first, second) < similarity.NAME_FLOOR


def test_canonical_words_read_short_forms_and_leave_out_linking_words():
    assert canonical_words("Hosp. Univ. de San Ignacio S.A.") == (
        "hospital", "universidad", "san", "ignacio",
    )  # fmt: skip
    assert canonical_words("Ctro. Oncológico da Sta. Casa") == (
        "centro", "oncologia", "santa", "casa",
    )  # fmt: skip


def test_email_domains_of_free_mail_say_nothing():
    assert email_domain("Ana@Clinica.Example") == "clinica.example"
    assert email_domain("ana@gmail.com") is None
    assert email_domain("not an email") is None
    assert email_domain(None) is None


def test_phones_compare_their_last_digits_whatever_the_punctuation():
    assert phone_key("+57 (1) 234-5678") == phone_key("1 2345678") == "2345678"
    assert phone_key("12-34") is None


def test_the_same_name_in_another_city_is_lowered_and_says_why():
    alike = compare(
        PracticeFacts("Hospital San Ignacio", "Medellín"),
        PracticeFacts("Hospital San Ignacio", "Bogotá"),
    )
    assert alike.name_score == 100
    assert alike.score == 100 + similarity.DIFFERENT_CITY
    assert [r.code for r in alike.reasons] == ["name", "different_city"]
    assert alike.reasons[1].params == {"city": "Medellín", "other_city": "Bogotá"}


def test_an_abbreviated_name_in_the_same_city_scores_the_full_hundred():
    alike = compare(
        facts("Hosp. Sirio Libanes", "Sao Paulo", ["ana@hsl.example"]),
        facts("Hospital Sírio-Libanês", "São Paulo", ["bruno@hsl.example"]),
    )
    assert alike.score == 100
    assert [r.code for r in alike.reasons] == ["name", "same_city", "same_email_domain"]
    assert suggests(alike)


def test_a_different_email_domain_and_phone_lower_the_score():
    same = facts("Clínica Kalomera", "Lima", ["a@kalomera.example"], ["+51 1 555 0101"])
    other = facts("Clinica Kalomera", "Lima", ["b@otra.example"], ["+51 1 777 0202"])
    alike = compare(same, other)
    assert alike.score == 100 + similarity.SAME_CITY + similarity.DIFFERENT_DOMAIN + (
        similarity.DIFFERENT_PHONE
    )
    assert {r.code for r in alike.reasons} == {
        "name", "same_city", "different_email_domain", "different_phone",
    }  # fmt: skip


def test_free_mail_on_both_sides_neither_raises_nor_lowers():
    alike = compare(facts("Clínica Luz", None, ["a@gmail.com"]), facts("Clinica Luz", None,
                    ["b@hotmail.com"]))  # fmt: skip
    assert alike.score == alike.name_score == 100
    assert [r.code for r in alike.reasons] == ["name"]


def test_a_close_name_with_everything_else_different_is_not_suggested():
    alike = compare(
        facts("Oncologia Vida", "Recife", ["x@vida.example"], ["+55 81 3333 1111"]),
        facts("Oncologia Vidas", "Manaus", ["y@outra.example"], ["+55 92 4444 2222"]),
    )
    assert alike.name_score >= similarity.NAME_FLOOR
    assert not suggests(alike)
