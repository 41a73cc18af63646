"""Whether a SQLite file is a database this program can open: one sentence for a missing folder,
a folder, a file that is not SQLite, and one that is damaged; found out without writing to it."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

from hearings.errors import DatabaseUnreadable
from hearings.store.read_only import quiet_file, reading_uri, sqlite_read_only


def check_sqlite_file(path: Path) -> None:
    """Fail with one sentence when the file exists but is not a readable SQLite database."""
    if not path.exists():
        if path.parent and not path.parent.exists():
            raise DatabaseUnreadable(f"The folder for the database {path} does not exist.")
        return
    if path.is_dir():
        raise DatabaseUnreadable(f"The database path {path} is a folder, not a file.")
    kind = special_file_kind(path)
    if kind is not None:
        # Opened, a fifo waits for a writer forever: every command hung, `serve` included.
        raise DatabaseUnreadable(
            f"The database path {path} is {kind}, not a database file; point DATABASE_URL at "
            "a database file."
        )
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except OSError as exc:
        raise DatabaseUnreadable(
            f"The database file {path} cannot be read: {exc.strerror}."
        ) from None
    if header and header != b"SQLite format 3\x00":
        raise DatabaseUnreadable(
            f"The file {path} is not a SQLite database (or it is corrupt); "
            "restore it with `hearings backup restore PATH` or point DATABASE_URL elsewhere."
        )
    read_only = sqlite_read_only(path)
    # Looking never writes: read-only, and immutable (no locks, no -wal or -shm created) when
    # nothing is being written or nothing could create the -shm.
    fixed = read_only is not None and read_only.immutable
    error = _schema_table_error(path, immutable=fixed or quiet_file(path))
    if error is not None and not fixed:
        # A write may have begun in between: look again the ordinary way, with locks.
        error = _schema_table_error(path, immutable=False)
    if error is None:
        return
    if isinstance(error, sqlite3.OperationalError):
        if "locked" in str(error) or "busy" in str(error):
            return  # another process is writing: the file is a live database, not a corrupt one
        if read_only is None and _rolled_back(path):
            return
        raise DatabaseUnreadable(
            f"The database file {path} cannot be opened ({error}); "
            "restore it with `hearings backup restore PATH`."
        )
    raise DatabaseUnreadable(
        f"The database file {path} is corrupt ({error}); "
        "restore it with `hearings backup restore PATH`."
    )


def _rolled_back(path: Path) -> bool:
    """Whether a hot journal, left by a writer killed mid-transaction in rollback-journal mode,
    was rolled back, as SQLite does on the first ordinary open. A read-only look cannot do it
    ("attempt to write a readonly database"), and every command refused the database and said
    to restore a backup, losing what was committed since."""
    journal = path.with_name(path.name + "-journal")
    if not journal.is_file() or journal.stat().st_size == 0:
        return False
    try:
        connection = sqlite3.connect(path, timeout=30)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return _schema_table_error(path, immutable=False) is None


def special_file_kind(path: Path) -> str | None:
    """What `path` is when it is neither a regular file nor a folder ("a named pipe (fifo)", "a
    socket", "a device"); None for a regular file, a folder, or nothing there."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (fifo)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _schema_table_error(path: Path, *, immutable: bool) -> sqlite3.Error | None:
    # Reading the schema is enough to recognise a damaged file; a full quick_check would cost
    # seconds on a large database at every command.
    try:
        connection = sqlite3.connect(reading_uri(path, immutable=immutable), uri=True, timeout=30)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        return exc
    return None
