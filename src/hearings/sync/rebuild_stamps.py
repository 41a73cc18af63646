"""The first-seen and last-changed times a rebuild keeps: read from the database before its
derived rows are deleted (or, for a meeting it no longer holds, from the archive), and put back on
the rebuilt rows, so a rebuild changes what was derived, never when it was first seen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, DateTime, bindparam, func, select, update

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
    stored = {
        row.event_id: (row.first_seen_at, row.last_changed_at)
        for row in previous.execute(
            select(hearings.c.event_id, hearings.c.first_seen_at, hearings.c.last_changed_at)
        )
    }
    witness_stamps = dict(
        previous.execute(select(witnesses.c.witness_id, witnesses.c.first_seen_at)).all()
    )
    return Stamps({**archived, **stored}, witness_stamps)


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
