"""High-water marks (`sync_state`): the newest `updateDate` committed per congress, chamber and
entity. A mark is written in the transaction of the data it describes, and never passes the run's
own start time, so a clock upstream that runs ahead cannot make the next run skip changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, select

from hearings.store import schema
from hearings.store.records import utc_naive
from hearings.store.writer import upsert
from hearings.sync.options import ALL_CHAMBERS, SyncOptions

OVERLAP = timedelta(hours=1)


def read_high_water_mark(
    connection: Connection, congress: int, chamber: str, entity: str
) -> datetime | None:
    state = schema.sync_state
    rows = connection.execute(
        select(state.c.chamber, state.c.high_water_mark).where(
            state.c.congress == congress, state.c.entity == entity
        )
    ).all()
    marks = {row.chamber: row.high_water_mark for row in rows if row.high_water_mark}
    if chamber in marks:
        return marks[chamber]
    if chamber != ALL_CHAMBERS and ALL_CHAMBERS in marks:
        return marks[ALL_CHAMBERS]
    if chamber == ALL_CHAMBERS and marks:
        # Only per-chamber marks exist: the oldest one is where "everything" is known up to.
        return min(marks.values())
    return None


def advance_high_water_mark(
    connection: Connection,
    options: SyncOptions,
    entity: str,
    mark: datetime | None,
    *,
    run_id: int | None,
    run_started: datetime,
    now: datetime,
) -> None:
    """Move the mark forward (never back, never past `run_started`), in the caller's
    transaction."""
    if mark is None:
        return
    mark = min(utc_naive(mark), utc_naive(run_started))  # type: ignore[type-var]
    congress, chamber = options.congress, options.chamber_key
    current = connection.execute(
        select(schema.sync_state.c.high_water_mark).where(
            schema.sync_state.c.congress == congress,
            schema.sync_state.c.chamber == chamber,
            schema.sync_state.c.entity == entity,
        )
    ).scalar_one_or_none()
    if current is not None and current >= mark:
        return
    row = {
        "congress": congress,
        "chamber": chamber,
        "entity": entity,
        "high_water_mark": mark,
        "last_run_id": run_id,
        "updated_at": now,
    }
    upsert(connection, schema.sync_state, [row], ["congress", "chamber", "entity"])


def update_window(
    connection: Connection, options: SyncOptions, now: datetime, entity: str
) -> datetime:
    """`min(high-water mark − overlap, now − lookback)`: a missed week is caught up, not lost."""
    lookback_start = now - timedelta(days=options.lookback_days)
    mark = read_high_water_mark(connection, options.congress, options.chamber_key, entity)
    if mark is None:
        return lookback_start
    return min(mark.replace(tzinfo=UTC) - OVERLAP, lookback_start)
