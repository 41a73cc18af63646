"""One update at a time: a lock the operating system releases when the holder dies, even by
kill -9, so a crashed run never blocks the next one."""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from hearings.errors import UpdateAlreadyRunning
from hearings.store.engine import sqlite_file

# Whoever holds the lock: any command that writes (the holder is not recorded by name).
_HELD = (
    "Another hearings command is writing to this database (an import, update, rebuild, backup "
    "restore or quarantine review)"
)

log = logging.getLogger(__name__)

# An arbitrary constant that names "hearings writer" among PostgreSQL advisory locks.
_PG_LOCK_KEY = 0x4845415249


@contextmanager
def writer_lock(engine: Engine, database_url: str) -> Iterator[None]:
    """Hold the writer lock for the duration, or raise `UpdateAlreadyRunning` at once."""
    path = sqlite_file(database_url)
    if path is not None:
        with _file_lock(path.with_name(path.name + ".lock")):
            yield
        return
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            got = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": _PG_LOCK_KEY}
            ).scalar_one()
            connection.commit()
            if not got:
                raise UpdateAlreadyRunning(f"{_HELD}; this one exits without touching it.")
            try:
                yield
            finally:
                _unlock(connection)
        return
    yield


def _unlock(connection: Connection) -> None:
    """Release the advisory lock. On a connection the server has dropped (stopped or restarted
    mid-run) the lock went with its session: the release has nothing to do, and its error would
    hide the one that ended the run."""
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_LOCK_KEY})
        connection.commit()
    except OperationalError:
        log.warning("The database connection was lost; its writer lock ended with it.")


@contextmanager
def _file_lock(lock_path: Path) -> Iterator[None]:
    handle = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 64, 0).decode(errors="replace").strip() or "another process"
            raise UpdateAlreadyRunning(
                f"{_HELD} (pid {holder}); this one exits without touching it."
            ) from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(handle, 0)
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)
