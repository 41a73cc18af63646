"""The full-text index over meetings (`hearing_search`): what goes into it and keeping it current.

On SQLite it is an FTS5 table; on PostgreSQL a table with a weighted, generated tsvector and a GIN
index (migration 0002). The sync's apply step calls `refresh_search_index` inside each batch's
transaction, so the index commits or rolls back with the meetings it describes.
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    column,
    delete,
    insert,
    select,
    table,
)

from hearings.citations import bill_token, find_citations
from hearings.store import schema

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
