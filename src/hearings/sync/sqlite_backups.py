"""SQLite backups: taken from the live database with SQLite's online backup API, verified before
they count (`sync.sqlite_verify`), and restored by an atomic swap that keeps the replaced file.
Only a hearings database at a schema revision this version knows is restored.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from hearings.errors import UnknownSchema
from hearings.store.read_only import sqlite_read_only
from hearings.store.schema_version import sqlite_schema_version
from hearings.store.sqlite_check import special_file_kind
from hearings.sync.backup_files import (
    BackupFailed,
    RestoreFailed,
    fsync_dir,
    fsync_file,
    install_without_clobbering,
    new_partial,
    utc,
)
from hearings.sync.backup_payloads import damaged_payloads
from hearings.sync.backup_rows import row_problems
from hearings.sync.failpoints import failpoint
from hearings.sync.leftovers import remove_leftovers
from hearings.sync.set_aside import is_the_database, set_aside
from hearings.sync.sqlite_sidecars import fold_sidecars
from hearings.sync.sqlite_verify import diagnose

log = logging.getLogger(__name__)

# ---- backup --------------------------------------------------------------------------------


def create_backup(database_path: Path, backup_dir: Path, *, now: datetime) -> Path:
    """Copy the live database into `backup_dir` with SQLite's online backup API, verify the copy,
    and return its path. Safe while other connections read and write (WAL or not)."""
    database_path = Path(database_path)
    backup_dir = Path(backup_dir)
    if not database_path.is_file():
        raise BackupFailed(f"There is no database file at {database_path} to back up.")
    partial = new_partial(backup_dir)
    try:
        _copy_online(database_path, partial)
        failpoint("backup_copied")
        problem = diagnose(partial)
        if problem:
            # SQLite copies the pages as they are: a damaged copy almost always means a damaged
            # database, which is what the user needs to hear, and what to do about it.
            raise BackupFailed(
                f"The backup copy of {database_path} {problem}, so the database itself is most "
                "likely damaged: no backup was kept and nothing was changed; `hearings verify` "
                "checks it, and `hearings backup restore PATH` puts an earlier backup back."
            )
        fsync_file(partial)
        final = install_without_clobbering(partial, backup_dir, utc(now))
        fsync_dir(backup_dir)
        return final
    finally:
        partial.unlink(missing_ok=True)


def _copy_online(source_path: Path, target_path: Path) -> None:
    # Read-only: a backup never writes to the database, which may sit on a read-only mount.
    read_only = sqlite_read_only(source_path)
    uri = f"file:{quote(str(source_path.resolve()))}?mode=ro"
    if read_only is not None and read_only.immutable:
        uri += "&immutable=1"
    try:
        source = sqlite3.connect(uri, uri=True, timeout=30)
        try:
            target = sqlite3.connect(target_path)
            try:
                # One step (pages=-1): the copy is a single consistent snapshot; a writer on
                # another connection is not blocked in WAL mode.
                source.backup(target, pages=-1)
                # A self-contained file: no -wal needed to read or restore the backup.
                target.execute("PRAGMA journal_mode=DELETE").fetchall()
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupFailed(f"Backing up {source_path} failed: {exc}.") from None
    except OSError as exc:
        raise BackupFailed(f"Backing up {source_path} failed: {exc.strerror or exc}.") from None


# ---- restore -------------------------------------------------------------------------------


def restore_backup(
    backup_path: Path, database_path: Path, *, now: datetime, force: bool = False
) -> Path | None:
    """Replace the database with a verified copy of `backup_path`, atomically. The replaced file
    is kept as `<db>.replaced-YYYYMMDD_HHMMSS` and its path returned (None if there was none).
    `force` restores a backup whose stored values `hearings verify` would call problems.

    Run it while no other process uses the database (hold the writer lock)."""
    backup_path = Path(backup_path)
    database_path = Path(database_path)
    if is_the_database(backup_path, database_path):
        raise RestoreFailed(f"{backup_path} is the database itself; choose a backup file.")
    # The full integrity check runs once, on the staged copy; this catches the obvious at once.
    problem = diagnose(backup_path, deep=False)
    if problem:
        raise RestoreFailed(refusal(backup_path, f"the file {problem}", database_path))
    problem = not_restorable(backup_path)
    if problem:
        raise RestoreFailed(refusal(backup_path, problem, database_path))
    refuse_special_database(backup_path, database_path)
    folder = database_path.parent
    read_only = sqlite_read_only(database_path)
    if read_only is not None:
        raise RestoreFailed(f"Cannot restore {backup_path}: {clause(read_only.reason)}")
    if not folder.is_dir():
        raise RestoreFailed(f"The folder for the database {database_path} does not exist.")

    # A restore killed before its swap left its staged copy: under the lock, none is in use.
    remove_leftovers(database_path)
    # Stage the copy next to the database so the final rename stays on one file system.
    try:
        handle, staged_name = tempfile.mkstemp(prefix=f".{database_path.name}.restore-", dir=folder)
    except OSError as exc:
        raise RestoreFailed(
            f"Cannot write in {folder} ({exc.strerror or exc}); {database_path} was not changed."
        ) from None
    staged = Path(staged_name)
    try:
        with os.fdopen(handle, "wb") as out, backup_path.open("rb") as src:
            shutil.copyfileobj(src, out, length=1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
        problem = fold_sidecars(backup_path, staged)
        if problem:
            raise RestoreFailed(refusal(backup_path, problem, database_path))
        failpoint("restore_staged")
        # mkstemp makes the file private (0600); the restored database keeps the old one's mode.
        if database_path.exists():
            shutil.copymode(database_path, staged)
        else:
            staged.chmod(0o644)
        # Verify what will actually be installed, not only its source.
        problem = diagnose(staged)
        if problem:
            raise RestoreFailed(refusal(backup_path, f"the file {problem}", database_path))
        problem = not_restorable(staged) or damaged_payloads(staged)
        if problem:
            raise RestoreFailed(refusal(backup_path, problem, database_path))
        refuse_rows(backup_path, staged, database_path, force=force)
        replaced = set_aside(database_path, utc(now))
        os.replace(staged, database_path)
        fsync_dir(folder)
        return replaced
    except OSError as exc:
        raise RestoreFailed(
            f"Restoring {backup_path} over {database_path} failed ({exc.strerror or exc}); "
            "the database was not replaced."
        ) from None
    finally:
        staged.unlink(missing_ok=True)


def not_restorable(staged: Path) -> str | None:
    """Why a sound SQLite file is still no backup of ours: not a hearings database, or one at a
    schema revision this version does not know (a newer version made it)."""
    try:
        version = sqlite_schema_version(staged, immutable=True)
    except UnknownSchema as exc:
        return f"it {exc.clause}"
    except sqlite3.Error as exc:
        return f"the file cannot be read ({exc})"
    if version.revision is None:
        return "it is not a hearings database (it holds no hearings tables)"
    return None


def refuse_rows(backup_path: Path, staged: Path, database_path: Path, *, force: bool) -> None:
    """Refuse a staged copy whose tables or values hearings cannot read; with `force`, values
    alone pass, logged (a rebuild writes the derived tables again)."""
    problems = row_problems(staged)
    if problems is None:
        return
    if force and problems.forceable:
        log.warning("Restoring %s with --force although %s.", backup_path, problems.clause)
        return
    advice = (
        "; `hearings backup restore --force` restores it anyway, and `hearings verify` then "
        "names every such value"
        if problems.forceable
        else ""
    )
    raise RestoreFailed(refusal(backup_path, problems.clause + advice, database_path))


def refuse_special_database(backup_path: Path, database_path: Path) -> None:
    """A restore installs its file under the database's name: over a device or a fifo (a
    DATABASE_URL naming /dev/null, or a link to it) that replaced the device itself with the
    database, for every program on the machine."""
    kind = special_file_kind(database_path)
    if kind is not None:
        raise RestoreFailed(
            f"Cannot restore {backup_path}: the database path {database_path} is {kind}, not a "
            "database file, and was not changed; point DATABASE_URL at a database file."
        )


def clause(sentence: str) -> str:
    """A sentence of its own ("The database … is read-only…") as the second half of another."""
    return sentence[:1].lower() + sentence[1:]


def refusal(backup_path: Path, problem: str, database_path: Path) -> str:
    return f"Cannot restore from {backup_path}: {problem}; {database_path} was not changed."
