"""Whether a SQLite database can be written, found out before any work: a read-only mount, a
read-only file or folder (SQLite writes its -wal, -shm and -journal files beside the database).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

_SIDECARS = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class ReadOnly:
    """Why the database cannot be written, as one sentence, and how to open it for reading:
    `immutable` when nothing can create its -shm (a read-only mount or folder)."""

    reason: str
    immutable: bool


def sqlite_read_only(path: Path) -> ReadOnly | None:
    """None when the database file at `path` (or the file to be created there) can be written."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    existing = path if path.exists() else _nearest_existing(folder)
    if existing is not None and _on_read_only_mount(existing):
        return ReadOnly(
            f"The database {path} is on a read-only file system, so it cannot be written; "
            "remount it read-write, or copy the database to a writable place and point "
            "DATABASE_URL at the copy.",
            immutable=True,
        )
    if path.exists() and not os.access(path, os.W_OK):
        return ReadOnly(
            f"The database file {path} is read-only (its permissions or attributes forbid "
            f"writing), so it cannot be written; make it writable (chmod u+w {path}) or point "
            "DATABASE_URL at a writable copy.",
            immutable=False,
        )
    if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
        return ReadOnly(
            f"The folder {folder} of the database is read-only, and SQLite must create its "
            "journal files beside the database; make the folder writable or move the database.",
            immutable=True,
        )
    for suffix in _SIDECARS:
        sidecar = path.with_name(path.name + suffix)
        if sidecar.exists() and not os.access(sidecar, os.W_OK):
            return ReadOnly(
                f"The file {sidecar} beside the database is read-only, so the database cannot "
                f"be written; make it writable (chmod u+w {sidecar}).",
                immutable=False,
            )
    return None


def _nearest_existing(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate
    return None


def _on_read_only_mount(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def quiet_file(path: Path) -> bool:
    """True when no write is under way and the main file holds every commit: no -wal with
    frames in it and no rollback journal. Such a file can be read `immutable` (no locks, no
    -wal or -shm created beside it), so that looking at a database leaves no trace."""
    for suffix in ("-wal", "-journal"):
        sidecar = path.with_name(path.name + suffix)
        try:
            if sidecar.stat().st_size > 0:
                return False
        except FileNotFoundError:
            continue
        except OSError:
            return False
    return True


def reading_uri(path: Path, *, immutable: bool) -> str:
    """A read-only SQLite URI for `path`; `immutable` reads the file without locks or sidecars."""
    uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
    return uri + "&immutable=1" if immutable else uri
