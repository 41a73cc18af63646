"""What tests observe from outside a running `hearings` process, on either backend: committed
rows, whether the writer lock is held, consistency after a crash, and the backups written."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from hearings.store.engine import sqlite_file
from hearings.store.postgres import find_client_program

# A module-scoped fixture's `params`: each backend in turn.
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def empty_database_url(request: pytest.FixtureRequest, folder: Path) -> str:
    """A database with no rows yet on the backend `request.param` names (see BACKENDS): a file
    in `folder`, or a database of its own on the session's PostgreSQL server."""
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres_server")
        return str(server.url(server.create_database()))
    return f"sqlite:///{folder / 'hearings.db'}"


_ORPHAN_APPEARANCES = (
    "SELECT count(*) FROM witness_appearances a LEFT JOIN hearings h "
    "ON h.event_id = a.event_id WHERE h.event_id IS NULL"
)


def _scalar(database_url: str, sql: str) -> int | None:
    """One number from a fresh connection, or None when the schema is not there yet."""
    path = sqlite_file(database_url)
    if path is not None:
        if not path.exists():
            return None
        connection = sqlite3.connect(path, timeout=30)
        try:
            return int(connection.execute(sql).fetchone()[0])
        except sqlite3.OperationalError:
            return None
        finally:
            connection.close()
    engine = create_engine(database_url)
    try:
        with engine.connect() as pg:
            return int(pg.execute(text(sql)).scalar_one())
    except DBAPIError:
        return None
    finally:
        engine.dispose()


def committed_meetings(database_url: str) -> int:
    """Committed meetings, as another connection sees them while a run is still going."""
    return _scalar(database_url, "SELECT count(*) FROM hearings") or 0


def writer_lock_held(database_url: str) -> bool:
    """True while some process holds the writer lock: the pid in `<db>.lock` on SQLite, the
    advisory lock on PostgreSQL."""
    path = sqlite_file(database_url)
    if path is not None:
        lock = path.with_name(path.name + ".lock")
        return lock.exists() and bool(lock.read_text().strip())
    held = _scalar(
        database_url,
        "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
        "WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()",
    )
    return bool(held)


def assert_consistent(database_url: str) -> None:
    """The database is sound and no batch is half-applied: every meeting has its children or
    none was written. PostgreSQL enforces foreign keys itself; SQLite is checked."""
    path = sqlite_file(database_url)
    if path is not None:
        if not path.exists():
            return
        connection = sqlite3.connect(path)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            connection.close()
    assert _scalar(database_url, _ORPHAN_APPEARANCES) in (0, None)


def backup_files(folder: Path) -> list[Path]:
    """The backups in `folder`, oldest first: SQLite copies or pg_dump archives."""
    return sorted(p for p in folder.glob("hearings_backup_*") if p.suffix in (".db", ".dump"))


def backup_meeting_count(backup: Path) -> int:
    """How many meetings a backup holds (a SQLite copy checked for integrity, or a pg_dump
    archive read back with pg_restore)."""
    if backup.suffix == ".db":
        connection = sqlite3.connect(backup)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            return int(connection.execute("SELECT count(*) FROM hearings").fetchone()[0])
        finally:
            connection.close()
    pg_restore = find_client_program("pg_restore")
    assert pg_restore is not None
    script = subprocess.run(
        [pg_restore, "--data-only", "--table=hearings", "--file=-", str(backup)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = script.split("FROM stdin;\n", 1)[1].split("\n\\.\n", 1)[0]
    return len(rows.splitlines())
