"""The databases a restore or a rebuild sets aside beside a SQLite database
(`<db>.replaced-YYYYMMDD_HHMMSS`): made as the new file takes the database's name, listed for
`hearings status`, and pruned as backups are, once the new database is in place.

Each is a full copy of the database, so keeping every one filled the disk a restore or rebuild
at a time. They are kept for BACKUP_RETENTION_DAYS, like the backups, and the newest is always
kept: it is often the only copy of what the last restore replaced (a SQLite restore takes no
backup first), and a second restore the same day must not delete the first one's.
"""

from __future__ import annotations

import glob
import logging
import os
import re
import shutil
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hearings.sync.backup_files import STAMP, utc
from hearings.sync.failpoints import failpoint
from hearings.sync.sqlite_verify import diagnose

log = logging.getLogger(__name__)

# `hearings.db.replaced-20261204_203156`, or `…_2` for a second one in the same second.
_STAMPED = re.compile(r"\.replaced-(?P<stamp>\d{8}_\d{6})(?:_\d+)?$")
_SIDECARS = ("-wal", "-shm", "-journal")


def is_the_database(backup_path: Path, database_path: Path) -> bool:
    """The "backup" is the database itself: the same path, or another name for the same file
    (a symlink, a hard link, a bind mount)."""
    if backup_path.resolve() == database_path.resolve():
        return True
    try:
        return os.path.samefile(backup_path, database_path)
    except OSError:
        return False


def set_aside(database_path: Path, now: datetime) -> Path | None:
    """Keep the current database under a `.replaced-` name (linked, so it stays in place until
    the new file atomically takes its name) and clear its -wal/-shm/-journal out of the way."""
    if not database_path.exists():
        _clear_sidecars(database_path, None)
        return None
    wal = _sidecar(database_path, "-wal")
    # SQLite deletes a -wal it cannot use when the connection closes, so a copy is taken before
    # the checkpoint is tried; it is kept only if the checkpoint could not fold the WAL in.
    saved_wal: Path | None = None
    if wal.exists() and wal.stat().st_size > 0:
        handle, saved_name = tempfile.mkstemp(prefix=f".{wal.name}.", dir=database_path.parent)
        os.close(handle)
        saved_wal = Path(saved_name)
        shutil.copyfile(wal, saved_wal)
    try:
        folded = _checkpoint(database_path)
        replaced = _free_name(database_path, now)
        try:
            os.link(database_path, replaced)
        except OSError:
            shutil.copy2(database_path, replaced)
        if saved_wal is not None and not folded:
            os.replace(saved_wal, _sidecar(replaced, "-wal"))
        _clear_sidecars(database_path, replaced)
        failpoint("database_set_aside")
    finally:
        if saved_wal is not None:
            saved_wal.unlink(missing_ok=True)
    return replaced


def set_aside_files(database_path: Path) -> list[Path]:
    """The databases restores and rebuilds have set aside beside this one, newest first."""
    found = database_path.parent.glob(f"{glob.escape(database_path.name)}.replaced-*")
    kept = [p for p in found if p.is_file() and not p.name.endswith(_SIDECARS)]
    # A second name of the database itself (killed between the link and the swap) keeps nothing.
    earlier = [p for p in kept if not is_the_database(p, database_path)]
    return sorted(earlier, key=lambda p: p.name, reverse=True)


def prune_set_aside(database_path: Path, retention_days: int, *, now: datetime) -> list[Path]:
    """Delete the databases set aside beside `database_path` more than `retention_days` ago
    (with their -wal or -journal) and return their paths; the newest is always kept. Call it
    only once the new database is in place, under the writer lock."""
    cutoff = utc(now) - timedelta(days=retention_days)
    deleted: list[Path] = []
    for kept in set_aside_files(database_path)[1:]:
        stamped = _STAMPED.search(kept.name)
        if stamped is None:
            continue  # named by hand, not by a restore: not ours to judge
        set_aside_at = datetime.strptime(stamped["stamp"], STAMP).replace(tzinfo=UTC)
        if set_aside_at >= cutoff:
            continue
        try:
            kept.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:  # a read-only folder: the restore itself is done
            log.warning("Could not remove %s (%s)", kept, exc.strerror or exc)
            continue
        for suffix in _SIDECARS:
            _sidecar(kept, suffix).unlink(missing_ok=True)
        deleted.append(kept)
    if deleted:
        log.info(
            "Removed databases set aside more than %d days ago: %s",
            retention_days,
            ", ".join(p.name for p in deleted),
        )
    return deleted


def _free_name(database_path: Path, now: datetime) -> Path:
    stamp = now.strftime(STAMP)
    replaced = database_path.with_name(f"{database_path.name}.replaced-{stamp}")
    sequence = 1
    while replaced.exists():
        sequence += 1
        replaced = database_path.with_name(f"{database_path.name}.replaced-{stamp}_{sequence}")
    return replaced


def _checkpoint(database_path: Path) -> bool:
    """Fold the WAL into the main file so the kept copy is complete on its own; False when that
    was not possible (typically a corrupt database, the usual reason to restore)."""
    if diagnose(database_path, deep=False) is not None:
        return False
    try:
        connection = sqlite3.connect(database_path, timeout=5)
        try:
            row = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            connection.close()
    except (sqlite3.Error, OSError):
        return False
    return row is not None and row[0] == 0


def _sidecar(database_path: Path, suffix: str) -> Path:
    return database_path.with_name(database_path.name + suffix)


def _clear_sidecars(database_path: Path, replaced: Path | None) -> None:
    # A -wal or hot -journal left beside the new file would be replayed into it by SQLite.
    _sidecar(database_path, "-wal").unlink(missing_ok=True)
    _sidecar(database_path, "-shm").unlink(missing_ok=True)
    journal = _sidecar(database_path, "-journal")
    if replaced is not None and journal.exists() and journal.stat().st_size > 0:
        os.replace(journal, _sidecar(replaced, "-journal"))
    else:
        journal.unlink(missing_ok=True)
