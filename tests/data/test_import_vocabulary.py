"""One vocabulary of an import's steps: the model's statuses, titled once in ``crm.labels`` for
the wizard's pages and the audit log alike."""

from crm import labels
from crm.audit.vocabulary import VALUES
from crm.data.forms.imports import IMPORT_STATUS_TITLES
from crm.data.models import IMPORT_STATUSES


def test_every_import_status_has_one_title_read_everywhere():
    assert tuple(labels.IMPORT_STATUS) == IMPORT_STATUSES
    assert IMPORT_STATUS_TITLES is labels.IMPORT_STATUS
    assert VALUES[("import_batch", "status")] is labels.IMPORT_STATUS


def test_language_answers_are_shown_by_their_own_names_and_read_in_any_language(app):
    # Screens name a language in itself ("Español"), as the language filters do; a file's
    # "Spanish" or "Espanhol" is still read.
    from flask_babel import force_locale

    from crm.data.imports.values import suggest_value, value_titles

    with app.test_request_context(), force_locale("es"):
        assert value_titles("language") == {"en": "English", "es": "Español", "pt_BR": "Português"}
        assert suggest_value("language", "Spanish") == "es"
        assert suggest_value("language", "Espanhol") == "es"
        assert suggest_value("language", "Inglés") == "en"
