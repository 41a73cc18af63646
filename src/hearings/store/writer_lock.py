"""One update at a time: a lock the operating system releases when the holder dies, even by
kill -9, so a crashed run never blocks the next one."""

from __future__ import annotations

import fcntl
import logging
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from hearings.errors import UpdateAlreadyRunning
from hearings.store.engine import sqlite_file

# Whoever holds the lock: any command that writes. Its holder is named where it can be read.
_HELD = (
    "Another hearings command is writing to this database (an import, update, rebuild, backup "
    "restore or quarantine review)"
)
_HELD_BY = "Another hearings command is writing to this database ({holder})"
# A command's words are its name and subcommand; what follows (paths, URLs that may hold a
# password, ids) is never recorded.
_COMMAND_WORD = re.compile(r"[a-z][a-z-]*")
# PostgreSQL keeps at most 63 bytes of an application_name.
_APPLICATION_NAME_BYTES = 63

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
            if not got:
                holder = _pg_holder(connection)
                connection.commit()
                held = _HELD_BY.format(holder=holder) if holder else _HELD
                raise UpdateAlreadyRunning(f"{held}; this one exits without touching it.")
            # The session's name is what a refused command reads of its holder.
            name = f"{holder_label()}, pid {os.getpid()}".encode()[:_APPLICATION_NAME_BYTES]
            connection.execute(
                text("SELECT set_config('application_name', :name, false)"),
                {"name": name.decode(errors="ignore")},
            )
            connection.commit()
            try:
                yield
            finally:
                _unlock(connection)
        return
    yield


def holder_label(argv: Sequence[str] | None = None) -> str:
    """`hearings update`, `hearings backup restore`: the command this process runs, by its
    words alone."""
    words = []
    for word in (sys.argv if argv is None else argv)[1:3]:
        if not _COMMAND_WORD.fullmatch(word):
            break
        words.append(word)
    return " ".join(["hearings", *words])


def _pg_holder(connection: Connection) -> str | None:
    """The holder's application_name and since when, as PostgreSQL shows them to this role
    (another role may see neither: then None)."""
    found = connection.execute(
        text(
            "SELECT a.application_name, a.backend_start FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
            "AND l.classid = :high AND l.objid = :low "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"high": _PG_LOCK_KEY >> 32, "low": _PG_LOCK_KEY & 0xFFFFFFFF},
    ).first()
    if found is None or not found[0] or not str(found[0]).startswith("hearings"):
        return None
    name, started = str(found[0]), found[1]
    return f"{name}, connected since {_utc(started)}" if started is not None else name


def _unlock(connection: Connection) -> None:
    """Release the advisory lock. On a connection the server has dropped (stopped or restarted
    mid-run) the lock went with its session: the release has nothing to do, and its error would
    hide the one that ended the run."""
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_LOCK_KEY})
        connection.execute(text("RESET application_name"))  # back in the pool, not a holder
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
            holder = _file_holder(os.pread(handle, 512, 0))
            held = _HELD_BY.format(holder=holder) if holder else _HELD
            raise UpdateAlreadyRunning(f"{held}; this one exits without touching it.") from None
        os.ftruncate(handle, 0)
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        os.pwrite(handle, f"{os.getpid()}\t{holder_label()}\t{now}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(handle, 0)
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)


def _file_holder(recorded: bytes) -> str | None:
    """`hearings update, pid 1234, since 2026-12-04 20:57 UTC` from a lock file's line (a
    version before this one wrote the pid alone)."""
    parts = recorded.decode(errors="replace").strip().split("\t")
    pid = parts[0] if parts and parts[0].isdigit() else None
    if pid is None:
        return None
    if len(parts) < 3:
        return f"pid {pid}"
    try:
        since = _utc(datetime.strptime(parts[2], "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError:
        return f"{_printable(parts[1])}, pid {pid}"
    return f"{_printable(parts[1])}, pid {pid}, since {since}"


def _utc(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _printable(label: str) -> str:
    return "".join(c for c in label if c.isprintable())[:60]
