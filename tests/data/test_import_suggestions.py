"""Suggested column and value mappings of an import (docs/architecture.md#data)."""

from __future__ import annotations

import pytest

from crm.data import exports as reports
from crm.data.imports.columns import suggest_columns
from crm.data.imports.targets import TARGETS
from crm.data.imports.values import split_multi, suggest_value


def test_our_export_headings_map_themselves():
    mapping = suggest_columns(list(reports.RESPONSE_COLUMNS))
    expected = {
        key: reports.RESPONSE_COLUMNS.index(key)
        for key in TARGETS
        if key in reports.RESPONSE_COLUMNS
    }
    expected["submitted_at"] = reports.RESPONSE_COLUMNS.index("submitted_at (UTC)")
    # Our own response id is the file's submission id: a second import of it is seen.
    expected["source_id"] = reports.RESPONSE_COLUMNS.index("response_id")
    assert mapping == expected


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("hospital_name", "practice_name"),
        ("Nombre de la institución", "practice_name"),
        ("País", "country"),
        ("cc", "country"),
        ("E-mail", "email"),
        ("Your email address", "email"),
        ("submitdate. Date submitted", "submitted_at"),
        ("Carimbo de data/hora", "submitted_at"),
        ("Marca temporal", "submitted_at"),
        ("startlanguage", "language"),
        ("Cidade", "city"),
    ],
)
def test_headings_of_other_tools_are_suggested(heading, key):
    assert suggest_columns(["something else", heading]) == {key: 1}


def test_a_long_question_that_mentions_an_email_is_not_the_email_column():
    heading = "I agree that the researchers may contact me by e-mail about the results later on"
    assert suggest_columns([heading]) == {}


def test_a_column_with_values_beats_an_empty_one_of_the_same_heading():
    columns = ["Email Address", "Contact information / Email"]
    rows = [["", "ana@x.example"]]
    assert suggest_columns(columns, rows) == {"email": 1}


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        ("interest_qopi", "Very interested", "very"),
        ("interest_qopi", "Muy interesado", "very"),
        ("interest_qopi", "Muito interessada", "very"),
        ("interest_qcp", "not_at_all", "not_at_all"),
        ("reads_english", "Sí", "yes"),
        ("reads_english", "Sim", "yes"),
        ("reads_english", "Oui", "yes"),
        ("reads_english", "No", "no"),
        ("willing_to_pay_qcp_fee", "No sé", "unsure"),
        ("timeframe", "Within 6 months", "within_6_months"),
        ("timeframe", "6_to_12_months", "6_to_12_months"),
        ("practice_type", "Private practice", "private_practice"),
        ("permission_to_contact", "TRUE", "yes"),
        ("language", "es-AR", "es"),
        ("language", "Português", "pt_BR"),
        ("language", "nl-informal", None),
        ("practice_type", "General", None),
    ],
)
def test_answer_suggestions(app, key, value, code):
    assert suggest_value(key, value) == code


@pytest.mark.parametrize(
    ("value", "items"),
    [
        ("Pricing;Operating system;Brand;", ["Pricing", "Operating system", "Brand"]),
        ("Café da manhã, Almoço, Jantar", ["Café da manhã", "Almoço", "Jantar"]),
        ("six_month; one_day", ["six_month", "one_day"]),
    ],
)
def test_multiple_choice_cells_are_split(value, items):
    assert split_multi(value) == items


def test_a_long_heading_label_never_repeats_words_or_ends_mid_word():
    from crm.data.imports.headings import choice_labels

    long_one = (
        "Na sua percepção, você acha que o cardápio vegetariano disponibilizado pelos RU´s "
        "atende às necessidades nutricionais dos estudantes vegetarianos e veganos?"
    )
    other = (
        "Na sua percepção, você acha que o RU oferece opções suficientes para quem não come carne?"
    )
    grid = (
        "Según tu forma de ser ¿Cuál de las siguientes frases describe mejor tu forma de ser y "
        "pensar? Marca la que más se parezca a ti. "
    )
    labels = choice_labels([long_one, other, f"{grid}[Soy reservado]", f"{grid}[Soy sociable]"])
    # They differ right after "o": the label reads from the start, once, and is cut at the end.
    assert labels[0].startswith("1. Na sua percepção, você acha que o cardápio vegetariano")
    assert labels[0].count("cardáp") == 1
    assert len(labels[0]) <= 3 + 110
    # A grid's differing end still shows after a head that ends on a whole word.
    assert labels[2].endswith("[Soy reservado]")
    head = labels[2].split("…")[0]
    assert grid.startswith(head[3:])
    assert grid[len(head) - 3] == " "


def test_long_headings_without_spaces_still_get_labels_that_differ():
    # A Kobo path is one long word: cut at the start alone, two such columns read the same.
    from crm.data.imports.headings import choice_labels

    path = (
        "group_clinicinformation/section_interestsandprograms/"
        "question_whichprogramsinterestyoumost_and_why_long/option_qopi_"
    )
    labels = choice_labels([f"{path}1", f"{path}2"])
    assert labels[0] != labels[1]
    assert labels[0].endswith("_1")
    assert labels[1].endswith("_2")
