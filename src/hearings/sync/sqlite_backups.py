"""SQLite backups: taken from the live database with SQLite's online backup API, verified before
they count (`sync.sqlite_verify`), and restored by an atomic swap that keeps the replaced file.
Only a hearings database at a schema revision this version knows is restored.
"""

from __future__ import annotations

import glob
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
    STAMP,
    BackupFailed,
    RestoreFailed,
    fsync_dir,
    fsync_file,
    install_without_clobbering,
    new_partial,
    utc,
)
from hearings.sync.backup_payloads import damaged_payloads
from hearings.sync.failpoints import failpoint
from hearings.sync.leftovers import remove_leftovers
from hearings.sync.sqlite_sidecars import fold_sidecars
from hearings.sync.sqlite_verify import diagnose

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


def restore_backup(backup_path: Path, database_path: Path, *, now: datetime) -> Path | None:
    """Replace the database with a verified copy of `backup_path`, atomically. The replaced file
    is kept as `<db>.replaced-YYYYMMDD_HHMMSS` and its path returned (None if there was none).

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


def is_the_database(backup_path: Path, database_path: Path) -> bool:
    """The "backup" is the database itself: the same path, or another name for the same file
    (a symlink, a hard link, a bind mount)."""
    if backup_path.resolve() == database_path.resolve():
        return True
    try:
        return os.path.samefile(backup_path, database_path)
    except OSError:
        return False


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
    kept = [p for p in found if p.is_file() and not p.name.endswith(("-wal", "-shm", "-journal"))]
    # A second name of the database itself (killed between the link and the swap) keeps nothing.
    earlier = [p for p in kept if not is_the_database(p, database_path)]
    return sorted(earlier, key=lambda p: p.name, reverse=True)


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
