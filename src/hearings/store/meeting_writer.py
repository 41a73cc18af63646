"""Applying meetings: each meeting and every child row written in the caller's transaction, its
witnesses kept to those some appearance refers to, and the search index kept in step.

Like `store.writer`, nothing here commits: a batch (or a whole run) commits or rolls back as one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, select, update

from hearings.store import schema
from hearings.store.bulk import insert_tuples, row_tuples
from hearings.store.records import MeetingRows, Row
from hearings.store.search_index import refresh_search_index
from hearings.store.witness_rows import first_places, settle_witness_rows
from hearings.store.writer import chunks, ensure_committees, insert_ignore, upsert


def existing_hashes(connection: Connection, event_ids: Sequence[str]) -> dict[str, str]:
    """The stored content hash of each meeting that exists."""
    found: dict[str, str] = {}
    hearings = schema.hearings
    for chunk in chunks(list(event_ids)):
        result = connection.execute(
            select(hearings.c.event_id, hearings.c.content_hash).where(
                hearings.c.event_id.in_(chunk)
            )
        )
        found.update({row.event_id: row.content_hash for row in result})
    return found


# Child tables of a meeting, deleted and rewritten whenever the meeting changes. Order matters:
# documents reference appearances.
_CHILD_TABLES = (
    schema.witness_documents,
    schema.witness_appearances,
    schema.meeting_documents,
    schema.videos,
    schema.hearing_bills,
    schema.hearing_committees,
    schema.hearing_transcripts,
)


@dataclass
class ApplyResult:
    added: list[str]
    updated: list[str]
    unchanged: list[str]
    witnesses_added: int


def apply_meetings(
    connection: Connection, batch: Sequence[MeetingRows], now: datetime
) -> ApplyResult:
    """Write a set of meetings and every child row, in the caller's transaction.

    A meeting whose content hash is unchanged is left alone (only its `update_date` follows the
    API); a changed one has its children rewritten, keeping `first_seen_at`.
    """
    event_ids = [rows.event_id for rows in batch]
    stored = existing_hashes(connection, event_ids)
    added = [r for r in batch if r.event_id not in stored]
    changed = [
        r for r in batch if r.event_id in stored and stored[r.event_id] != r.hearing["content_hash"]
    ]
    unchanged = [r for r in batch if stored.get(r.event_id) == r.hearing["content_hash"]]

    if unchanged:
        connection.execute(
            update(schema.hearings)
            .where(schema.hearings.c.event_id == bindparam("b_event_id"))
            .values(update_date=bindparam("b_update_date")),
            [
                {"b_event_id": r.event_id, "b_update_date": r.hearing["update_date"]}
                for r in unchanged
            ],
        )

    writing = added + changed
    if not writing:
        return ApplyResult([], [], [r.event_id for r in unchanged], 0)

    ensure_committees(connection, [ref for r in writing for ref in r.committee_refs], now)

    changed_ids = [r.event_id for r in changed]
    previous_witnesses = _witness_ids_of(connection, changed_ids)
    for table in _CHILD_TABLES:
        for chunk in chunks(changed_ids):
            connection.execute(delete(table).where(table.c.event_id.in_(chunk)))

    upsert(
        connection,
        schema.hearings,
        [r.hearing for r in writing],
        ["event_id"],
        keep=["first_seen_at"],
    )

    first = first_places(writing)
    witnesses_before = _existing_witness_ids(connection, list(first))
    witness_rows = [
        row for witness_id, (_, row) in first.items() if witness_id not in witnesses_before
    ]
    insert_ignore(connection, schema.witnesses, witness_rows, ["witness_id"])
    bill_rows = _unique((b for r in writing for b in r.bills), key="bill_id")
    insert_ignore(connection, schema.bills, bill_rows, ["bill_id"])

    _insert(connection, schema.hearing_committees, [c for r in writing for c in r.committees])
    _insert(connection, schema.witness_appearances, [a for r in writing for a in r.appearances])
    _insert(connection, schema.witness_documents, [d for r in writing for d in r.witness_documents])
    _insert(connection, schema.meeting_documents, [d for r in writing for d in r.meeting_documents])
    _insert(connection, schema.videos, [v for r in writing for v in r.videos])
    _insert(connection, schema.hearing_bills, [b for r in writing for b in r.hearing_bills])
    _insert(connection, schema.hearing_transcripts, [t for r in writing for t in r.transcripts])

    remove_unreferenced_witnesses(connection, previous_witnesses)
    # Stored witnesses may now be named first by another appearance (the caller indexes the
    # meetings written here).
    others = settle_witness_rows(connection, witnesses_before | previous_witnesses, first, now)
    written_ids = {r.event_id for r in writing}
    refresh_search_index(connection, [e for e in others if e not in written_ids])
    return ApplyResult(
        added=[r.event_id for r in added],
        updated=changed_ids,
        unchanged=[r.event_id for r in unchanged],
        witnesses_added=len(witness_rows),
    )


def remove_unreferenced_witnesses(connection: Connection, witness_ids: Iterable[str]) -> None:
    """A witness entity exists only while some appearance refers to it."""
    candidates = sorted(set(witness_ids))
    if not candidates:
        return
    appearances = schema.witness_appearances
    for chunk in chunks(candidates):
        still_used = {
            row.witness_id
            for row in connection.execute(
                select(appearances.c.witness_id)
                .where(appearances.c.witness_id.in_(chunk))
                .distinct()
            )
        }
        orphaned = [w for w in chunk if w not in still_used]
        if orphaned:
            connection.execute(
                delete(schema.witnesses).where(schema.witnesses.c.witness_id.in_(orphaned))
            )


def _witness_ids_of(connection: Connection, event_ids: Sequence[str]) -> set[str]:
    appearances = schema.witness_appearances
    found: set[str] = set()
    for chunk in chunks(list(event_ids)):
        found.update(
            row.witness_id
            for row in connection.execute(
                select(appearances.c.witness_id).where(appearances.c.event_id.in_(chunk))
            )
        )
    return found


def _existing_witness_ids(connection: Connection, witness_ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in chunks(list(witness_ids)):
        found.update(
            row.witness_id
            for row in connection.execute(
                select(schema.witnesses.c.witness_id).where(
                    schema.witnesses.c.witness_id.in_(chunk)
                )
            )
        )
    return found


def _insert(connection: Connection, table: Table, rows: list[Row]) -> None:
    """Child rows (text, integers, booleans only) with one prebuilt executemany."""
    if rows:
        columns = tuple(rows[0])
        insert_tuples(connection, table, columns, row_tuples(rows, columns))


def _unique(rows: Iterable[Row], key: str = "witness_id") -> list[Row]:
    by_key: dict[Any, Row] = {}
    for row in rows:
        by_key.setdefault(row[key], row)
    return list(by_key.values())
