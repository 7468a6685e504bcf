"""Staff edits of practices and contacts (SPEC §2, §5). Audited; the caller commits."""

from __future__ import annotations

import logging

from crm import audit
from crm.extensions import db
from crm.models import Contact, Practice
from crm.models._types import utcnow
from crm.practices import city_key, email_key, normalize_key

logger = logging.getLogger(__name__)


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def update_practice(
    practice: Practice, *, name: str, city: str | None, practice_type: str | None
) -> Practice:
    """Set a practice's name, city and type; the matching keys follow (SPEC §3 normalization).

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
    logger.info("practice %s updated by %s", practice.id, audit.current_actor()[1])
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
    logger.info("contact %s updated by %s", contact.id, audit.current_actor()[1])
    return contact
