"""Likely spam: what makes a response look like spam, with its reasons
(docs/domain.md#likely-spam). Only a flag, set when a response is filed: it is never discarded
or marked spam by itself; staff decide. Plain functions on plain data: no database, no Flask.

- **A link where a name belongs**: a web address in the person's or the practice's name.
- **A country everything else contradicts**: the practice's country is one, while the email's
  country domain and the phone's calling code both name the same other one (a free-mail or
  ``.com`` address, or a phone without its ``+`` code, says nothing).
- **Many responses from one email address in minutes**: :data:`BURST_COUNT` or more within
  :data:`BURST_MINUTES` (the survey keeps no network address, so the email is the address).
"""

from __future__ import annotations

import re

import phonenumbers

from crm.responses.similarity import Reason

#: Responses from one email address within BURST_MINUTES that make a burst.
BURST_COUNT = 3
BURST_MINUTES = 10
#: A web address: a scheme, "www.", or a name ending in a common web domain.
_LINK = re.compile(
    r"(https?://|www\.|<a\s|\b[\w-]{2,}\.(com|net|org|info|biz|xyz|top|site|online|shop|click|"
    r"ru|cn|io|ly|me)\b)",
    re.IGNORECASE,
)
#: Two-letter domains used worldwide rather than for their country.
_GENERIC_CC = frozenset({"io", "ai", "me", "tv", "fm", "ly", "to", "cc", "ws", "co", "eu"})
#: Country domains that are not the ISO code.
_DOMAIN_COUNTRY = {"uk": "GB"}


def has_link(text: str | None) -> bool:
    """Whether ``text`` holds a web address."""
    return bool(text and _LINK.search(text))


def email_country(email: str | None) -> str | None:
    """The ISO code an email's country domain names ("ana@x.com.br" → BR); None for generic
    or worldwide domains."""
    _, at, domain = (email or "").strip().lower().rpartition("@")
    tld = domain.rsplit(".", 1)[-1] if at and "." in domain else ""
    if len(tld) != 2 or tld in _GENERIC_CC:
        return None
    return _DOMAIN_COUNTRY.get(tld, tld.upper())


def phone_country(phone: str | None) -> str | None:
    """The ISO code of a phone's calling code when it is written with its "+" code; None
    otherwise, or when the code is shared (+1) or unknown."""
    if not phone or not phone.strip().startswith("+"):
        return None
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(number)
    return region if region and region != "ZZ" else None


def likely_spam(answers: dict, country_code: str | None, recent_from_email: int) -> list[Reason]:
    """Why a response looks like spam (empty: it does not). ``answers`` are the response's
    (``crm.responses.questionnaire`` keys); ``recent_from_email`` counts the responses from
    the same email address within :data:`BURST_MINUTES` before it, itself included."""
    found = []
    if has_link(answers.get("name")) or has_link(answers.get("practice_name")):
        found.append(Reason("link_in_name"))
    by_email, by_phone = email_country(answers.get("email")), phone_country(answers.get("phone"))
    if country_code and by_email and by_email == by_phone and by_email != country_code:
        found.append(Reason("country_contradicted", {"country": country_code, "other": by_email}))
    if recent_from_email >= BURST_COUNT:
        found.append(Reason("burst", {"count": recent_from_email, "minutes": BURST_MINUTES}))
    return found


def as_json(reasons: list[Reason]) -> list[dict] | None:
    """Reasons as the ``spam_signals`` column keeps them; None for none."""
    return [{"code": r.code, "params": r.params} for r in reasons] or None


def from_json(signals: list | None) -> list[Reason]:
    """The ``spam_signals`` column's reasons."""
    return [Reason(s["code"], s.get("params") or {}) for s in signals or ()]
