"""The audit trail in words (docs/domain.md#audit-in-words): each event as a sentence in the
reader's language — who did what to which record — with the record linked and every change as
the screens show it ("Status: Negotiating → Signed; Expires: Dec 31, 2029").

Plain functions on an event and a :class:`Context` of the names and links it needs
(``crm.audit.objects`` reads them from the database); the current locale is the reader's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from crm.audit.models import AuditEvent
from crm.audit.vocabulary import (
    COUNTRY_FIELDS,
    FIELDS,
    HIDDEN_FIELDS,
    IDENTIFYING_NUMBERS,
    IMPORT_MAPPING_FIELDS,
    KINDS,
    OF_KINDS,
    OTHER_KIND,
    OTHER_OF_KIND,
    OTHER_SENTENCE,
    PERSON_FIELDS,
    PRACTICE_FIELDS,
    QUERY_FIELDS,
    SENTENCES,
    STATUS_SENTENCES,
    USER_ID_FIELDS,
    VALUES,
    VERB_SENTENCES,
)
from crm.core.i18n import LANGUAGE_NAMES, country_name, localized_list
from crm.core.presentation import change_value, localized_expiry
from crm.data.imports.targets import TARGET_CHOICES, TARGET_TITLES
from crm.data.imports.values import value_titles


@dataclass(frozen=True)
class Thing:
    """A record as a sentence names it: a phrase with its article, and a link or None; ``of``
    the same phrase after "of" as its language writes it ("of the file …", "del archivo …",
    "do arquivo …"), for the kinds of record a sentence speaks of a part of."""

    text: str
    url: str | None = None
    of: str | None = None


@dataclass
class Context:
    """What wording an event needs besides the event: who each actor is (``actors``: event id
    → name as the reader may see it), what each record is (``things``: (entity type, entity
    id) → Thing), the names of the people and practices changes mention (by email, by id),
    and whether the reader may see staff emails."""

    actors: Mapping[int, str] = field(default_factory=dict)
    things: Mapping[tuple[str, str], Thing] = field(default_factory=dict)
    people: Mapping[str, str] = field(default_factory=dict)
    practices: Mapping[int, str] = field(default_factory=dict)
    users: Mapping[int, str] = field(default_factory=dict)
    show_emails: bool = False


@dataclass(frozen=True)
class Change:
    """One change as shown: the field's title, and the old and new values in words (``old``
    None for a value set where there was none)."""

    title: str
    old: str | None
    new: str

    def text(self) -> str:
        """``Title: old → new``, or ``Title: new``."""
        if self.old is None:
            return _("%(field)s: %(value)s", field=self.title, value=self.new)
        return _("%(field)s: %(old)s → %(new)s", field=self.title, old=self.old, new=self.new)


@dataclass(frozen=True)
class Entry:
    """An event in words: when, who, the sentence as ``parts`` for a template to mark up
    (``(role, text)``: ``text``, ``actor``, or ``object``, linked to ``url`` when there is
    one) and as plain ``text``, its changes, the kind of record and its country. Nothing is
    marked up here: templates escape every part."""

    id: int
    occurred_at: datetime
    actor: str
    parts: list[tuple[str, str]]
    url: str | None
    text: str
    changes: list[Change]
    kind: str
    country_code: str | None

    @property
    def said(self) -> str:
        """The changes joined ("Status: A → B; Expires: …"), or ""."""
        return "; ".join(change.text() for change in self.changes)


def kind_title(entity_type: str) -> str:
    """The name of a kind of record, as the audit log's filter offers it."""
    return str(KINDS.get(entity_type, OTHER_KIND)[0])


def describe(event: AuditEvent, context: Context) -> Entry:
    """The event in words, in the current locale."""
    actor = context.actors.get(event.id) or _("Someone")
    thing = context.things.get((event.entity_type, event.entity_id)) or Thing(
        str(KINDS.get(event.entity_type, OTHER_KIND)[1])
    )
    of_thing = thing.of or str(OF_KINDS.get(event.entity_type, OTHER_OF_KIND))
    template = str(_sentence(event))
    changes = [
        change for name, pair in (event.changes or {}).items()
        if (change := _change(event.entity_type, name, pair, context)) is not None
    ]  # fmt: skip
    text = template % {"actor": actor, "object": thing.text, "of_object": of_thing}
    if changes:
        text = f"{text}: {'; '.join(change.text() for change in changes)}"
    return Entry(
        id=event.id,
        occurred_at=event.occurred_at,
        actor=actor,
        parts=_parts(template, actor, thing.text, of_thing),
        url=thing.url,
        text=text,
        changes=changes,
        kind=kind_title(event.entity_type),
        country_code=event.country_code,
    )


_PLACEHOLDER = re.compile(r"(%\((?:actor|object|of_object)\)s)")


def _parts(template: str, actor: str, thing: str, of_thing: str) -> list[tuple[str, str]]:
    """The sentence cut at its placeholders: ``[("actor", "Ana"), ("text", " signed "),
    ("object", "the agreement …")]``, in the translation's own order (``%(of_object)s`` is an
    object too: "of the file …" linked whole)."""
    parts = []
    for piece in _PLACEHOLDER.split(template):
        if piece == "%(actor)s":
            parts.append(("actor", actor))
        elif piece == "%(object)s":
            parts.append(("object", thing))
        elif piece == "%(of_object)s":
            parts.append(("object", of_thing))
        elif piece:
            parts.append(("text", piece.replace("%%", "%")))
    return parts


def _sentence(event: AuditEvent) -> Any:
    """The action's sentence: a decision's own (signed, approved…), the action's, else one
    said from its verb."""
    status = (event.changes or {}).get("status")
    if isinstance(status, list) and len(status) == 2 and status[0] != status[1]:
        decided = STATUS_SENTENCES.get((event.action, str(status[1])))
        if decided is not None:
            return decided
    if event.action in SENTENCES:
        return SENTENCES[event.action]
    return VERB_SENTENCES.get(event.action.rpartition(".")[2], OTHER_SENTENCE)


def field_title(name: str) -> str:
    """A recorded field's title; an unknown field said in words (``not_the_same_as`` → "Not
    the same as")."""
    title = FIELDS.get(name)
    return str(title) if title is not None else name.replace("_", " ").capitalize()


def _change(entity_type: str, name: str, pair: Any, context: Context) -> Change | None:
    """One change in words; None for a field that only says which record it is about, or a
    value that stayed the same."""
    if name in HIDDEN_FIELDS or not isinstance(pair, list | tuple) or len(pair) != 2:
        return None
    old, new = pair
    if old == new:
        return None
    if name in IMPORT_MAPPING_FIELDS:
        return _mapping_change(entity_type, name, old, new, context)
    shown_old = None if old is None else value_text(entity_type, name, old, context)
    return Change(field_title(name), shown_old, value_text(entity_type, name, new, context))


def value_text(entity_type: str, name: str, value: Any, context: Context) -> str:
    """A recorded value as the screens show it: a vocabulary's title, a country's or a
    person's or a practice's name, Yes/No, a number, a day or a moment in the reader's
    style, a list joined, a mapping as "Title: value" pairs; "—" for none."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        return "; ".join(
            _(
                "%(field)s: %(value)s",
                field=field_title(k),
                value=value_text(entity_type, k, v, context),
            )
            for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        return localized_list([value_text(entity_type, name, v, context) for v in value])
    if name in PRACTICE_FIELDS and isinstance(value, int):
        return context.practices.get(value) or _("practice %(number)s", number=value)
    if name in USER_ID_FIELDS and isinstance(value, int):
        return context.users.get(value) or _("A staff member")
    if name in IDENTIFYING_NUMBERS and isinstance(value, int):
        return str(value)
    if isinstance(value, int | float):
        return format_decimal(value)
    text = str(value)
    if name in QUERY_FIELDS:
        return _query_text(entity_type, text, context)
    if name == "expires_at":
        try:
            return localized_expiry(text)
        except ValueError:  # not an instant: shown as stored
            pass
    if name in COUNTRY_FIELDS:
        return country_name(text)
    if name in PERSON_FIELDS:
        return context.people.get(text.lower()) or (
            text if context.show_emails else _("A staff member")
        )
    titles = VALUES.get((entity_type, name), VALUES.get(name))
    if titles is not None and text in titles:
        return str(titles[text])
    return change_value(text)


def _mapping_change(
    entity_type: str, name: str, old: Any, new: Any, context: Context
) -> Change | None:
    """A change of an import's mapping in words: how many columns are mapped ("Columns mapped:
    3 → 5"), which answers take the same value for every row and which ("Country: Peru"),
    which questions had the file's answers mapped and how many ("Type of practice (3
    answers)"); None when nothing shown changed."""
    old = old if isinstance(old, dict) else {}
    new = new if isinstance(new, dict) else {}
    if name == "columns":
        if len(old) != len(new):
            shown_old = format_decimal(len(old)) if old else None
            return Change(_("Columns mapped"), shown_old, format_decimal(len(new)))
        moved = sum(1 for key in new if new[key] != old.get(key))
        return Change(
            _("Columns mapped"),
            None,
            ngettext(
                "%(total)s, %(num)d of them changed",
                "%(total)s, %(num)d of them changed",
                moved,
                total=format_decimal(len(new)),
            ),
        )
    if name == "fixed":
        return Change(
            _("Same value for every row"),
            _fixed_text(entity_type, old, context) if old else None,
            _fixed_text(entity_type, new, context),
        )
    changed = [key for key in new if new.get(key) != old.get(key)]
    if not changed:
        return None
    return Change(
        _("Answers mapped"),
        None,
        localized_list(
            [
                ngettext(
                    "%(question)s (%(num)d answer of the file)",
                    "%(question)s (%(num)d answers of the file)",
                    len(new[key]) if isinstance(new[key], dict) else 0,
                    question=_target_title(key),
                )
                for key in changed
            ]
        ),
    )


def _target_title(key: str) -> str:
    """An answer key of the import as its mapping screen names it."""
    title = TARGET_TITLES.get(key)
    return str(title) if title is not None else field_title(key)


def _fixed_text(entity_type: str, fixed: Mapping[str, Any], context: Context) -> str:
    """Answers given one value for every row: "Country: Peru; Response language: Español"
    (languages by their own names, as everywhere)."""
    if not fixed:
        return "—"
    shown = []
    for key, value in fixed.items():
        if (
            key in TARGET_CHOICES
            and VALUES.get(key) is not LANGUAGE_NAMES
            and isinstance(value, str)
        ):
            text = value_titles(key).get(value, value)
        else:
            text = value_text(entity_type, key, value, context)
        shown.append(_("%(field)s: %(value)s", field=_target_title(key), value=text))
    return "; ".join(shown)


def _query_text(entity_type: str, query: str, context: Context) -> str:
    """A list's saved filters ("status=all&country=BR") as the list's form names them
    ("Status: All statuses; Country: Brazil"); "—" for none."""
    pairs = parse_qsl(query)
    if not pairs:
        return "—"
    return ", ".join(
        _(
            "%(field)s: %(value)s",
            field=field_title(key),
            value=value_text(entity_type, key, raw, context),
        )
        for key, raw in pairs
    )
