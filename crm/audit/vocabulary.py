"""The words of the audit trail (docs/domain.md#audit-in-words): a sentence per kind of event,
the name of each kind of record, the title of each recorded field and the titles of the values
a field holds. ``crm.audit.wording`` puts them together; a test checks that every event the
code records has its own sentence.

Sentences take ``%(actor)s`` (who acted) and ``%(object)s`` (what was acted on, a phrase with
its article: "the agreement with …"), both optional. A sentence about a part of a record takes
``%(of_object)s`` instead: the record's phrase with its preposition, one message per kind of
record ("of the file “…”"), so that each language writes its own contraction ("del archivo",
"do arquivo") rather than gluing "de" to an article ("de el", "de o").
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from crm import labels
from crm.core.i18n import LANGUAGE_NAMES

#: Action → its sentence.
SENTENCES: dict[str, Any] = {
    "availability.update": _l("%(actor)s changed the availability %(of_object)s"),
    "privacy_review.create": _l("%(actor)s added %(object)s"),
    "privacy_review.update": _l("%(actor)s changed %(object)s"),
    "country_agreement.create": _l("%(actor)s added %(object)s"),
    "country_agreement.update": _l("%(actor)s changed %(object)s"),
    "threshold.set": _l("%(actor)s set %(object)s"),
    "threshold.clear": _l("%(actor)s removed the override %(of_object)s"),
    "program.update": _l("%(actor)s changed the settings %(of_object)s"),
    "user.create": _l("%(actor)s created %(object)s"),
    "user.update": _l("%(actor)s changed %(object)s"),
    "user.deactivate": _l("%(actor)s deactivated %(object)s"),
    "user.reactivate": _l("%(actor)s reactivated %(object)s"),
    "user.unlock": _l("%(actor)s unlocked %(object)s"),
    "user.lock": _l("%(object)s was locked after too many failed logins"),
    "user.reset_two_factor": _l("%(actor)s reset the two-factor authentication %(of_object)s"),
    "user.two_factor": _l("%(actor)s changed the two-factor authentication %(of_object)s"),
    "user.password_change": _l("%(actor)s changed the password %(of_object)s"),
    "user.end_sessions": _l("%(actor)s ended the sessions %(of_object)s"),
    "user.preferences": _l("%(actor)s changed the preferences %(of_object)s"),
    "sessions.end": _l("%(actor)s ended sessions %(of_object)s"),
    "invitation.create": _l("%(actor)s invited %(object)s to answer the survey"),
    "contact.unsubscribe": _l("%(object)s unsubscribed from outreach emails"),
    "contact.update": _l("%(actor)s changed %(object)s"),
    "country.owner": _l("%(actor)s changed the owner %(of_object)s"),
    "api_token.create": _l("%(actor)s created %(object)s"),
    "api_token.revoke": _l("%(actor)s revoked %(object)s"),
    "api_token.expire": _l("%(actor)s ended %(object)s now"),
    "activity.create": _l("%(actor)s logged %(object)s"),
    "task.create": _l("%(actor)s added %(object)s"),
    "task.status": _l("%(actor)s changed the status %(of_object)s"),
    "practice.update": _l("%(actor)s changed %(object)s"),
    "practice.merge": _l("%(actor)s merged another practice into %(object)s"),
    "practice.not_duplicate": _l("%(actor)s marked %(object)s as not a duplicate"),
    "saved_view.create": _l("%(actor)s saved %(object)s"),
    "saved_view.update": _l("%(actor)s saved %(object)s again"),
    "saved_view.delete": _l("%(actor)s deleted %(object)s"),
    "response.assign": _l("%(actor)s assigned %(object)s"),
    "response.link": _l("%(actor)s filed %(object)s under its practice"),
    "response.unlink": _l("%(actor)s moved %(object)s to another practice"),
    "response.duplicate": _l("%(actor)s marked %(object)s as a duplicate"),
    "response.spam": _l("%(actor)s marked %(object)s as spam"),
    "response.restore": _l("%(actor)s restored %(object)s"),
    "response.dismiss_suggestion": _l("%(actor)s dismissed the practice suggested for %(object)s"),
    "response.confirm_own": _l("%(actor)s confirmed %(object)s as its own practice"),
    "import_batch.create": _l("%(actor)s uploaded %(object)s to import it"),
    "import_batch.map": _l("%(actor)s mapped the columns %(of_object)s"),
    "import_batch.map_values": _l("%(actor)s mapped the answers %(of_object)s"),
    "import_batch.commit": _l("%(actor)s imported %(object)s"),
    "import_batch.discard": _l("%(actor)s discarded %(object)s"),
    "import_batch.undo": _l("%(actor)s undid the import %(of_object)s"),
    "import_template.save": _l("%(actor)s saved %(object)s"),
    "export.responses": _l("%(actor)s exported the survey responses"),
    "export.practices": _l("%(actor)s exported the practices"),
    "export.contacts": _l("%(actor)s exported the contacts"),
    "export.audit": _l("%(actor)s exported the audit log"),
    "export.search": _l("%(actor)s searched the CRM through the API"),
    "privacy.erase": _l("%(actor)s erased the data held about a person"),
    "privacy.export": _l("%(actor)s exported the data held about a person"),
    "retention.purge": _l("%(actor)s deleted responses past their retention period"),
    "retention.drafts": _l("%(actor)s deleted expired survey drafts"),
    "outbox.retry_failed": _l("%(actor)s queued failed emails again"),
    "demo.load": _l("%(actor)s loaded the demo data"),
}
#: Sentences for a change of status that is a decision: (action, new status) → sentence.
STATUS_SENTENCES: dict[tuple[str, str], Any] = {
    ("privacy_review.update", "approved"): _l("%(actor)s recorded the approval %(of_object)s"),
    ("privacy_review.update", "approved_with_conditions"): _l(
        "%(actor)s recorded the approval with conditions %(of_object)s"
    ),
    ("privacy_review.update", "rejected"): _l("%(actor)s recorded the rejection %(of_object)s"),
    ("country_agreement.update", "signed"): _l("%(actor)s signed %(object)s"),
    ("country_agreement.update", "terminated"): _l("%(actor)s terminated %(object)s"),
}
#: Sentences of an action no entry above names, by its verb (the part after the dot).
VERB_SENTENCES: dict[str, Any] = {
    "create": _l("%(actor)s added %(object)s"),
    "delete": _l("%(actor)s deleted %(object)s"),
    "clear": _l("%(actor)s removed %(object)s"),
}
OTHER_SENTENCE = _l("%(actor)s changed %(object)s")

#: Kind of record (``entity_type``) → its name in the audit log's filter, and the phrase
#: naming a record of that kind when nothing more is known of it.
KINDS: dict[str, tuple[Any, Any]] = {
    "availability": (_l("Availability"), _l("a program's availability")),
    "privacy_review": (_l("Privacy reviews"), _l("a privacy review")),
    "country_agreement": (_l("Country agreements"), _l("a country agreement")),
    "country_threshold": (_l("Thresholds"), _l("a threshold")),
    "program": (_l("Program settings"), _l("a program")),
    "country": (_l("Countries"), _l("a country")),
    "user": (_l("Accounts"), _l("an account")),
    "api_token": (_l("API tokens"), _l("an API token")),
    "invitation": (_l("Invitations"), _l("a contact")),
    "contact": (_l("Contacts"), _l("a contact")),
    "activity": (_l("Activities"), _l("an activity")),
    "task": (_l("Tasks"), _l("a task")),
    "practice": (_l("Practices"), _l("a practice")),
    "survey_response": (_l("Responses"), _l("a response")),
    "import_batch": (_l("Imports"), _l("an imported file")),
    "import_template": (_l("Import templates"), _l("an import template")),
    "export": (_l("Exports"), _l("an export")),
    "data_subject": (_l("Data-subject requests"), _l("a person's data")),
    "outbox_message": (_l("Emails"), _l("emails")),
    "survey_draft": (_l("Survey drafts"), _l("survey drafts")),
    "saved_view": (_l("Saved views"), _l("a saved view")),
    "database": (_l("Demo data"), _l("the demo data")),
    "audit": (_l("Audit log"), _l("the audit log")),
}
OTHER_KIND = (_l("Other records"), _l("a record"))
#: Kind of record → ``%(of_object)s`` for a record of that kind when nothing more is known of
#: it (a record deleted since); the known ones are named in ``crm.audit.objects``.
OF_KINDS: dict[str, Any] = {
    "availability": _l("of a program in a country"),
    "privacy_review": _l("of a privacy review"),
    "country_threshold": _l("of a threshold"),
    "program": _l("of a program"),
    "country": _l("of a country"),
    "user": _l("of an account"),
    "task": _l("of a task"),
    "import_batch": _l("of an imported file"),
}
OTHER_OF_KIND = _l("of a record")

#: Field → its title.
FIELDS: dict[str, Any] = {
    "list_name": _l("List"),
    "query": _l("Filters and sort"),
    "shared": _l("Shared with the team"),
    "status": _l("Status"),
    "since": _l("Since"),
    "source": _l("Source"),
    "as_of": _l("As of"),
    "note": _l("Note"),
    "notes": _l("Notes"),
    "programs": _l("Programs"),
    "program": _l("Program"),
    "status_since": _l("Status since"),
    "applicable_law": _l("Applicable law"),
    "counsel": _l("Counsel"),
    "requested_on": _l("Requested on"),
    "decided_on": _l("Decided on"),
    "conditions": _l("Conditions"),
    "counterparty": _l("Counterparty"),
    "signed_on": _l("Signed on"),
    "effective_on": _l("Effective from"),
    "expires_on": _l("Expires"),
    "min_eligible_practices": _l("Eligible practices needed"),
    "reason": _l("Reason"),
    "default_threshold": _l("Default threshold"),
    "capacity": _l("Capacity"),
    "email": _l("Email"),
    "role": _l("Role"),
    "name": _l("Name"),
    "active": _l("Active"),
    "failed_logins": _l("Failed logins"),
    "sessions": _l("Sessions ended"),
    "locked_until": _l("Locked until"),
    "two_factor": _l("Two-factor authentication"),
    "locale": _l("Language"),
    "language": _l("Language"),
    "digest": _l("Alerts by email"),
    "password": _l("Password"),
    "permission_to_contact": _l("Permission to contact"),
    "owner": _l("Owner"),
    "user": _l("Account"),
    "prefix": _l("Token"),
    "label": _l("Label"),
    "scope": _l("Scope"),
    "expires_at": _l("Works until"),
    "revoked": _l("Revoked"),
    "kind": _l("Kind"),
    "subject": _l("Subject"),
    "occurred_on": _l("Day"),
    "occurred_at": _l("Time"),
    "title": _l("Title"),
    "due_on": _l("Due"),
    "practice_id": _l("Practice"),
    "triage_status": _l("Triage status"),
    "assigned_to_id": _l("Assigned to"),
    "suggested_practice_id": _l("Suggested practice"),
    "suggestion_score": _l("Similarity"),
    "city": _l("City"),
    "practice_type": _l("Practice type"),
    "phone": _l("Phone"),
    "preferred_language": _l("Preferred language"),
    "filename": _l("File"),
    "rows": _l("Rows"),
    "columns": _l("Columns"),
    "values": _l("Answers"),
    "fixed": _l("Same value for every row"),
    "template": _l("Template"),
    "imported": _l("Imported"),
    "already_imported": _l("Seen before"),
    "skipped": _l("Skipped for errors"),
    "linked": _l("Filed under an existing practice"),
    "new": _l("New practices"),
    "removed": _l("Removed"),
    "restored": _l("Restored"),
    "kept": _l("Left as staff changed them"),
    "format": _l("Format"),
    "filters": _l("Filters"),
    "labels": _l("Headings and values"),
    "country": _l("Country"),
    "responses": _l("Responses"),
    "contacts": _l("Contacts"),
    "practices": _l("Practices"),
    "seed": _l("Seed"),
    "erased": _l("Erased"),
    "records": _l("Records"),
    "deleted": _l("Deleted"),
    "requeued": _l("Queued again"),
    "kinds": _l("Kinds of email"),
    "contact_id": _l("Contact"),
    "merged_practice_id": _l("Merged practice"),
    "deleted_practice": _l("Practice merged and deleted"),
    "moved_responses": _l("Responses moved"),
    "moved_contacts": _l("Contacts moved"),
    "merged_contacts": _l("Contacts merged"),
    "moved_activities": _l("Activities moved"),
    "moved_tasks": _l("Tasks moved"),
    "moved_invitations": _l("Invitations moved"),
    "not_the_same_as": _l("Not the same as"),
    "suggested": _l("Only responses with a suggested duplicate"),
    "permission": _l("Permission to contact"),
    "from": _l("From"),
    "to": _l("Until"),
    "q": _l("Search"),
    "interest": _l("Interested in"),
    "region": _l("Region"),
    "availability": _l("Availability"),
    "readiness": _l("Readiness"),
}
#: Fields that only say which record a change is about (shown in the sentence, not as a change),
#: or whose values are never shown.
HIDDEN_FIELDS = frozenset({"program", "contact_id", "password"})

#: Field → the titles of its values; a field of several vocabularies is keyed by its record's
#: kind first: ``(entity_type, field)``.
VALUES: dict[Any, Any] = {
    ("availability", "status"): labels.AVAILABILITY,
    ("privacy_review", "status"): labels.PRIVACY_REVIEW,
    ("country_agreement", "status"): labels.AGREEMENT,
    ("task", "status"): labels.TASK_STATUS,
    ("export", "status"): {**labels.TRIAGE, "all": _l("All statuses")},
    ("import_batch", "status"): labels.IMPORT_STATUS,
    ("saved_view", "list_name"): labels.STAFF_LIST,
    # A saved list's status filter: a response's, a task's or every one.
    ("saved_view", "status"): {
        **labels.TRIAGE,
        **labels.TASK_STATUS,
        "all": _l("All statuses"),
    },
    "permission": {"yes": _l("Yes"), "no": _l("No")},
    "triage_status": labels.TRIAGE,
    "role": labels.ROLE,
    "locale": LANGUAGE_NAMES,
    "language": LANGUAGE_NAMES,
    "preferred_language": LANGUAGE_NAMES,
    "labels": {**LANGUAGE_NAMES, "codes": _l("Codes, for scripts")},
    "digest": labels.DIGEST,
    "kind": labels.ACTIVITY_KIND,
    "practice_type": labels.PRACTICE_TYPE,
    "interest": labels.PROGRAM_NAME,
    "readiness": labels.READINESS_STATE,
    "availability": labels.AVAILABILITY,
    "two_factor": {"authenticator": _l("Authenticator app")},
    "scope": {"read": _l("Read"), "write": _l("Read and write")},
    "format": {"csv": "CSV", "xlsx": "Excel (XLSX)"},
    "source": {"staff": _l("Staff"), "api": _l("API")},
    "kinds": {
        "confirmation": _l("Confirmations"),
        "invitation": _l("Invitations"),
        "reminder": _l("Reminders"),
        "digest": _l("Digests"),
        "resume_link": _l("Links to finish the survey"),
    },
}
#: Fields holding an account's email: shown as that person's name.
PERSON_FIELDS = frozenset({"owner", "user"})
#: Fields holding a practice's id: shown as its name.
PRACTICE_FIELDS = frozenset(
    {"practice_id", "suggested_practice_id", "merged_practice_id", "not_the_same_as"}
)
#: Fields holding an account's id: shown as that person's name.
USER_ID_FIELDS = frozenset({"assigned_to_id"})
#: Fields holding an ISO country code: shown as its name.
COUNTRY_FIELDS = frozenset({"country", "country_code"})
#: Fields of an import's mapping (answer key → column, fixed value or the file's answers):
#: said as what they map, never as counts of "answers".
IMPORT_MAPPING_FIELDS = frozenset({"columns", "values", "fixed"})
#: Fields holding a number that is a name, not a quantity: shown without digit grouping.
IDENTIFYING_NUMBERS = frozenset({"seed"})
#: Fields holding a list's filters as a query string: shown as "Title: value" pairs.
QUERY_FIELDS = frozenset({"query"})
