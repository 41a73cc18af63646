"""The backup folder: backup names, their errors, listing, pruning (with the temporary copies of
killed backups) and durable installation.

Backup names carry their creation time in UTC: `hearings_backup_YYYYMMDD_HHMMSS.db` (SQLite) or
`.dump` (PostgreSQL), then `_2`, `_3` for more than one in the same second. A naive `now` is taken
to be UTC.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hearings.errors import HearingsError

BACKUP_PREFIX = "hearings_backup_"
STAMP = "%Y%m%d_%H%M%S"
# `.db` for SQLite copies, `.dump` for pg_dump archives (PostgreSQL).
BACKUP_NAME = re.compile(r"^hearings_backup_(?P<stamp>\d{8}_\d{6})(?:_(?P<seq>\d+))?\.(?:db|dump)$")
# The temporary copy a backup writes before it is verified and named (`.partial`, and SQLite's
# journal beside it). A backup killed mid-copy (kill -9, a power cut) leaves it behind, as large
# as the database; one untouched this long belongs to no backup still running.
PARTIAL_NAME = re.compile(r"^\.hearings_backup_.+\.partial(?:-journal|-wal|-shm)?$")
STALE_PARTIAL = timedelta(days=1)


class BackupFailed(HearingsError):
    """A backup could not be written, or the written copy did not verify."""


class RestoreFailed(HearingsError):
    """A restore was refused (unusable backup) or could not be carried out."""


@dataclass(frozen=True)
class BackupInfo:
    """One backup file in the backup folder."""

    path: Path
    created_at: datetime
    size: int


def require_folder(backup_dir: Path) -> None:
    """Refuse, in one sentence, a BACKUP_DIR that is a file (a missing folder is made when a
    backup is written)."""
    if backup_dir.exists() and not backup_dir.is_dir():
        raise BackupFailed(
            f"BACKUP_DIR {backup_dir} is a file, not a folder: set BACKUP_DIR to a folder."
        )


def new_partial(backup_dir: Path) -> Path:
    """An empty temporary file in `backup_dir` (made if missing) for a backup to be written into;
    a folder that cannot hold one is one sentence that says what to change."""
    require_folder(backup_dir)
    if backup_dir.is_symlink() and not backup_dir.exists():
        # mkdir would say "File exists" of the link itself, which reads as nonsense.
        raise BackupFailed(
            f"BACKUP_DIR {backup_dir} is a symbolic link to nothing (its target is missing, or "
            "it leads back to itself): point it at a folder."
        )
    try:
        backup_dir.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(
            prefix=".hearings_backup_", suffix=".partial", dir=backup_dir
        )
        os.close(handle)
    except OSError as exc:
        raise BackupFailed(
            f"Cannot write backups to {backup_dir}: {exc.strerror or exc}."
        ) from None
    return Path(name)


def install_without_clobbering(
    partial: Path, backup_dir: Path, now: datetime, extension: str = ".db"
) -> Path:
    stamp = now.strftime(STAMP)
    for sequence in range(1, 10_000):
        suffix = "" if sequence == 1 else f"_{sequence}"
        final = backup_dir / f"{BACKUP_PREFIX}{stamp}{suffix}{extension}"
        if final.exists():
            continue
        try:
            # A hard link fails if the name was taken in the meantime; rename would overwrite.
            os.link(partial, final)
        except FileExistsError:
            continue
        except OSError:
            os.replace(partial, final)  # file systems without hard links
        return final
    raise BackupFailed(f"Too many backups named {BACKUP_PREFIX}{stamp}* in {backup_dir}.")


# ---- listing and pruning -------------------------------------------------------------------


def list_backups(backup_dir: Path) -> list[BackupInfo]:
    """Every backup in `backup_dir`, newest first; other files are ignored."""
    found: list[tuple[datetime, int, BackupInfo]] = []
    try:
        entries = list(Path(backup_dir).iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    for entry in entries:
        match = BACKUP_NAME.match(entry.name)
        if not match or not entry.is_file():
            continue
        created_at = datetime.strptime(match["stamp"], STAMP).replace(tzinfo=UTC)
        sequence = int(match["seq"] or 1)
        info = BackupInfo(path=entry, created_at=created_at, size=entry.stat().st_size)
        found.append((created_at, sequence, info))
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [info for _, _, info in found]


def prune_backups(backup_dir: Path, retention_days: int, *, now: datetime) -> list[Path]:
    """Delete backups older than `retention_days` and return their paths; the newest backup is
    always kept, however old, so there is never no backup at all."""
    cutoff = utc(now) - timedelta(days=retention_days)
    deleted: list[Path] = []
    for info in list_backups(backup_dir)[1:]:
        if info.created_at < cutoff:
            info.path.unlink(missing_ok=True)
            deleted.append(info.path)
    return deleted + remove_stale_partials(backup_dir, now=now)


def remove_stale_partials(backup_dir: Path, *, now: datetime) -> list[Path]:
    """Delete the temporary copies of backups killed before they finished, once a day old (a
    backup of another process may be writing a fresh one); return their paths."""
    cutoff = (utc(now) - STALE_PARTIAL).timestamp()
    try:
        entries = list(Path(backup_dir).iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    deleted: list[Path] = []
    for entry in entries:
        if not PARTIAL_NAME.match(entry.name):
            continue
        try:
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                entry.unlink()
                deleted.append(entry)
        except FileNotFoundError:  # removed meanwhile by the backup that wrote it
            continue
    return sorted(deleted)


# ---- helpers -------------------------------------------------------------------------------


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not every platform can open a directory.
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
