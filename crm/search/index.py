"""The search index as SQL: which rows of a kind hold every word typed, through SQLite's FTS5
tables or PostgreSQL's GIN indexes (built by the ``search_index`` migration;
docs/decisions.md#search-index).

Words are compared as the index keeps them: accents, case and punctuation dropped, each word
typed matching the start of a word of the row ("sao pau" finds "São Paulo", "nunez" finds
"Núñez"). A phone is found by its digits too, whatever punctuation separates them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, literal_column, select, text

from crm.activities.models import Task
from crm.core.extensions import db
from crm.core.folding import plain_words
from crm.responses.models import Contact, Practice, SurveyResponse

#: Words of a query that are looked up (the rest are ignored), and their longest length.
MAX_WORDS = 8
MAX_WORD_LENGTH = 40
#: Digits a query needs to be also looked up as a phone number written without separators.
PHONE_DIGITS = 6
KINDS = ("practices", "contacts", "responses", "tasks")


@dataclass(frozen=True)
class Terms:
    """A query as the index reads it: its ``words`` (accents, case, punctuation dropped) and
    its ``digits`` joined when it looks like a phone number."""

    words: tuple[str, ...]
    digits: str | None = None

    def __bool__(self) -> bool:
        return bool(self.words)


def terms(query: str | None) -> Terms:
    """The words of ``query`` the index looks up: "Núñez, São-Paulo" → ``("nunez", "sao",
    "paulo")``; "+57 (1) 234-5678" also as the digits ``5712345678``."""
    words = tuple(w[:MAX_WORD_LENGTH] for w in plain_words(query)[:MAX_WORDS])
    digits = "".join(c for c in (query or "") if c.isdigit())
    joined = digits if len(digits) >= PHONE_DIGITS and len(words) > 1 else None
    return Terms(words=words, digits=joined)


def _fts5_query(found: Terms) -> str:
    every = " AND ".join(f'"{word}"*' for word in found.words)
    return f'({every}) OR "{found.digits}"*' if found.digits else every


def _tsquery(found: Terms) -> str:
    every = " & ".join(f"'{word}':*" for word in found.words)
    return f"({every}) | '{found.digits}':*" if found.digits else every


#: Kind → (model, its PostgreSQL document expression's columns).
_MODELS = {
    "practices": (Practice, ("name", "city")),
    "contacts": (Contact, ("name", "email", "phone")),
    "responses": (SurveyResponse, ("answers",)),
    "tasks": (Task, ("title", "notes")),
}


def _on_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def matching(kind: str, found: Terms) -> ColumnElement[bool]:
    """A WHERE condition on ``kind``'s model: the row holds every word of ``found``. Filed
    responses only (only those are indexed)."""
    model, columns = _MODELS[kind]
    if _on_postgres():
        document = getattr(func, f"crm_{kind}_document")(*(getattr(model, c) for c in columns))
        condition = document.op("@@")(func.to_tsquery(literal_column("'simple'"), _tsquery(found)))
        if kind == "responses":
            return SurveyResponse.filed_at.is_not(None) & condition
        return condition
    ids = select(literal_column("rowid")).select_from(text(f"fts_{kind}")).where(
        text(f"fts_{kind} MATCH :fts_query").bindparams(fts_query=_fts5_query(found))
    )  # fmt: skip
    return model.id.in_(ids)


def newest_ids(kind: str, found: Terms, limit: int, where: ColumnElement[bool] | None = None
               ) -> list[int]:  # fmt: skip
    """Ids of ``kind``'s rows holding every word of ``found``, newest first, at most ``limit``;
    ``where`` narrows them further."""
    if not found:
        return []
    model = _MODELS[kind][0]
    if where is None and not _on_postgres():
        # The FTS table alone: it walks its own matches newest first.
        fts = text(
            f"SELECT rowid FROM fts_{kind} WHERE fts_{kind} MATCH :q ORDER BY rowid DESC LIMIT :n"  # noqa: S608
        )
        return list(db.session.scalars(fts, {"q": _fts5_query(found), "n": limit}))
    statement: Select = select(model.id).where(matching(kind, found))
    if where is not None:
        statement = statement.where(where)
    if _on_postgres():
        return _newest_on_postgres(model, statement, limit)
    return list(db.session.scalars(statement.order_by(model.id.desc()).limit(limit)))


#: Newest rows of a kind PostgreSQL looks at first (then all of them when fewer match).
RECENT_ROWS = 10_000


def _newest_on_postgres(model: type, statement: Select, limit: int) -> list[int]:
    """The newest ``limit`` ids ``statement`` selects, on PostgreSQL: the GIN matches first,
    then the newest of them (a backward scan of the primary key would compute every row's
    document). Reading every match costs as many rows as a common word has (a fifth of the
    responses for "hosp"), so the newest :data:`RECENT_ROWS` ids are tried first (the GIN
    bitmap ANDed with the primary key's range): when as many match as asked for, they are the
    newest of all; otherwise every match is read, few by then."""
    newest = db.session.scalar(select(func.max(model.id)))
    if newest is None:
        return []
    tiers = [statement]
    if newest > RECENT_ROWS:
        tiers.insert(0, statement.where(model.id > newest - RECENT_ROWS))
    ids: list[int] = []
    for tier in tiers:
        hits = tier.cte("hits").prefix_with("MATERIALIZED")
        ids = list(db.session.scalars(select(hits.c.id).order_by(hits.c.id.desc()).limit(limit)))
        if len(ids) >= limit:
            break
    return ids
