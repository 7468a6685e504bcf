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
