"""The full-text index over meetings (`hearing_search`): what goes into it and keeping it current.

On SQLite it is an FTS5 table; on PostgreSQL a table with a weighted, generated tsvector and a GIN
index (migration 0002). The sync's apply step calls `refresh_search_index` inside each batch's
transaction, so the index commits or rolls back with the meetings it describes.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
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

from hearings.store import schema
from hearings.store.bulk import insert_tuples
from hearings.store.engine import writing
from hearings.store.records import MeetingRows
from hearings.store.search_documents import TEXT_COLUMNS, documents_of, index_documents

__all__ = ["TEXT_COLUMNS", "index_documents"]

SEARCH_TABLE = "hearing_search"
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


def _insert_rows(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    insert_index_rows(connection, [(r["event_id"], *(r[c] for c in TEXT_COLUMNS)) for r in rows])


def insert_index_rows(connection: Connection, rows: Sequence[tuple[str, ...]]) -> None:
    """Index rows given as (event_id, the texts of TEXT_COLUMNS), for meetings that have none."""
    if connection.dialect.name == "sqlite":
        columns = ("rowid", "event_id", *TEXT_COLUMNS)
        insert_tuples(connection, _fts_rows, columns, [(search_rowid(r[0]), *r) for r in rows])
    elif rows:
        names = ("event_id", *TEXT_COLUMNS)
        connection.execute(insert(hearing_search), [dict(zip(names, r, strict=True)) for r in rows])


def index_meetings(connection: Connection, batch: Sequence[MeetingRows]) -> int:
    """Replace the index rows of meetings just written, from their rows in memory, in the
    caller's transaction. Returns how many rows were written."""
    written = 0
    for start in range(0, len(batch), _CHUNK):
        chunk = batch[start : start + _CHUNK]
        _delete_rows(connection, [rows.event_id for rows in chunk])
        documents = documents_of(connection, chunk)
        _insert_rows(connection, documents)
        written += len(documents)
    return written


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
        optimize_search_index(connection)
    return written


def optimize_search_index(connection: Connection) -> None:
    """Merge the FTS5 index's b-trees after a bulk load (SQLite)."""
    connection.exec_driver_sql("INSERT INTO hearing_search(hearing_search) VALUES ('optimize')")


# FTS5's settings of when to merge its b-trees, and their defaults (what an absent row means).
_MERGE_SETTINGS = {"automerge": 4, "crisismerge": 16}


@contextmanager
def merges_deferred(connection: Connection) -> Iterator[None]:
    """(SQLite) A bulk load of an emptied index that `optimize_search_index` merges whole after:
    FTS5 merges nothing while it runs. Its incremental merges rewrite the same b-trees over and
    over as they grow (0.25 s of 0.9 s for 50,000 meetings' rows, measured alone); the one
    merge at the end writes them once. The settings are left as they were, row for row; on an
    error the caller's transaction, rolled back, takes the changed settings with it."""
    keys = tuple(_MERGE_SETTINGS)
    kept: dict[str, Any] = dict(
        connection.exec_driver_sql(
            "SELECT k, v FROM hearing_search_config WHERE k IN (?, ?)", keys
        ).all()
    )
    _set_merges(connection, {"automerge": 0, "crisismerge": 1_000_000})
    # Not in a `finally`: after Ctrl-C in the middle of a write, SQLAlchemy refuses the
    # connection any statement until it is rolled back, and setting them back there failed the
    # command as an internal error instead of "Interrupted".
    yield
    # This connection's FTS5 holds the settings in memory: set them back through FTS5, then drop
    # the rows of settings the index did not have, so the file is as it was.
    _set_merges(connection, {k: kept.get(k, default) for k, default in _MERGE_SETTINGS.items()})
    for key in keys:
        if key not in kept:
            connection.exec_driver_sql("DELETE FROM hearing_search_config WHERE k = ?", (key,))


def _set_merges(connection: Connection, values: dict[str, Any]) -> None:
    for key, value in values.items():
        connection.exec_driver_sql(
            "INSERT INTO hearing_search(hearing_search, rank) VALUES (?, ?)", (key, value)
        )


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
                with writing(engine).begin() as connection:
                    if search_index_needs_rebuild(connection):
                        rebuild_search_index(connection)
            self._checked = True
