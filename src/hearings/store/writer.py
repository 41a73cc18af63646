"""Writing records: upserts by natural key, and the apply step for a set of meetings.

Every function here runs inside a transaction the caller owns; none of them commits. That is what
lets a batch (or a whole run) commit or roll back as one unit, high-water mark included.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from hearings.store import schema
from hearings.store.bulk import insert_tuples, row_tuples, upsert_tuples_sqlite
from hearings.store.records import MeetingRows, Row
from hearings.store.search_index import refresh_search_index
from hearings.store.witness_rows import first_places, settle_witness_rows

# SQLite caps bound parameters per statement; stay well below it for IN lists.
_IN_CHUNK = 500


def upsert(
    connection: Connection,
    table: Table,
    rows: Sequence[Row],
    key: Sequence[str],
    *,
    keep: Iterable[str] = (),
    update_columns: Iterable[str] | None = None,
) -> None:
    """Insert rows, or update them where their natural key exists. Columns in `keep` (such as
    `first_seen_at`) keep their stored value on update."""
    if not rows:
        return
    dialect = connection.dialect.name
    kept = set(keep) | set(key)
    columns = (
        list(update_columns)
        if update_columns is not None
        else [c for c in rows[0] if c not in kept]
    )
    names = tuple(rows[0])
    if dialect == "sqlite" and upsert_tuples_sqlite(
        connection,
        table,
        names,
        row_tuples(rows, names),
        key=key,
        updated=columns,
    ):
        return
    insert_fn: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert_fn(table)
    if columns:
        statement = statement.on_conflict_do_update(
            index_elements=list(key),
            set_={c: statement.excluded[c] for c in columns},
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(key))
    connection.execute(statement, list(rows))


def insert_ignore(
    connection: Connection, table: Table, rows: Sequence[Row], key: Sequence[str]
) -> None:
    upsert(connection, table, rows, key, update_columns=[])


def _chunks(values: Sequence[Any], size: int = _IN_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def existing_hashes(connection: Connection, event_ids: Sequence[str]) -> dict[str, str]:
    """The stored content hash of each meeting that exists."""
    found: dict[str, str] = {}
    hearings = schema.hearings
    for chunk in _chunks(list(event_ids)):
        result = connection.execute(
            select(hearings.c.event_id, hearings.c.content_hash).where(
                hearings.c.event_id.in_(chunk)
            )
        )
        found.update({row.event_id: row.content_hash for row in result})
    return found


def known_committee_codes(connection: Connection, codes: Iterable[str]) -> set[str]:
    wanted = sorted(set(codes))
    known: set[str] = set()
    committees = schema.committees
    for chunk in _chunks(wanted):
        result = connection.execute(
            select(committees.c.system_code).where(committees.c.system_code.in_(chunk))
        )
        known.update(row.system_code for row in result)
    return known


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
        for chunk in _chunks(changed_ids):
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


def ensure_committees(connection: Connection, refs: Sequence[Row], now: datetime) -> None:
    """Committees a meeting names but the database lacks get a minimal row from the reference,
    so a link never fails; the sync layer fetches the full record first whenever it can."""
    if not refs:
        return
    missing_codes = {ref["system_code"] for ref in refs} - known_committee_codes(
        connection, [ref["system_code"] for ref in refs]
    )
    if not missing_codes:
        return
    placeholders = []
    for ref in refs:
        if ref["system_code"] in missing_codes:
            missing_codes.discard(ref["system_code"])
            placeholders.append(
                {
                    "system_code": ref["system_code"],
                    "name": ref.get("name"),
                    "chamber": ref.get("chamber"),
                    "first_seen_at": now,
                    "last_changed_at": now,
                }
            )
    insert_ignore(connection, schema.committees, placeholders, ["system_code"])


def remove_unreferenced_witnesses(connection: Connection, witness_ids: Iterable[str]) -> None:
    """A witness entity exists only while some appearance refers to it."""
    candidates = sorted(set(witness_ids))
    if not candidates:
        return
    appearances = schema.witness_appearances
    for chunk in _chunks(candidates):
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
    for chunk in _chunks(list(event_ids)):
        found.update(
            row.witness_id
            for row in connection.execute(
                select(appearances.c.witness_id).where(appearances.c.event_id.in_(chunk))
            )
        )
    return found


def _existing_witness_ids(connection: Connection, witness_ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(list(witness_ids)):
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


def upsert_committees(connection: Connection, rows: Sequence[Row]) -> UpsertCounts:
    return upsert_changed(connection, schema.committees, rows, "system_code")


def upsert_members(connection: Connection, rows: Sequence[Row]) -> UpsertCounts:
    return upsert_changed(connection, schema.members, rows, "bioguide_id")


def upsert_printed_hearings(connection: Connection, rows: Sequence[Row]) -> UpsertCounts:
    return upsert_changed(connection, schema.printed_hearings, rows, ("congress", "jacket_number"))


@dataclass
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def upsert_changed(
    connection: Connection, table: Table, rows: Sequence[Row], key: str | tuple[str, ...]
) -> UpsertCounts:
    """Upsert rows whose content hash differs from the stored one; of the rest only
    `update_date` follows the API (touched upstream, not changed), so `last_changed_at` means
    what it says. `key` is the row's natural key: one column or several."""
    counts = UpsertCounts()
    if not rows:
        return counts
    names = (key,) if isinstance(key, str) else key
    columns = [table.c[name] for name in names]
    matched = columns[0] if len(columns) == 1 else tuple_(*columns)

    def key_of(row: Row) -> Any:
        return row[names[0]] if len(names) == 1 else tuple(row[name] for name in names)

    stored: dict[Any, tuple[str | None, datetime | None]] = {}
    for chunk in _chunks([key_of(row) for row in rows]):
        for found in connection.execute(
            select(*columns, table.c.content_hash, table.c.update_date).where(matched.in_(chunk))
        ):
            ident = found[0] if len(names) == 1 else tuple(found[: len(names)])
            stored[ident] = (found[-2], found[-1])
    writing = []
    touched = []
    for row in rows:
        if key_of(row) not in stored:
            counts.added += 1
            writing.append(row)
        elif stored[key_of(row)][0] != row["content_hash"]:
            counts.updated += 1
            writing.append(row)
        else:
            counts.unchanged += 1
            # As the archive does: a version seen again without a date keeps the one it had.
            if row["update_date"] is not None and stored[key_of(row)][1] != row["update_date"]:
                touched.append(row)
    upsert(connection, table, writing, list(names), keep=["first_seen_at"])
    if touched:
        connection.execute(
            update(table)
            .where(*(column == bindparam(f"b_{column.name}") for column in columns))
            .values(update_date=bindparam("b_update_date")),
            [
                {**{f"b_{name}": row[name] for name in names}, "b_update_date": row["update_date"]}
                for row in touched
            ],
        )
    return counts
