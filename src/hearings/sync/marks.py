"""High-water marks (`sync_state`): the newest `updateDate` committed per congress, chamber and
entity. A mark is written in the transaction of the data it describes, and never passes the run's
own start time, so a clock upstream that runs ahead cannot make the next run skip changes.

A run across Congresses reads the earliest window of those it covers and moves every one of their
marks, so a Congress imported later keeps its own mark until an update covers it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, select, union

from hearings.store import schema
from hearings.store.records import utc_naive
from hearings.store.writer import upsert
from hearings.sync.options import ALL_CHAMBERS, SyncOptions

OVERLAP = timedelta(hours=1)
# A held window: a list entry that named no record cannot be retried by name, so the next run
# lists again from where this one started (`<entity>.relist`, the oldest such start).
HELD = ".relist"
EVERYTHING = datetime(1900, 1, 1)


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
    """Move the mark of every Congress the run covers forward (never back, never past
    `run_started`), in the caller's transaction. A run across Congresses listed them all up to
    `mark`, so each of their marks may follow it."""
    if mark is None:
        return
    mark = min(utc_naive(mark), utc_naive(run_started))  # type: ignore[type-var]
    chamber = options.chamber_key
    for congress in options.selected:
        current = connection.execute(
            select(schema.sync_state.c.high_water_mark).where(
                schema.sync_state.c.congress == congress,
                schema.sync_state.c.chamber == chamber,
                schema.sync_state.c.entity == entity,
            )
        ).scalar_one_or_none()
        if current is not None and current >= mark:
            continue
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
    """`min(high-water mark − overlap, now − lookback)`: a missed week is caught up, not lost.
    Across Congresses the earliest of their windows, so a Congress behind the others (one just
    imported, say) loses nothing."""
    return min(_window(connection, options, now, entity, c) for c in options.selected)


def _window(
    connection: Connection, options: SyncOptions, now: datetime, entity: str, congress: int
) -> datetime:
    lookback_start = now - timedelta(days=options.lookback_days)
    mark = read_high_water_mark(connection, congress, options.chamber_key, entity)
    window = (
        lookback_start if mark is None else min(mark.replace(tzinfo=UTC) - OVERLAP, lookback_start)
    )
    held = read_high_water_mark(connection, congress, options.chamber_key, entity + HELD)
    return window if held is None else min(window, held.replace(tzinfo=UTC))


def hold_window(
    connection: Connection, options: SyncOptions, entity: str, since: datetime | None, now: datetime
) -> None:
    """Make the next run list `entity` again from `since` (everything, for an import)."""
    start = utc_naive(since) or EVERYTHING
    table = schema.sync_state
    for congress in options.selected:
        key = {"congress": congress, "chamber": options.chamber_key, "entity": entity + HELD}
        held = connection.execute(
            select(table.c.high_water_mark).where(*(table.c[k] == v for k, v in key.items()))
        ).scalar_one_or_none()
        if held is not None and held <= start:
            continue
        row = {**key, "high_water_mark": start, "last_run_id": None, "updated_at": now}
        upsert(connection, table, [row], list(key))


def release_window(connection: Connection, options: SyncOptions, entity: str) -> None:
    """A listing that named every record clears its entity's held window."""
    table = schema.sync_state
    connection.execute(
        delete(table).where(
            table.c.congress.in_(options.selected),
            table.c.chamber == options.chamber_key,
            table.c.entity == entity + HELD,
        )
    )


def held_congresses(engine: Engine) -> tuple[int, ...]:
    """The Congresses a database holds: those of its meetings, and those it keeps marks for."""
    query = union(
        select(schema.hearings.c.congress).distinct(),
        select(schema.sync_state.c.congress).distinct(),
    )
    with engine.connect() as connection:
        return tuple(sorted(int(c) for c in connection.execute(query).scalars() if c))
