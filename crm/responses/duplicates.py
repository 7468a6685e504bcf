"""The scan for practices already in the CRM that are likely the same (docs/domain.md#merges):
pairs in one country, each with its score and reasons, best first.

Pairs are looked for, not every pair of a country compared: two practices are compared when
they share a name key (a word, or the first or last four letters of one) held by few
practices of the country (:data:`BLOCK_LIMIT`: a word most practices share, like "clinica",
finds nothing by itself), or an organization's email domain, or a phone. Each pair is then
scored by ``crm.responses.similarity.compare``. Pairs staff said are not the same
(``practice_distinct_pairs``) are never listed again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from sqlalchemy import func, select

from crm.core.extensions import db
from crm.responses import similarity
from crm.responses.matching import practices_facts
from crm.responses.models import Contact, DistinctPractices, Practice, PracticeNameKey

#: Most practices of a country under one name key, email domain or phone for its pairs to be
#: compared: more say the key is a common word ("hospital"), not a name.
BLOCK_LIMIT = 25
#: A pair sharing an email domain or a phone is listed from this name score on; other pairs
#: need ``similarity.NAME_FLOOR`` (the suggestions' rule).
NAME_FLOOR_WITH_CONTACT = 70.0
#: Pairs compared at most per scan (the cost stays bounded in a country of many practices).
MAX_COMPARED = 200_000


@dataclass(frozen=True)
class DuplicatePair:
    """Two practices of one country likely the same: ``first`` has the lower id."""

    first: Practice
    second: Practice
    alike: similarity.Similarity


def best_first(pair: DuplicatePair) -> tuple:
    """Sort key: highest score, then highest name score, then the oldest pair."""
    return -pair.alike.score, -pair.alike.name_score, pair.first.id, pair.second.id


def likely_same(alike: similarity.Similarity) -> bool:
    """Whether a pair is listed: alike enough to be suggested (``similarity.suggests``), or
    sharing an email domain or a phone with a name from :data:`NAME_FLOOR_WITH_CONTACT`."""
    if similarity.suggests(alike):
        return True
    shared = {r.code for r in alike.reasons} & {"same_email_domain", "same_phone"}
    return (
        bool(shared)
        and alike.name_score >= NAME_FLOOR_WITH_CONTACT
        and (alike.score >= similarity.SUGGESTION_SCORE)
    )


def _name_key_pairs(country_code: str) -> set[tuple[int, int]]:
    """Pairs of the country's practices sharing a name key that few of them hold."""
    rare = (
        select(PracticeNameKey.key)
        .where(PracticeNameKey.country_code == country_code)
        .group_by(PracticeNameKey.key)
        .having(func.count().between(2, BLOCK_LIMIT))
    )
    groups: dict[str, list[int]] = defaultdict(list)
    for key, practice_id in db.session.execute(
        select(PracticeNameKey.key, PracticeNameKey.practice_id).where(
            PracticeNameKey.country_code == country_code, PracticeNameKey.key.in_(rare)
        )
    ):
        groups[key].append(practice_id)
    return _pairs(groups.values())


def _contact_pairs(country_code: str) -> set[tuple[int, int]]:
    """Pairs of the country's practices whose contacts share an organization's email domain
    or a phone (their last digits), each held by few practices."""
    groups: dict[str, set[int]] = defaultdict(set)
    for practice_id, email, phone in db.session.execute(
        select(Contact.practice_id, Contact.email, Contact.phone)
        .join(Practice, Practice.id == Contact.practice_id)
        .where(Practice.country_code == country_code)
    ):
        domain, digits = similarity.email_domain(email), similarity.phone_key(phone)
        if domain:
            groups["@" + domain].add(practice_id)
        if digits:
            groups["#" + digits].add(practice_id)
    return _pairs(g for g in groups.values() if len(g) <= BLOCK_LIMIT)


def _pairs(groups: Iterable[Iterable[int]]) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for group in groups:
        found.update(combinations(sorted(set(group)), 2))
    return found


def _not_the_same(country_code: str) -> set[tuple[int, int]]:
    rows = db.session.execute(
        select(DistinctPractices.first_practice_id, DistinctPractices.second_practice_id)
        .join(Practice, Practice.id == DistinctPractices.first_practice_id)
        .where(Practice.country_code == country_code)
    )
    return {(first, second) for first, second in rows}


def scan_country(country_code: str) -> list[DuplicatePair]:
    """The likely duplicate pairs of one country (ISO code), best first: highest score, then
    highest name score, then the oldest pair."""
    candidates = (_name_key_pairs(country_code) | _contact_pairs(country_code)) - _not_the_same(
        country_code
    )
    candidates = set(sorted(candidates)[:MAX_COMPARED])
    ids = sorted({i for pair in candidates for i in pair})
    practices: dict[int, Practice] = {}
    for start in range(0, len(ids), 500):
        chunk = select(Practice).where(Practice.id.in_(ids[start : start + 500]))
        practices.update((p.id, p) for p in db.session.scalars(chunk))
    known = practices_facts(list(practices.values()))
    found = []
    for first, second in candidates:
        if first not in known or second not in known:
            continue
        alike = similarity.compare(known[first], known[second])
        if likely_same(alike):
            found.append(DuplicatePair(practices[first], practices[second], alike))
    return sorted(found, key=best_first)


def scan(country_codes: Iterable[str] | None = None) -> list[DuplicatePair]:
    """Likely duplicate pairs in each of ``country_codes`` (every country with practices when
    None), best first across countries."""
    if country_codes is None:
        country_codes = db.session.scalars(select(Practice.country_code).distinct())
    found = [pair for code in sorted(set(country_codes)) for pair in scan_country(code)]
    return sorted(found, key=best_first)
