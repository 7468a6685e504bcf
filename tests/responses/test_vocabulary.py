"""The responses' vocabularies are defined once, in ``crm.responses.models`` and
``crm.responses.questionnaire``: every title (``crm.labels``, ``crm.responses.answers``) and
every form's choices cover exactly those values, in that order."""

from __future__ import annotations

import pytest

from crm import labels
from crm.core.i18n import LOCALES
from crm.responses import answers, forms, models, questionnaire


@pytest.mark.parametrize(
    ("titles", "values"),
    [
        (labels.TRIAGE, models.TRIAGE_STATUSES),
        (labels.INTEREST_LEVEL, models.INTEREST_LEVELS),
        (labels.TIMEFRAME, models.TIMEFRAMES),
        (labels.PRACTICE_TYPE, models.PRACTICE_TYPES),
        (answers.LANGUAGE, models.LANGUAGES),
    ],
)
def test_every_value_has_one_title(titles, values):
    assert tuple(titles) == tuple(values)


def test_the_languages_are_the_locales():
    assert models.LANGUAGES == LOCALES
    assert questionnaire.CHOICES["preferred_language"] == LOCALES


def test_every_closed_question_has_titles_for_its_values():
    closed = {**questionnaire.CHOICES, **questionnaire.MULTI_CHOICES}
    assert set(answers.CHOICE_LABELS) == set(closed)
    for key, values in closed.items():
        assert set(values) <= set(answers.CHOICE_LABELS[key]), key


def test_counted_and_interested_values_are_of_their_vocabulary():
    assert set(models.COUNTED_TRIAGE) <= set(models.TRIAGE_STATUSES)
    assert set(models.INTERESTED_LEVELS) <= set(models.INTEREST_LEVELS)


def test_form_choices_follow_the_vocabularies(app):
    with app.test_request_context():
        inbox = forms.InboxFilterForm(meta={"csrf": False})
        practice = forms.PracticeForm(meta={"csrf": False})
        contact = forms.ContactForm(meta={"csrf": False})
        practices = forms.PracticeFilterForm(meta={"csrf": False})
    assert [c.value for c in inbox.status.choices] == [*models.TRIAGE_STATUSES, forms.ALL]
    assert [c.value for c in inbox.language.choices] == ["", *LOCALES]
    assert [c.value for c in practice.practice_type.choices] == ["", *models.PRACTICE_TYPES]
    assert [c.value for c in contact.preferred_language.choices] == ["", *LOCALES]
    assert [c.value for c in practices.program.choices] == ["", "QOPI", "QCP", "QTP"]
