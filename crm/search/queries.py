"""The global search: what a person may find for a query, grouped by kind, newest first
(docs/decisions.md#search-index). Viewers find countries only: practices, contacts, responses
and tasks are personal data for staff (docs/domain.md#roles)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm.accounts.people import display_name
from crm.activities.models import Task
from crm.core.extensions import db
from crm.core.i18n import LOCALES, active_locale, country_name, sort_by_country
from crm.countries.models import Country
from crm.responses.models import Contact, Practice, SurveyResponse
from crm.search.index import Terms, newest_ids, terms

#: Results shown per kind (one more is read, to tell whether there are more).
PER_KIND = 8
#: The kinds, in the order they are shown, and who may find them.
PEOPLE_KINDS = ("practices", "contacts", "responses", "tasks")


@dataclass(frozen=True)
class Hit:
    """One result: its kind, id, what it is called and a line about it (both highlighted by
    the page), and where it lives (a URL endpoint with its values)."""

    kind: str
    id: int | str
    title: str
    detail: str
    endpoint: str
    values: dict = field(default_factory=dict)


@dataclass
class Results:
    """Hits per kind, in :data:`KINDS` order; ``more`` names the kinds that have more."""

    query: str
    terms: Terms
    groups: dict[str, list[Hit]] = field(default_factory=dict)
    more: set[str] = field(default_factory=set)

    @property
    def total(self) -> int:
        return sum(len(hits) for hits in self.groups.values())


@functools.cache
def _country_prefixes(locale: str) -> dict[str, frozenset[str]]:
    """Every start of every word of the countries' names in ``locale`` (as plain words) → the
    ISO codes of the countries whose name has a word starting so; built once per process, so
    a search looks countries up instead of reading every name."""
    prefixes: dict[str, set[str]] = {}
    for code, name in Locale.parse(locale).territories.items():
        if len(code) != 2 or not code.isalpha():
            continue
        for word in terms(name).words:
            for end in range(1, len(word) + 1):
                prefixes.setdefault(word[:end], set()).add(code)
    return {prefix: frozenset(codes) for prefix, codes in prefixes.items()}


def find_countries(found: Terms, limit: int = PER_KIND) -> list[Hit]:
    """Countries whose name in English, Spanish or Portuguese (or ISO code) has a word starting
    with each word typed; named in the reader's language, with the name that matched when it
    is another ("Alemania": Germany)."""
    if not found:
        return []
    known = set(db.session.scalars(select(Country.code)))
    matched: dict[str, str | None] = {}
    for locale in LOCALES:
        prefixes = _country_prefixes(locale)
        codes = set(known)
        for word in found.words:
            codes &= prefixes.get(word, frozenset())
        for code in sorted(codes):
            matched.setdefault(code, locale)
    if len(found.words) == 1 and found.words[0].upper() in known:
        matched.setdefault(found.words[0].upper(), None)
    reader = active_locale()
    hits = []
    for code in sort_by_country(matched, lambda c: c):
        other = matched[code]
        name = country_name(code)
        other_name = country_name(code, other) if other and other != reader else ""
        detail = other_name if other_name != name else ""
        hits.append(Hit("countries", code, name, detail, "countries.detail", {"code": code}))
    return hits[:limit]


def _practices(ids: list[int]) -> list[Hit]:
    rows = {p.id: p for p in db.session.scalars(select(Practice).where(Practice.id.in_(ids)))}
    return [
        Hit(
            "practices",
            p.id,
            p.name,
            ", ".join(filter(None, (p.city, country_name(p.country_code)))),
            "practices.detail",
            {"practice_id": p.id},
        )  # fmt: skip
        for p in (rows[i] for i in ids if i in rows)
    ]


def _contacts(ids: list[int]) -> list[Hit]:
    statement = select(Contact).options(joinedload(Contact.practice)).where(Contact.id.in_(ids))
    rows = {c.id: c for c in db.session.scalars(statement)}
    hits = []
    for contact in (rows[i] for i in ids if i in rows):
        detail = " · ".join(
            filter(
                None,
                (contact.email, contact.phone, contact.practice.name if contact.practice else None),
            )
        )
        hits.append(Hit("contacts", contact.id, contact.name, detail, "practices.edit_contact",
                        {"contact_id": contact.id}))  # fmt: skip
    return hits


def _responses(ids: list[int]) -> list[Hit]:
    statement = select(SurveyResponse).where(SurveyResponse.id.in_(ids))
    rows = {r.id: r for r in db.session.scalars(statement)}
    hits = []
    for response in (rows[i] for i in ids if i in rows):
        answers = response.answers
        detail = " · ".join(filter(None, (answers.get("name"), answers.get("email"),
                                          answers.get("city"))))  # fmt: skip
        hits.append(Hit("responses", response.id, answers.get("practice_name") or "", detail,
                        "inbox.detail", {"response_id": response.id}))  # fmt: skip
    return hits


def _tasks(ids: list[int]) -> list[Hit]:
    statement = select(Task).options(joinedload(Task.owner)).where(Task.id.in_(ids))
    rows = {t.id: t for t in db.session.scalars(statement)}
    hits = []
    for task in (rows[i] for i in ids if i in rows):
        if task.practice_id is not None:
            endpoint, values = "practices.detail", {"practice_id": task.practice_id}
        else:
            endpoint, values = "countries.detail", {"code": task.country_code}
        hits.append(Hit("tasks", task.id, task.title, display_name(task.owner), endpoint,
                        values))  # fmt: skip
    return hits


_LOADERS = {"practices": _practices, "contacts": _contacts, "responses": _responses,
            "tasks": _tasks}  # fmt: skip


def search(query: str | None, *, people: bool, per_kind: int = PER_KIND) -> Results:
    """What ``query`` finds, grouped by kind: countries always; practices, contacts,
    responses and tasks only when ``people`` (staff and admins). Each kind newest first, at
    most ``per_kind``."""
    found = terms(query)
    results = Results(query=(query or "").strip(), terms=found)
    if not found:
        return results
    countries = find_countries(found, per_kind + 1)
    results.groups["countries"] = countries[:per_kind]
    if len(countries) > per_kind:
        results.more.add("countries")
    if people:
        for kind in PEOPLE_KINDS:
            ids = newest_ids(kind, found, per_kind + 1)
            results.groups[kind] = _LOADERS[kind](ids[:per_kind]) if ids else []
            if len(ids) > per_kind:
                results.more.add(kind)
    return results
