"""Staff writes on responses, practices and contacts: the triage of survey responses (link,
merge, duplicate, spam, restore, dismiss a suggestion) and edits of practices and contacts.

Each function changes state, records its audit event, flushes and returns; the caller commits.
Triage also re-derives every practice it touched with
``crm.responses.matching.refresh_practice`` (spam and duplicates never count,
docs/domain.md#eligible-practices) and tells readiness which countries changed
(``notify_country_changed``). Errors a user can cause raise ``TriageError`` with a translated
message.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.audit import operations as audit
from crm.core.columns import utcnow
from crm.core.events import notify_country_changed
from crm.core.extensions import db
from crm.responses.matching import city_key, email_key, normalize_key, refresh_practice
from crm.responses.merging import (
    Absorbed,
    MergeRefused,
    absorb,
    merge_practices,
    move_contact,
    require_same_country,
)
from crm.responses.models import COUNTED_TRIAGE, Contact, Practice, SurveyResponse

logger = logging.getLogger(__name__)
#: Merging practices lives in ``crm.responses.merging``; triage reaches it from here too.
__all__ = ["Absorbed", "TriageError", "merge_practices"]

# --- triage: errors and helpers ----------------------------------------------------------------


class TriageError(MergeRefused):
    """A triage action that does not apply; ``str(error)`` is the user's message, translated."""


def _require_filed(response: SurveyResponse) -> None:
    """Triage works on filed responses: the worker would otherwise file one over a decision."""
    if response.filed_at is None:
        raise TriageError(_("This response is still being filed. Try again in a moment."))


def _stamp(response: SurveyResponse) -> None:
    response.triaged_at = utcnow()
    response.triaged_by_id = audit.current_actor()[0]


def _require_same_country(response_or_practice, practice: Practice) -> None:
    try:
        require_same_country(response_or_practice, practice)
    except MergeRefused as error:
        raise TriageError(str(error)) from None


def _count_responses(*conditions) -> int:
    """How many survey responses meet ``conditions``."""
    return db.session.scalar(select(func.count()).select_from(SurveyResponse).where(*conditions))


def _file_under(response: SurveyResponse, target: Practice) -> Absorbed | None:
    """Put ``response`` under ``target``; fold its old practice into ``target`` if left empty.

    The response's contact moves with it unless another response of the old practice uses it.
    Refreshes both practices. Returns what was folded, or None.
    """
    old = response.practice
    response.practice = target
    response.suggested_practice_id = None
    response.suggestion_score = None
    db.session.flush()
    absorbed = None
    if old is not None and old.id != target.id:
        if _count_responses(SurveyResponse.practice_id == old.id) == 0:
            absorbed = absorb(old, target)
        else:
            contact = response.contact
            still_used = _count_responses(
                SurveyResponse.practice_id == old.id,
                SurveyResponse.contact_id == response.contact_id,
            )
            if contact is not None and contact.practice_id == old.id and not still_used:
                move_contact(contact, target)
            refresh_practice(old)
            audit.record(
                "response.unlink",
                "survey_response",
                response.id,
                {"practice_id": [old.id, target.id]},
                country_code=old.country_code,
                practice_id=old.id,
            )
    refresh_practice(target)
    return absorbed


# --- triage: the actions ------------------------------------------------------------------------


def link_response(response: SurveyResponse, practice: Practice) -> SurveyResponse:
    """File ``response`` under an existing ``practice`` of the same country (status ``linked``).

    When its former practice is left with no response, that practice is folded into ``practice``
    (contacts, activities and tasks move) and deleted; the audit event says so. Raises
    ``TriageError`` for a practice in another country.
    """
    _require_filed(response)
    _require_same_country(response, practice)
    before = {"practice_id": response.practice_id, "triage_status": response.triage_status}
    absorbed = _file_under(response, practice)
    response.triage_status = "linked"
    _stamp(response)
    changes = audit.diff(before, {"practice_id": practice.id, "triage_status": "linked"})
    if absorbed is not None:
        changes.update(absorbed.as_changes())
    audit.record(
        "response.link",
        "survey_response",
        response.id,
        changes,
        country_code=practice.country_code,
        practice_id=practice.id,
    )
    db.session.flush()
    notify_country_changed(practice.country_code)
    logger.info("response %s linked to practice %s by %s", response.id, practice.id, _actor())
    return response


def mark_duplicate(response: SurveyResponse, of_practice: Practice | None = None) -> SurveyResponse:
    """Mark ``response`` a duplicate: it stays on record and never counts
    (docs/domain.md#eligible-practices).

    With ``of_practice`` (same country), the response is filed under that practice, its former
    practice folded in when left empty. Raises ``TriageError`` for another country.
    """
    _require_filed(response)
    before = {"practice_id": response.practice_id, "triage_status": response.triage_status}
    absorbed = None
    if of_practice is not None:
        _require_same_country(response, of_practice)
        response.triage_status = "duplicate"
        absorbed = _file_under(response, of_practice)
    else:
        response.triage_status = "duplicate"
        response.suggested_practice_id = None
        response.suggestion_score = None
        _refresh_own(response)
    _stamp(response)
    changes = audit.diff(
        before, {"practice_id": response.practice_id, "triage_status": "duplicate"}
    )
    if absorbed is not None:
        changes.update(absorbed.as_changes())
    _record_response_event("response.duplicate", response, changes)
    return response


def mark_spam(response: SurveyResponse) -> SurveyResponse:
    """Mark ``response`` as spam: kept, never counted; its practice loses its answers if this
    was its only counted response (docs/domain.md#eligible-practices)."""
    _require_filed(response)
    before = {"triage_status": response.triage_status}
    response.triage_status = "spam"
    response.suggested_practice_id = None
    response.suggestion_score = None
    _refresh_own(response)
    _stamp(response)
    _record_response_event("response.spam", response, audit.diff(before, {"triage_status": "spam"}))
    return response


def restore(response: SurveyResponse) -> SurveyResponse:
    """Undo spam or duplicate: back to ``linked`` when its practice has another counted
    response, else ``new`` (back in the inbox). Raises ``TriageError`` when not spam/duplicate."""
    _require_filed(response)
    if response.triage_status not in ("spam", "duplicate"):
        raise TriageError(_("Only responses marked as spam or duplicate can be restored."))
    before = {"triage_status": response.triage_status}
    siblings = 0
    if response.practice_id is not None:
        siblings = _count_responses(
            SurveyResponse.practice_id == response.practice_id,
            SurveyResponse.id != response.id,
            SurveyResponse.triage_status.in_(COUNTED_TRIAGE),
        )
    response.triage_status = "linked" if siblings else "new"
    _refresh_own(response)
    _stamp(response)
    _record_response_event(
        "response.restore", response, audit.diff(before, {"triage_status": response.triage_status})
    )
    return response


def dismiss_suggestion(response: SurveyResponse) -> SurveyResponse:
    """Keep ``response`` under its own practice: the suggested practice is a different one.

    Clears the suggestion; a ``new`` response becomes ``linked`` (triaged). Counts are unchanged.
    Audited as ``response.dismiss_suggestion``, or ``response.confirm_own`` when nothing was
    suggested (the response is confirmed as its own practice, docs/domain.md#inbox).
    """
    _require_filed(response)
    before = {
        "suggested_practice_id": response.suggested_practice_id,
        "triage_status": response.triage_status,
    }
    response.suggested_practice_id = None
    response.suggestion_score = None
    if response.triage_status == "new":
        response.triage_status = "linked"
    _stamp(response)
    after = {"suggested_practice_id": None, "triage_status": response.triage_status}
    changes = audit.diff(before, after)
    if before["suggested_practice_id"] is None:
        _record_response_event("response.confirm_own", response, changes)
    else:
        _record_response_event("response.dismiss_suggestion", response, changes)
    return response


def confirm_own_practice(response: SurveyResponse) -> SurveyResponse:
    """Confirm that a ``new`` response with no suggested practice is its own practice: it
    becomes ``linked`` (triaged) under the practice it created; counts are unchanged. Audited
    as ``response.confirm_own``, what the button says (docs/domain.md#inbox); a response given
    a suggestion meanwhile has it dismissed (:func:`dismiss_suggestion`). Raises
    ``TriageError`` when it was already triaged or is still being filed."""
    _require_filed(response)
    if response.triage_status != "new" and response.suggested_practice_id is None:
        raise TriageError(_("This response was already triaged."))
    return dismiss_suggestion(response)


def _refresh_own(response: SurveyResponse) -> None:
    if response.practice is not None:
        refresh_practice(response.practice)


def _record_response_event(action: str, response: SurveyResponse, changes: dict) -> None:
    audit.record(
        action,
        "survey_response",
        response.id,
        changes,
        country_code=response.country_code,
        practice_id=response.practice_id,
    )
    db.session.flush()
    notify_country_changed(response.country_code)
    logger.info("%s on response %s by %s", action, response.id, _actor())


def _actor() -> str:
    return audit.current_actor()[1]


# --- practices and contacts ----------------------------------------------------------------------


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def update_practice(
    practice: Practice, *, name: str, city: str | None, practice_type: str | None
) -> Practice:
    """Set a practice's name, city and type; the matching keys follow (names and cities are
    compared as docs/domain.md#eligible-practices says).

    Records ``practice.update`` with the changed fields only (nothing when nothing changed).
    """
    fields = ("name", "city", "practice_type")
    before = {f: getattr(practice, f) for f in fields}
    practice.name = name.strip()
    practice.name_key = normalize_key(practice.name)
    practice.city = _clean(city)
    practice.city_key = city_key(practice.city) or None
    practice.practice_type = practice_type or None
    changes = audit.diff(before, {f: getattr(practice, f) for f in fields})
    if changes:
        audit.record(
            "practice.update",
            "practice",
            practice.id,
            changes,
            country_code=practice.country_code,
            practice_id=practice.id,
        )
    db.session.flush()
    logger.info("practice %s updated by %s", practice.id, _actor())
    return practice


def update_contact(
    contact: Contact,
    *,
    name: str,
    role: str | None,
    email: str,
    phone: str | None,
    preferred_language: str | None,
    permission_to_contact: bool,
) -> Contact:
    """Edit a contact. A change of permission to contact (e.g. a withdrawal) is stamped with
    ``permission_changed_at`` (UTC now). Records ``contact.update`` with the changed fields."""
    fields = ("name", "role", "email", "phone", "preferred_language", "permission_to_contact")
    before = {f: getattr(contact, f) for f in fields}
    contact.name = name.strip()
    contact.role = _clean(role)
    contact.email = email.strip()
    contact.email_key = email_key(contact.email)
    contact.phone = _clean(phone)
    contact.preferred_language = preferred_language or None
    if permission_to_contact != contact.permission_to_contact:
        contact.permission_to_contact = permission_to_contact
        contact.permission_changed_at = utcnow()
    changes = audit.diff(before, {f: getattr(contact, f) for f in fields})
    if changes:
        practice_id = contact.practice_id
        country_code = contact.practice.country_code if contact.practice is not None else None
        audit.record(
            "contact.update",
            "contact",
            contact.id,
            changes,
            country_code=country_code,
            practice_id=practice_id,
        )
    db.session.flush()
    logger.info("contact %s updated by %s", contact.id, _actor())
    return contact


# --- the inbox's bulk actions --------------------------------------------------------------------


def assign_response(response: SurveyResponse, user_id: int | None) -> SurveyResponse:
    """Ask a staff member (``user_id``; None: nobody) to triage ``response``. Records
    ``response.assign`` when it changes."""
    if response.assigned_to_id == user_id:
        return response
    before = {"assigned_to_id": response.assigned_to_id}
    response.assigned_to_id = user_id
    audit.record(
        "response.assign",
        "survey_response",
        response.id,
        audit.diff(before, {"assigned_to_id": user_id}),
        country_code=response.country_code,
        practice_id=response.practice_id,
    )
    db.session.flush()
    return response


def triage_many(responses: list[SurveyResponse], action: str, user_id: int | None = None
                ) -> tuple[int, int]:  # fmt: skip
    """Mark every response spam (``action`` "spam"), duplicate ("duplicate"), or assign them
    to ``user_id`` ("assign"), each audited as one by one; the caller commits once. Responses
    the action does not apply to (still being filed, already so marked) are left as they are.
    Returns (changed, left)."""
    changed = left = 0
    for response in responses:
        if action == "assign":
            before = response.assigned_to_id
            assign_response(response, user_id)
            changed, left = (changed + 1, left) if before != user_id else (changed, left + 1)
            continue
        wanted = {"spam": "spam", "duplicate": "duplicate"}[action]
        if response.filed_at is None or response.triage_status == wanted:
            left += 1
            continue
        (mark_spam if action == "spam" else mark_duplicate)(response)
        changed += 1
    return changed, left
