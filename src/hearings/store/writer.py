"""Writing records: upserts by natural key, skipping what did not change, and the committee
rows a meeting needs; `store.meeting_writer` applies the meetings themselves.

Every function here runs inside a transaction the caller owns; none of them commits. That is what
lets a batch (or a whole run) commit or roll back as one unit, high-water mark included.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from hearings.store import schema
from hearings.store.bulk import row_tuples, upsert_tuples_sqlite
from hearings.store.records import Row

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


def chunks(values: Sequence[Any], size: int = _IN_CHUNK) -> Iterable[Sequence[Any]]:
    """`values` in slices short enough for one IN list."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def known_committee_codes(connection: Connection, codes: Iterable[str]) -> set[str]:
    wanted = sorted(set(codes))
    known: set[str] = set()
    committees = schema.committees
    for chunk in chunks(wanted):
        result = connection.execute(
            select(committees.c.system_code).where(committees.c.system_code.in_(chunk))
        )
        known.update(row.system_code for row in result)
    return known


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
    for chunk in chunks([key_of(row) for row in rows]):
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
