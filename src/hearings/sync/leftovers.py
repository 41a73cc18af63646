"""What a restore or a rebuild killed part-way leaves beside a SQLite database: the copy it staged
or the shadow it was building, hidden and as large as the database; the copy of the WAL a
restore keeps while it sets the old file aside; and, killed between setting the database aside
(a hard link) and the swap, a `<db>.replaced-…` that is only a second name of the database
itself, which every later write would change. The next command that takes the writer lock
removes them (an update, an import, a restore or a rebuild): under the lock, none is in use."""

from __future__ import annotations

import glob
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

# `tempfile.mkstemp` names, beside the database: `.hearings.db.restore-k2j4x8_a` (a restore's
# staged copy), `.hearings.db.rebuild-…` (a rebuild's shadow, with its -wal, -shm or -journal)
# and `.hearings.db-wal.…` (the WAL a restore copied before setting the old file aside).
_PATTERNS = (".{name}.restore-*", ".{name}.rebuild-*", ".{name}-wal.*")


def remove_leftovers(database: Path) -> list[Path]:
    """Delete what killed restores and rebuilds left beside `database` and return their paths.
    The caller holds the writer lock."""
    name = glob.escape(database.name)
    found = sorted(
        {path for pattern in _PATTERNS for path in database.parent.glob(pattern.format(name=name))}
        | set(_second_names(database))
    )
    removed = []
    for path in found:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:  # a read-only folder: the command itself will say so
            log.warning("Could not remove %s (%s)", path, exc.strerror or exc)
            continue
        removed.append(path)
    if removed:
        log.info(
            "Removed what an interrupted restore or rebuild left beside the database: %s",
            ", ".join(p.name for p in removed),
        )
    return removed


def _second_names(database: Path) -> list[Path]:
    """`<db>.replaced-…` names that are the database itself, not an earlier one."""
    names = database.parent.glob(f"{glob.escape(database.name)}.replaced-*")
    return [path for path in names if _same_file(path, database)]


def _same_file(path: Path, database: Path) -> bool:
    try:
        return path.is_file() and os.path.samefile(path, database)
    except OSError:
        return False
