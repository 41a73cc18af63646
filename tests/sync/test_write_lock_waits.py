"""Writes wait for SQLite's write lock instead of failing when another connection holds it.

A transaction that reads before it writes (the quarantine looks for an earlier entry first) used
to begin deferred: SQLite then refused its first write at once, "database is locked", whenever
another connection held the write lock at that moment, however briefly. CI met it once, and a
quarantined record was lost. Each case here holds the lock on a second connection for a moment
and checks that the write waited and landed."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from hearings.store import schema
from hearings.store.engine import writing
from hearings.store.opening import open_database
from hearings.sync.gate import Quarantined
from hearings.sync.options import SyncOptions
from hearings.sync.run_state import RunState
from tests.sync.harness import blank_metrics

HELD_SECONDS = 0.4


@contextmanager
def write_lock_held_elsewhere(
    path: Path, *, until: threading.Event | None = None
) -> Iterator[threading.Event]:
    """Another connection takes the write lock and keeps it for HELD_SECONDS (after `until` is
    set, when given); the event yielded is set once it holds it."""
    holding = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        holding.set()
        if until is not None:
            until.wait(60)
        time.sleep(HELD_SECONDS)
        other.execute("COMMIT")
        other.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(60)
    try:
        yield holding
    finally:
        if until is not None:
            until.set()
        holder.join()


def migrated(tmp_path: Path) -> tuple[Engine, Path]:
    path = tmp_path / "hearings.db"
    return open_database(f"sqlite:///{path}"), path


def test_a_quarantine_entry_waits_for_the_lock_and_is_kept(tmp_path: Path) -> None:
    engine, path = migrated(tmp_path)
    metrics = blank_metrics()
    state = RunState(engine, SyncOptions(congress=119), metrics, lambda: datetime.now(UTC))
    refused = Quarantined(
        "meeting", "117838", "list", "field 'congress': too large", {"eventId": "117838"}
    )
    # The run's connection has read before (its snapshot is older than the holder's commit).
    with state.transaction() as connection:
        connection.execute(select(schema.import_errors.c.identifier)).all()
    started = time.monotonic()
    with write_lock_held_elsewhere(path):
        state.quarantine(refused)
    state.close()
    assert time.monotonic() - started >= HELD_SECONDS * 0.9
    assert metrics.errors == []
    with engine.connect() as connection:
        kept = connection.execute(
            select(schema.import_errors.c.identifier, schema.import_errors.c.stage)
        ).all()
    assert [tuple(row) for row in kept] == [("117838", "list")]
    engine.dispose()


def test_an_engine_for_writing_waits_where_a_deferred_read_then_write_fails(
    tmp_path: Path,
) -> None:
    engine, path = migrated(tmp_path)
    table = schema.sync_state
    # Held until the deferred write has been refused: held for a fixed time, the lock could be
    # gone before the refusal was tried on a loaded machine, and the deferred write landed.
    tried = threading.Event()
    with write_lock_held_elsewhere(path, until=tried):
        # Deferred: the read succeeds, the write that follows is refused without waiting.
        deferred_failed = False
        try:
            with engine.begin() as connection:
                connection.execute(select(table)).all()
                connection.execute(table.delete())
        except Exception as exc:
            deferred_failed = "locked" in str(exc)
        tried.set()
        assert deferred_failed
        with writing(engine).begin() as connection:
            connection.execute(select(table)).all()
            connection.execute(table.delete())
    engine.dispose()
