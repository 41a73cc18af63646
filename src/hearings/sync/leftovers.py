"""What a restore or a rebuild killed part-way leaves beside a SQLite database: the copy it staged
or the shadow it was building, hidden and as large as the database, and the copy of the WAL a
restore keeps while it sets the old file aside. The next command that takes the writer lock
removes them (an update, an import, a restore or a rebuild): under the lock, none is in use."""

from __future__ import annotations

import glob
import logging
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
