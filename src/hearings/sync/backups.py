"""Backups of the database in DATABASE_URL, whichever the backend: `backup_now` before a run or
on demand, `restore_into` under the writer lock. The work is done by `sqlite_backups` (the online
backup API, an atomic swap) and `pg_backups` (pg_dump, pg_restore); `backup_files` names, lists
and prunes the files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import ArgumentError

from hearings.errors import UsageError
from hearings.store.engine import sqlite_file
from hearings.store.opening import check_database
from hearings.store.read_only import sqlite_read_only
from hearings.store.sqlite_check import check_sqlite_file
from hearings.sync.backup_files import (
    BACKUP_PREFIX,
    BackupFailed,
    BackupInfo,
    RestoreFailed,
    list_backups,
    prune_backups,
    require_folder,
)
from hearings.sync.pg_backups import PgClientMissing, backup_database, restore_database
from hearings.sync.set_aside import prune_set_aside
from hearings.sync.sqlite_backups import (
    clause,
    create_backup,
    is_the_database,
    not_restorable,
    refusal,
    refuse_special_database,
    restore_backup,
)
from hearings.sync.sqlite_verify import diagnose, verify_sqlite_file

if TYPE_CHECKING:
    from hearings.config import Settings

__all__ = [
    "BACKUP_PREFIX",
    "BackupFailed",
    "BackupInfo",
    "PgClientMissing",
    "RestoreFailed",
    "Restored",
    "backup_database",
    "backup_now",
    "create_backup",
    "list_backups",
    "prune_backups",
    "require_folder",
    "restore_backup",
    "restore_database",
    "restore_into",
    "sqlite_path_from_url",
    "verify_sqlite_file",
]


def sqlite_path_from_url(database_url: str) -> Path | None:
    """The database file behind a `sqlite:///` URL; None for other backends and memory databases."""
    try:
        return sqlite_file(database_url)
    except ArgumentError:
        return None


def backup_now(settings: Settings, *, now: datetime) -> Path | None:
    """Back up the database of `settings` into BACKUP_DIR and prune old backups; None when a
    SQLite database does not exist yet (or is empty). A database this version cannot use (a
    newer or unknown schema) is refused before anything is written."""
    path = sqlite_file(settings.database_url)
    if path is not None:
        check_sqlite_file(path)  # a fifo or a device is no empty database to skip
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        return None
    check_database(settings.database_url)
    if path is None:
        return backup_database(settings, now=now)
    made = create_backup(path, settings.backup_dir, now=now)
    prune_backups(settings.backup_dir, settings.backup_retention_days, now=now)
    return made


@dataclass(frozen=True)
class Restored:
    """What a restore kept of the database it replaced: the set-aside SQLite file or the
    PostgreSQL backup taken first (None: there was no database), and the earlier set-aside
    files it deleted once the restored one was in place."""

    kept: Path | None
    removed: list[Path] = field(default_factory=list)


def restore_into(
    settings: Settings, backup_path: Path, *, now: datetime, force: bool = False
) -> Restored:
    """Restore `backup_path` into the database of `settings` under the writer lock (a restore
    under a running update would be overwritten or corrupt it), then delete the databases set
    aside beside it more than BACKUP_RETENTION_DAYS ago (the newest is kept). `force` restores a
    SQLite backup whose stored values `hearings verify` would call problems."""
    from hearings.store.engine import create_db_engine
    from hearings.store.writer_lock import writer_lock

    backup_path = Path(backup_path)
    if not backup_path.exists():
        raise UsageError(f"There is no backup at {backup_path}.")
    database = sqlite_file(settings.database_url)
    if database is None:
        return Restored(restore_database(settings, backup_path, now=now))
    # Before the lock, which is a file beside the database: say what is wrong, not what failed.
    refuse_special_database(backup_path, database)
    if not database.parent.is_dir():
        raise RestoreFailed(
            f"Cannot restore {backup_path}: the folder {database.parent} of the database "
            "does not exist."
        )
    read_only = sqlite_read_only(database)
    if read_only is not None:
        raise RestoreFailed(f"Cannot restore {backup_path}: {clause(read_only.reason)}")
    # What can be told from the file alone is told before the lock file is created.
    if is_the_database(backup_path, database):
        raise RestoreFailed(f"{backup_path} is the database itself; choose a backup file.")
    problem = diagnose(backup_path, deep=False)
    why = f"the file {problem}" if problem else not_restorable(backup_path)
    if why:
        raise RestoreFailed(refusal(backup_path, why, database))
    engine = create_db_engine(settings.database_url)
    try:
        with writer_lock(engine, settings.database_url):
            kept = restore_backup(backup_path, database, now=now, force=force)
            # Only now: the restored file is verified and in place, and the lock keeps another
            # restore from setting aside a file this one is deleting.
            removed = prune_set_aside(database, settings.backup_retention_days, now=now)
            return Restored(kept, removed)
    finally:
        engine.dispose()
