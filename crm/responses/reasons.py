"""The sentences staff read for the reasons behind a suggestion, a duplicate pair and a
likely-spam flag (docs/domain.md#suggestions, docs/domain.md#likely-spam), in the reader's
language. The rules that find the reasons are ``crm.responses.similarity`` and
``crm.responses.spam``; their sentences are here, once."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask_babel import gettext as _

from crm.core.i18n import country_name
from crm.responses.similarity import Reason

#: Reason code → its sentence, built from the reason's params.
SENTENCES: dict[str, Callable[[dict], str]] = {
    "name": lambda p: _("Names alike: %(score)s of 100 once short forms are read as words.",
                        score=p.get("score", 0)),
    "same_city": lambda p: _("Same city (%(city)s).", city=p.get("other_city") or ""),
    "different_city": lambda p: _("Different city: %(city)s and %(other)s.",
                                  city=p.get("city") or "", other=p.get("other_city") or ""),
    "same_email_domain": lambda p: _("Same email domain (%(domain)s).",
                                     domain=p.get("domain") or ""),
    "different_email_domain": lambda p: _(
        "Different email domains: %(domain)s and %(other)s.", domain=p.get("domain") or "",
        other=p.get("other_domain") or ""),
    "same_phone": lambda p: _("Same phone number."),
    "different_phone": lambda p: _("Different phone numbers."),
    "link_in_name": lambda p: _("A web link where a name belongs."),
    "country_contradicted": lambda p: _(
        "The practice's country is %(country)s, but its email and phone both point to "
        "%(other)s.", country=country_name(p.get("country") or ""),
        other=country_name(p.get("other") or "")),
    "burst": lambda p: _(
        "%(count)s responses from this email address within %(minutes)s minutes.",
        count=p.get("count", 0), minutes=p.get("minutes", 0)),
}  # fmt: skip
#: Reasons that count against a pair being the same practice (shown as such).
AGAINST = frozenset({"different_city", "different_email_domain", "different_phone"})


def sentence(reason: Reason) -> str:
    """One reason as a sentence in the reader's language; its code when it has none."""
    build = SENTENCES.get(reason.code)
    return build(reason.params) if build is not None else reason.code


def sentences(reasons: Iterable[Reason]) -> list[tuple[str, bool]]:
    """``(sentence, counts against)`` for each reason, in order."""
    return [(sentence(r), r.code in AGAINST) for r in reasons]
