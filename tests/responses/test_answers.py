"""A response's raw answers as staff read them."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from crm.responses import questionnaire
from crm.responses.answers import CHOICE_LABELS, answer_rows, display_value


def test_every_closed_question_has_labels_for_every_value():
    closed = questionnaire.CHOICES | questionnaire.MULTI_CHOICES
    unlabelled = {key: set(values) - set(CHOICE_LABELS[key]) for key, values in closed.items()}
    assert {key: missing for key, missing in unlabelled.items() if missing} == {}


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("interest_qopi", "very", "Very interested"),
        ("qtp_formats", ["one_day", "six_month"], "One-day program, Six-month program"),
        ("reads_english", "unsure", "Not sure"),
        ("consent", True, "Yes"),
        ("practice_type", "made_up", "made_up"),
        ("comments", "<b>hi</b>", "<b>hi</b>"),
        ("phone", None, ""),
    ],
)
def test_display_value(app, key, value, shown):
    with app.test_request_context():
        assert display_value(key, value) == shown


def test_answer_rows_follow_the_questionnaire_then_unknown_keys(app):
    with app.test_request_context():
        rows = answer_rows({"zzz_extra": "1", "email": "a@b.example", "name": "Ana"})
    assert [row.key for row in rows] == ["name", "email", "zzz_extra"]


@pytest.mark.parametrize(
    ("locale", "shown"), [("en", "1,200"), ("es", "1.200"), ("pt_BR", "1.200")]
)
def test_numbers_are_in_the_readers_format(app, locale, shown):
    with app.test_request_context(), force_locale(locale):
        assert display_value("new_patients_per_year", 1200) == shown
        assert display_value("oncologists_count", "1200") == shown  # stored as digits
        assert display_value("phone", "1200") == "1200"  # free text as typed
