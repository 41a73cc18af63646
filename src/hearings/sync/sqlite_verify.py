"""Whether a file is a sound SQLite database on its own (no -wal needed), told as one clause:
what the file system and the header show, then SQLite's integrity check. It never writes to the
file."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from hearings.store.integrity import integrity_problems, integrity_summary
from hearings.store.sqlite_check import special_file_kind

_SQLITE_HEADER = b"SQLite format 3\x00"


def verify_sqlite_file(path: Path) -> str | None:
    """None when `path` is a sound SQLite database on its own (no -wal needed), else the problem
    as one sentence. Never raises for a bad file, and never writes to it."""
    problem = diagnose(Path(path))
    return f"The file {path} {problem}." if problem else None


def diagnose(path: Path, *, deep: bool = True, quick: bool = False) -> str | None:
    """What is wrong with the file, as a clause ("is not a SQLite database"), or None. Without
    `deep`, only what the file system and the header show (no integrity check). `quick` takes
    SQLite's quick check instead of the full one: every page read and its structure checked, at
    a third of the cost, without the check that each index holds exactly its table's rows."""
    try:
        if not path.exists():
            return "does not exist"
        if path.is_dir():
            return "is a folder, not a database file"
        kind = special_file_kind(path)
        if kind is not None:
            # Opened, a fifo waits for a writer forever and a device reads without end.
            return f"is {kind}, not a database file"
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if size == 0:
        return "is empty"
    if not header.startswith(_SQLITE_HEADER):
        return "is not a SQLite database"
    if len(header) < 100:
        return "is truncated (shorter than a SQLite header)"
    expected = _size_from_header(header)
    if expected is not None and size < expected:
        return f"is truncated ({size} of {expected} bytes)"
    if not deep:
        return None
    try:
        check = "quick_check" if quick else "integrity_check"
        # immutable=1: read the file exactly as it is, create no -wal/-shm beside it, take no locks.
        uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
        connection = sqlite3.connect(uri, uri=True, timeout=30)
        try:
            rows = connection.execute(f"PRAGMA {check}").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        return f"is corrupt ({exc})"
    problems = integrity_problems(rows)
    if problems or not rows:
        name = "quick check" if quick else "integrity check"
        return f"is corrupt (SQLite's {name}: {integrity_summary(problems)})"
    return None


def _size_from_header(header: bytes) -> int | None:
    """The file size the header promises, when the header's page count is trustworthy."""
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    page_count = int.from_bytes(header[28:32], "big")
    change_counter = header[24:28]
    valid_for = header[92:96]
    # SQLite trusts the in-header page count only when "version-valid-for" matches the counter.
    if page_count == 0 or change_counter != valid_for or page_size < 512:
        return None
    return page_size * page_count
