"""The first-seen and last-changed times a rebuild keeps: read from the database before its
derived rows are deleted (or, for a meeting it no longer holds, from the archive), and put back on
the rebuilt rows, so a rebuild changes what was derived, never when it was first seen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    DateTime,
    Table,
    bindparam,
    func,
    select,
    type_coerce,
    update,
)
from sqlalchemy.types import NullType

from hearings.store import schema
from hearings.store.archive_latest import first_seen_times


@dataclass(frozen=True)
class Stamps:
    """The first-seen and last-changed times a rebuilt row keeps."""

    meetings: dict[str, tuple[datetime, datetime]]
    witnesses: dict[str, datetime]


def kept_stamps(previous: Connection) -> Stamps:
    """What the database holds now: each meeting's times (else its archive's first-seen time),
    each witness's first-seen time."""
    hearings, witnesses = schema.hearings, schema.witnesses
    archived = first_seen_times(previous, "meeting", unless_in=hearings.c.event_id)
    stored = _readable_times(
        previous, hearings.c.event_id, hearings.c.first_seen_at, hearings.c.last_changed_at
    )
    if len(stored) < _count(previous, hearings):
        # A time that could not be read: the archive's stands in for it.
        archived = first_seen_times(previous, "meeting")
    witness_stamps = {
        key: times[0]
        for key, times in _readable_times(
            previous, witnesses.c.witness_id, witnesses.c.first_seen_at
        ).items()
    }
    meetings = {key: (first, last) for key, (first, last) in stored.items()}
    return Stamps({**archived, **meetings}, witness_stamps)


def _readable_times(
    previous: Connection, key: ColumnElement[str], *times: ColumnElement[datetime]
) -> dict[str, tuple[Any, ...]]:
    """Each row's times by its key; a row with a time that cannot be read (damaged, or written by
    another program: SQLite keeps any value) is left out, for the archive's times to stand in,
    so that a rebuild mends such a table instead of failing on it."""
    try:
        return {row[0]: tuple(row[1:]) for row in previous.execute(select(key, *times))}
    except (ValueError, TypeError, OverflowError):
        pass
    dialect = previous.dialect
    read = DateTime().dialect_impl(dialect).result_processor(dialect, None) or (lambda v: v)
    readable: dict[str, tuple[Any, ...]] = {}
    for row in previous.execute(select(key, *(type_coerce(t, NullType()) for t in times))):
        try:
            readable[row[0]] = tuple(None if v is None else read(v) for v in row[1:])
        except (ValueError, TypeError, OverflowError):
            continue
    return readable


def _count(previous: Connection, table: Table) -> int:
    return int(previous.execute(select(func.count()).select_from(table)).scalar_one())


def restore_stamps(connection: Connection, stamps: Stamps) -> None:
    """Witnesses keep their first-seen time (else their first meeting's, which the meeting
    kept as it was written)."""
    hearings, witnesses = schema.hearings, schema.witnesses
    appearances = schema.witness_appearances
    earliest = (
        select(func.min(hearings.c.first_seen_at))
        .select_from(appearances.join(hearings, hearings.c.event_id == appearances.c.event_id))
        .where(appearances.c.witness_id == witnesses.c.witness_id)
        .scalar_subquery()
    )
    connection.execute(
        update(witnesses).values(first_seen_at=func.coalesce(earliest, witnesses.c.first_seen_at))
    )
    if stamps.witnesses:
        connection.execute(
            update(witnesses)
            .where(witnesses.c.witness_id == bindparam("b_witness_id"))
            .values(first_seen_at=bindparam("b_first", type_=DateTime)),
            [
                {"b_witness_id": witness_id, "b_first": first}
                for witness_id, first in stamps.witnesses.items()
            ],
        )
