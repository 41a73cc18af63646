"""The full-text index over meetings (`hearing_search`): what goes into it, keeping it current, and
turning a user's words into a query for it.

On SQLite it is an FTS5 table; on PostgreSQL a table with a weighted, generated tsvector and a GIN
index (migration 0002). The sync's apply step calls `refresh_search_index` inside each batch's
transaction, so the index commits or rolls back with the meetings it describes.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import (
    Connection,
    Engine,
    column,
    delete,
    func,
    insert,
    literal_column,
    select,
    table,
)

from hearings.store import schema
from hearings.web.citations import Citation, bill_token, find_citations

SEARCH_TABLE = "hearing_search"
TEXT_COLUMNS = (
    "title",
    "witnesses",
    "organizations",
    "positions",
    "committees",
    "documents",
    "bills",
)
# bm25 weights, in column order (event_id first, unindexed).
BM25_WEIGHTS = (0.0, 10.0, 6.0, 4.0, 1.5, 2.0, 1.0, 8.0)
# Private-use characters mark highlights; they never occur in the data, and are swapped for
# <mark> only after the text around them is escaped.
HIGHLIGHT_START = "\ue000"
HIGHLIGHT_END = "\ue001"
SNIPPET_TOKENS = 18
_CHUNK = 500

hearing_search = table(SEARCH_TABLE, column("event_id"), *(column(c) for c in TEXT_COLUMNS))
# The same table with FTS5's implicit rowid, which is how SQLite rows are found and deleted.
_fts_rows = table(
    SEARCH_TABLE, column("rowid"), column("event_id"), *(column(c) for c in TEXT_COLUMNS)
)


# ---- keeping the index current ---------------------------------------------------------------


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _join(parts: Iterable[str | None]) -> str:
    seen: list[str] = []
    for part in parts:
        text = " ".join(str(part).split()) if part else ""
        if text and text not in seen:
            seen.append(text)
    return "\n".join(seen)


def index_documents(connection: Connection, event_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The index row of each existing meeting in `event_ids`, built with one query per table."""
    hearings = schema.hearings
    titles = dict(
        connection.execute(
            select(hearings.c.event_id, hearings.c.title).where(hearings.c.event_id.in_(event_ids))
        ).all()
    )
    parts: dict[str, dict[str, list[str | None]]] = defaultdict(lambda: defaultdict(list))
    found = list(titles)
    r: Any
    if not found:
        return []

    appearances, witnesses = schema.witness_appearances, schema.witnesses
    for r in connection.execute(
        select(
            appearances.c.event_id,
            appearances.c.name_as_given,
            appearances.c.organization,
            appearances.c.position,
            witnesses.c.organization.label("entity_organization"),
        )
        .join(witnesses, witnesses.c.witness_id == appearances.c.witness_id)
        .where(appearances.c.event_id.in_(found))
        .order_by(appearances.c.event_id, appearances.c.ordinal)
    ):
        entry = parts[r.event_id]
        entry["witnesses"].append(r.name_as_given)
        entry["organizations"] += [r.organization, r.entity_organization]
        entry["positions"].append(r.position)

    links, committees = schema.hearing_committees, schema.committees
    for r in connection.execute(
        select(links.c.event_id, links.c.system_code, committees.c.name)
        .join(committees, committees.c.system_code == links.c.system_code)
        .where(links.c.event_id.in_(found))
        .order_by(links.c.event_id, links.c.ordinal)
    ):
        parts[r.event_id]["committees"] += [r.name, r.system_code]

    documents = schema.meeting_documents
    for r in connection.execute(
        select(documents.c.event_id, documents.c.name, documents.c.description)
        .where(documents.c.event_id.in_(found))
        .order_by(documents.c.event_id, documents.c.ordinal)
    ):
        parts[r.event_id]["documents"] += [r.name, r.description]
    statements = schema.witness_documents
    for r in connection.execute(
        select(statements.c.event_id, statements.c.name, statements.c.document_type)
        .where(statements.c.event_id.in_(found))
        .order_by(statements.c.event_id, statements.c.ordinal)
    ):
        parts[r.event_id]["documents"] += [r.name, r.document_type]
    printed, transcripts = schema.printed_hearings, schema.hearing_transcripts
    for r in connection.execute(
        select(transcripts.c.event_id, printed.c.title, printed.c.citation)
        .join(printed, printed.c.jacket_number == transcripts.c.jacket_number)
        .where(transcripts.c.event_id.in_(found))
    ):
        parts[r.event_id]["documents"] += [r.title, r.citation]
    for r in connection.execute(
        select(printed.c.associated_event_id, printed.c.title, printed.c.citation).where(
            printed.c.associated_event_id.in_(found)
        )
    ):
        parts[r.associated_event_id]["documents"] += [r.title, r.citation]

    hearing_bills, bills = schema.hearing_bills, schema.bills
    for r in connection.execute(
        select(hearing_bills.c.event_id, bills.c.bill_type, bills.c.number)
        .join(bills, bills.c.bill_id == hearing_bills.c.bill_id)
        .where(hearing_bills.c.event_id.in_(found))
        .order_by(hearing_bills.c.event_id, hearing_bills.c.ordinal)
    ):
        parts[r.event_id]["bills"].append(bill_token(r.bill_type, r.number))

    rows = []
    for event_id in sorted(found):
        entry = parts[event_id]
        title = titles[event_id] or ""
        # A title that names a bill ("H.R. 2334, the ... Act") takes it up even when the API
        # leaves it out of relatedItems.
        entry["bills"] += [c.token for c in find_citations(title)[0]]
        row: dict[str, Any] = {"event_id": event_id, "title": _join([title])}
        for name in TEXT_COLUMNS[1:]:
            row[name] = (
                " ".join(dict.fromkeys(t for t in entry[name] if t))
                if name == "bills"
                else _join(entry[name])
            )
        rows.append(row)
    return rows


def search_rowid(event_id: str) -> int:
    """The FTS5 rowid of a meeting's index row: the event id itself when it is a number (it
    always is in the API's data), else a stable 62-bit hash above every numeric id.

    FTS5 can only look rows up by rowid; deleting by the unindexed `event_id` column would scan
    the whole index for every batch."""
    if event_id.isascii() and event_id.isdigit() and len(event_id) <= 18:
        return int(event_id)
    digest = hashlib.sha256(event_id.encode()).digest()
    return (1 << 62) | (int.from_bytes(digest[:8], "big") & ((1 << 62) - 1))


def _delete_rows(connection: Connection, event_ids: Sequence[str]) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(
            delete(_fts_rows).where(_fts_rows.c.rowid.in_([search_rowid(e) for e in event_ids]))
        )
    else:
        connection.execute(delete(hearing_search).where(hearing_search.c.event_id.in_(event_ids)))


def _insert_rows(connection: Connection, rows: list[dict[str, Any]]) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(
            insert(_fts_rows), [{"rowid": search_rowid(r["event_id"]), **r} for r in rows]
        )
    else:
        connection.execute(insert(hearing_search), rows)


def refresh_search_index(connection: Connection, event_ids: Iterable[str]) -> int:
    """Rebuild the index rows of these meetings from the tables, in the caller's transaction.

    Meetings that no longer exist lose their row. Returns how many rows were written."""
    wanted = sorted({str(e) for e in event_ids})
    written = 0
    for chunk in _chunks(wanted):
        _delete_rows(connection, chunk)
        rows = index_documents(connection, chunk)
        if rows:
            _insert_rows(connection, rows)
            written += len(rows)
    return written


def rebuild_search_index(connection: Connection) -> int:
    """Rebuild the whole index from the tables, in the caller's transaction."""
    connection.execute(delete(hearing_search))
    hearings = schema.hearings
    ids = list(connection.execute(select(hearings.c.event_id)).scalars())
    written = 0
    for chunk in _chunks(ids):
        rows = index_documents(connection, chunk)
        if rows:
            _insert_rows(connection, rows)
            written += len(rows)
    if connection.dialect.name == "sqlite":
        # Merge the index's b-trees after a bulk load.
        connection.exec_driver_sql("INSERT INTO hearing_search(hearing_search) VALUES ('optimize')")
    return written


def search_index_needs_rebuild(connection: Connection) -> bool:
    """True when meetings exist but the index is empty (a database from before migration 0002
    that a writer without the refresh step filled)."""
    has_rows = connection.execute(select(hearing_search.c.event_id).limit(1)).first()
    if has_rows is not None:
        return False
    hearings = schema.hearings
    return connection.execute(select(hearings.c.event_id).limit(1)).first() is not None


class IndexGuard:
    """Rebuilds an empty index once per process, the first time a search needs it."""

    def __init__(self) -> None:
        self._checked = False
        self._lock = threading.Lock()

    def ensure(self, engine: Engine) -> None:
        if self._checked:
            return
        with self._lock:
            if self._checked:
                return
            with engine.connect() as connection:
                stale = search_index_needs_rebuild(connection)
            if stale:
                with engine.begin() as connection:
                    if search_index_needs_rebuild(connection):
                        rebuild_search_index(connection)
            self._checked = True


# ---- queries ---------------------------------------------------------------------------------

_PHRASE = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchTerms:
    """A user's query split into bill citations, quoted phrases and words."""

    citations: list[Citation] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    prefix_last: bool = False

    @property
    def empty(self) -> bool:
        return not (self.citations or self.phrases or self.words)


def parse_terms(query: str) -> SearchTerms:
    citations, rest = find_citations(query)
    phrases = [_WORD.findall(p.lower()) for p in _PHRASE.findall(rest)]
    phrases = [p for p in phrases if p]
    words = _WORD.findall(_PHRASE.sub(" ", rest).lower())
    # "Alphon" finds "Alphonso" while the user is still typing; only for the last bare word.
    prefix_last = bool(words) and not rest.rstrip().endswith('"') and len(words[-1]) >= 3
    return SearchTerms(citations, phrases, words, prefix_last)


def fts5_expression(terms: SearchTerms) -> str:
    """An FTS5 MATCH expression: every word and phrase must match; any cited bill matches."""
    parts: list[str] = []
    for phrase in terms.phrases:
        parts.append('"' + " ".join(phrase) + '"')
    for index, word in enumerate(terms.words):
        last = index == len(terms.words) - 1
        parts.append(f'"{word}"*' if last and terms.prefix_last else f'"{word}"')
    if terms.citations:
        bills = " OR ".join(f'"{c.token}"' for c in terms.citations)
        parts.append(f"bills : ({bills})")
    return " AND ".join(parts)


def tsquery_expression(terms: SearchTerms) -> str:
    """The same query for PostgreSQL's `to_tsquery('english', ...)`."""
    parts: list[str] = []
    for phrase in terms.phrases:
        parts.append("(" + " <-> ".join(f"'{w}'" for w in phrase) + ")")
    for index, word in enumerate(terms.words):
        last = index == len(terms.words) - 1
        parts.append(f"'{word}':*" if last and terms.prefix_last else f"'{word}'")
    if terms.citations:
        parts.append("(" + " | ".join(f"'{c.token}'" for c in terms.citations) + ")")
    return " & ".join(parts)


def highlighted(text: str | None) -> Markup:
    """Escape `text`, then turn the highlight markers into <mark> elements."""
    if not text:
        return Markup("")
    escaped = str(escape(text))
    return Markup(escaped.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_END, "</mark>"))


def plain(text: str | None) -> str:
    """`text` without highlight markers (for JSON and CSV)."""
    return (text or "").replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")


def row_key(dialect: str) -> Any:
    """The cheapest way back to an index row: FTS5's rowid, or the event id on PostgreSQL."""
    if dialect == "sqlite":
        return literal_column(f"{SEARCH_TABLE}.rowid")
    return hearing_search.c.event_id


def match_clause(dialect: str, terms: SearchTerms) -> tuple[Any, Any, Any, Any]:
    """(where clause, rank for ORDER BY, title highlight, snippet) for the dialect."""
    if dialect == "sqlite":
        table_ref: Any = literal_column(SEARCH_TABLE)
        where = table_ref.op("MATCH")(fts5_expression(terms))
        rank: Any = func.bm25(table_ref, *BM25_WEIGHTS)
        title = func.highlight(table_ref, 1, HIGHLIGHT_START, HIGHLIGHT_END)
        snippet = func.snippet(table_ref, -1, HIGHLIGHT_START, HIGHLIGHT_END, "…", SNIPPET_TOKENS)
        return where, rank, title, snippet
    query = func.to_tsquery("english", tsquery_expression(terms))
    document: Any = literal_column(f"{SEARCH_TABLE}.document")
    where = document.op("@@")(query)
    rank = -func.ts_rank_cd(document, query)
    options = (
        f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, MaxWords=30, MinWords=8, "
        "HighlightAll=true"
    )
    title = func.ts_headline("english", func.coalesce(hearing_search.c.title, ""), query, options)
    body = func.concat_ws(
        " … ", *(func.nullif(hearing_search.c[name], "") for name in TEXT_COLUMNS[1:6])
    )
    snippet = func.ts_headline(
        "english",
        body,
        query,
        f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, MaxWords=30, MinWords=8, "
        'MaxFragments=2, FragmentDelimiter=" … "',
    )
    return where, rank, title, snippet
