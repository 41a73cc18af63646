"""A restore's source may have a -wal or a hot -journal beside it (a database copied while in
use, with its files): SQLite reads the file through them, so they are part of what it holds. A
restore that copied the main file alone installed a database without the transactions in its
-wal, or with a half-written transaction its -journal would have rolled back. Here they are
copied beside the staged copy and SQLite folds them in there, never touching the source."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

_SIDECARS = ("-wal", "-journal")


def fold_sidecars(source: Path, staged: Path) -> str | None:
    """Fold the -wal or hot -journal beside `source` into `staged`, its copy, leaving a file
    complete on its own (no -wal needed); None when that worked or there was none, else why
    not, as a clause of the refusal."""
    copied = []
    for suffix in _SIDECARS:
        sidecar = source.with_name(source.name + suffix)
        if sidecar.is_file() and sidecar.stat().st_size > 0:
            target = staged.with_name(staged.name + suffix)
            shutil.copyfile(sidecar, target)
            copied.append(target)
    if not copied:
        return None
    try:
        connection = sqlite3.connect(staged, timeout=5)
        try:
            # Reading replays a hot journal; the checkpoint moves the -wal's pages into the file.
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            connection.execute("PRAGMA journal_mode=DELETE").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        names = " and ".join(source.name + "-" + p.name.rsplit("-", 1)[-1] for p in copied)
        return f"the {names} beside it cannot be read with it ({exc})"
    finally:
        for suffix in (*_SIDECARS, "-shm"):
            staged.with_name(staged.name + suffix).unlink(missing_ok=True)
    return None
