"""SQLite backups: taken from the live database with SQLite's online backup API, verified before
they count, pruned by age, and restored by an atomic swap that keeps the replaced file.

Backup names carry their creation time in UTC: `hearings_backup_YYYYMMDD_HHMMSS.db`, then `_2`,
`_3` for more than one in the same second. A naive `now` is taken to be UTC.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from sqlalchemy.exc import ArgumentError

from hearings.errors import HearingsError, UnknownSchema, UsageError
from hearings.store.engine import check_database, sqlite_file
from hearings.store.postgres import client_connection, find_client_program
from hearings.store.read_only import sqlite_read_only
from hearings.store.schema_version import judge_schema, sqlite_schema_version

if TYPE_CHECKING:
    from hearings.config import Settings

BACKUP_PREFIX = "hearings_backup_"
_STAMP = "%Y%m%d_%H%M%S"
# `.db` for SQLite copies, `.dump` for pg_dump archives (PostgreSQL).
_BACKUP_NAME = re.compile(
    r"^hearings_backup_(?P<stamp>\d{8}_\d{6})(?:_(?P<seq>\d+))?\.(?:db|dump)$"
)
_SQLITE_HEADER = b"SQLite format 3\x00"


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


def sqlite_path_from_url(database_url: str) -> Path | None:
    """The database file behind a `sqlite:///` URL; None for other backends and memory databases."""
    try:
        return sqlite_file(database_url)
    except ArgumentError:
        return None


# ---- verification --------------------------------------------------------------------------


def verify_sqlite_file(path: Path) -> str | None:
    """None when `path` is a sound SQLite database on its own (no -wal needed), else the problem
    as one sentence. Never raises for a bad file, and never writes to it."""
    problem = _diagnose(Path(path))
    return f"The file {path} {problem}." if problem else None


def _diagnose(path: Path, *, deep: bool = True) -> str | None:
    """What is wrong with the file, as a clause ("is not a SQLite database"), or None. Without
    `deep`, only what the file system and the header show (no integrity check)."""
    try:
        if not path.exists():
            return "does not exist"
        if path.is_dir():
            return "is a folder, not a database file"
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
        # immutable=1: read the file exactly as it is, create no -wal/-shm beside it, take no locks.
        uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
        connection = sqlite3.connect(uri, uri=True, timeout=30)
        try:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        return f"is corrupt ({exc})"
    if rows != [("ok",)]:
        first = rows[0][0] if rows else "no result"
        return f"fails SQLite's integrity check ({first})"
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


# ---- backup --------------------------------------------------------------------------------


def create_backup(database_path: Path, backup_dir: Path, *, now: datetime) -> Path:
    """Copy the live database into `backup_dir` with SQLite's online backup API, verify the copy,
    and return its path. Safe while other connections read and write (WAL or not)."""
    database_path = Path(database_path)
    backup_dir = Path(backup_dir)
    if not database_path.is_file():
        raise BackupFailed(f"There is no database file at {database_path} to back up.")
    try:
        backup_dir.mkdir(parents=True, exist_ok=True)
        handle, partial_name = tempfile.mkstemp(
            prefix=".hearings_backup_", suffix=".partial", dir=backup_dir
        )
        os.close(handle)
    except OSError as exc:
        raise BackupFailed(
            f"Cannot write backups to {backup_dir}: {exc.strerror or exc}."
        ) from None
    partial = Path(partial_name)
    try:
        _copy_online(database_path, partial)
        problem = _diagnose(partial)
        if problem:
            raise BackupFailed(
                f"The backup of {database_path} was not kept because the copy {problem}."
            )
        _fsync_file(partial)
        final = _install_without_clobbering(partial, backup_dir, _utc(now))
        _fsync_dir(backup_dir)
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


def _install_without_clobbering(
    partial: Path, backup_dir: Path, now: datetime, extension: str = ".db"
) -> Path:
    stamp = now.strftime(_STAMP)
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


def backup_now(settings: Settings, *, now: datetime) -> Path | None:
    """Back up the database of `settings` into BACKUP_DIR and prune old backups; None when a
    SQLite database does not exist yet (or is empty). A database this version cannot use (a
    newer or unknown schema) is refused before anything is written."""
    path = sqlite_file(settings.database_url)
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        return None
    check_database(settings.database_url)
    if path is None:
        return backup_database(settings, now=now)
    made = create_backup(path, settings.backup_dir, now=now)
    prune_backups(settings.backup_dir, settings.backup_retention_days, now=now)
    return made


# ---- listing and pruning -------------------------------------------------------------------


def list_backups(backup_dir: Path) -> list[BackupInfo]:
    """Every backup in `backup_dir`, newest first; other files are ignored."""
    found: list[tuple[datetime, int, BackupInfo]] = []
    try:
        entries = list(Path(backup_dir).iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    for entry in entries:
        match = _BACKUP_NAME.match(entry.name)
        if not match or not entry.is_file():
            continue
        created_at = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
        sequence = int(match["seq"] or 1)
        info = BackupInfo(path=entry, created_at=created_at, size=entry.stat().st_size)
        found.append((created_at, sequence, info))
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [info for _, _, info in found]


def prune_backups(backup_dir: Path, retention_days: int, *, now: datetime) -> list[Path]:
    """Delete backups older than `retention_days` and return their paths; the newest backup is
    always kept, however old, so there is never no backup at all."""
    cutoff = _utc(now) - timedelta(days=retention_days)
    deleted: list[Path] = []
    for info in list_backups(backup_dir)[1:]:
        if info.created_at < cutoff:
            info.path.unlink(missing_ok=True)
            deleted.append(info.path)
    return deleted


# ---- restore -------------------------------------------------------------------------------


def restore_backup(backup_path: Path, database_path: Path, *, now: datetime) -> Path | None:
    """Replace the database with a verified copy of `backup_path`, atomically. The replaced file
    is kept as `<db>.replaced-YYYYMMDD_HHMMSS` and its path returned (None if there was none).

    Run it while no other process uses the database (hold the writer lock)."""
    backup_path = Path(backup_path)
    database_path = Path(database_path)
    if backup_path.resolve() == database_path.resolve():
        raise RestoreFailed(f"{backup_path} is the database itself; choose a backup file.")
    # The full integrity check runs once, on the staged copy; this catches the obvious at once.
    problem = _diagnose(backup_path, deep=False)
    if problem:
        raise RestoreFailed(_refusal(backup_path, f"the file {problem}", database_path))
    problem = _not_restorable(backup_path)
    if problem:
        raise RestoreFailed(_refusal(backup_path, problem, database_path))
    folder = database_path.parent
    read_only = sqlite_read_only(database_path)
    if read_only is not None:
        raise RestoreFailed(f"Cannot restore {backup_path}: {_clause(read_only.reason)}")
    if not folder.is_dir():
        raise RestoreFailed(f"The folder for the database {database_path} does not exist.")

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
        # mkstemp makes the file private (0600); the restored database keeps the old one's mode.
        if database_path.exists():
            shutil.copymode(database_path, staged)
        else:
            staged.chmod(0o644)
        # Verify what will actually be installed, not only its source.
        problem = _diagnose(staged)
        if problem:
            raise RestoreFailed(_refusal(backup_path, f"the file {problem}", database_path))
        problem = _not_restorable(staged)
        if problem:
            raise RestoreFailed(_refusal(backup_path, problem, database_path))
        replaced = _set_aside(database_path, _utc(now))
        os.replace(staged, database_path)
        _fsync_dir(folder)
        return replaced
    except OSError as exc:
        raise RestoreFailed(
            f"Restoring {backup_path} over {database_path} failed ({exc.strerror or exc}); "
            "the database was not replaced."
        ) from None
    finally:
        staged.unlink(missing_ok=True)


def restore_into(settings: Settings, backup_path: Path, *, now: datetime) -> Path | None:
    """Restore `backup_path` into the database of `settings` under the writer lock (a restore
    under a running update would be overwritten or corrupt it). Returns where the replaced
    content was kept: the set-aside SQLite file, or the PostgreSQL backup taken first."""
    from hearings.store.engine import create_db_engine
    from hearings.sync.lock import writer_lock

    backup_path = Path(backup_path)
    if not backup_path.exists():
        raise UsageError(f"There is no backup at {backup_path}.")
    database = sqlite_file(settings.database_url)
    if database is None:
        return restore_database(settings, backup_path, now=now)
    # Before the lock, which is a file beside the database: say what is wrong, not what failed.
    read_only = sqlite_read_only(database)
    if read_only is not None:
        raise RestoreFailed(f"Cannot restore {backup_path}: {_clause(read_only.reason)}")
    # What can be told from the file alone is told before the lock file is created.
    problem = _diagnose(backup_path, deep=False)
    refusal = f"the file {problem}" if problem else _not_restorable(backup_path)
    if refusal:
        raise RestoreFailed(_refusal(backup_path, refusal, database))
    engine = create_db_engine(settings.database_url)
    try:
        with writer_lock(engine, settings.database_url):
            return restore_backup(backup_path, database, now=now)
    finally:
        engine.dispose()


def _not_restorable(staged: Path) -> str | None:
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


def _clause(sentence: str) -> str:
    """A sentence of its own ("The database … is read-only…") as the second half of another."""
    return sentence[:1].lower() + sentence[1:]


def _refusal(backup_path: Path, problem: str, database_path: Path) -> str:
    return f"Cannot restore from {backup_path}: {problem}; {database_path} was not changed."


def _set_aside(database_path: Path, now: datetime) -> Path | None:
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
    finally:
        if saved_wal is not None:
            saved_wal.unlink(missing_ok=True)
    return replaced


def _free_name(database_path: Path, now: datetime) -> Path:
    stamp = now.strftime(_STAMP)
    replaced = database_path.with_name(f"{database_path.name}.replaced-{stamp}")
    sequence = 1
    while replaced.exists():
        sequence += 1
        replaced = database_path.with_name(f"{database_path.name}.replaced-{stamp}_{sequence}")
    return replaced


def _checkpoint(database_path: Path) -> bool:
    """Fold the WAL into the main file so the kept copy is complete on its own; False when that
    was not possible (typically a corrupt database, the usual reason to restore)."""
    if _diagnose(database_path, deep=False) is not None:
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


# ---- helpers -------------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
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


# ---- PostgreSQL ----------------------------------------------------------------------------
# pg_dump's custom format, `hearings_backup_YYYYMMDD_HHMMSS.dump`, verified by reading its table
# of contents back with `pg_restore --list`. The password travels in PGPASSWORD, never on a
# command line (where `ps` shows it).

_PG_EXTENSION = ".dump"
_PG_DATA_ENTRY = re.compile(r"^\d+; \d+ \d+ TABLE DATA \S+ hearings ", re.MULTILINE)


class PgClientMissing(BackupFailed):
    """pg_dump or pg_restore is not installed."""


def backup_database(settings: Settings, *, now: datetime | None = None) -> Path:
    """Back up the PostgreSQL database of `settings` with pg_dump into BACKUP_DIR, verify the
    archive, prune old backups, and return the archive's path."""
    moment = _utc(now or datetime.now(UTC))
    pg_dump = _pg_program("pg_dump")
    pg_restore = _pg_program("pg_restore")
    backup_dir = Path(settings.backup_dir)
    try:
        backup_dir.mkdir(parents=True, exist_ok=True)
        handle, partial_name = tempfile.mkstemp(
            prefix=".hearings_backup_", suffix=".partial", dir=backup_dir
        )
        os.close(handle)
    except OSError as exc:
        raise BackupFailed(
            f"Cannot write backups to {backup_dir}: {exc.strerror or exc}."
        ) from None
    partial = Path(partial_name)
    target = client_connection(settings.database_url)
    try:
        dumped = _run_pg(
            [
                pg_dump,
                "--format=custom",
                "--no-password",
                f"--file={partial}",
                f"--dbname={target.conninfo}",
            ],
            target.env,
        )
        if dumped.returncode != 0:
            raise BackupFailed(f"pg_dump failed, so no backup was made: {_first(dumped.stderr)}.")
        problem = _pg_archive_problem(pg_restore, partial)
        if problem:
            raise BackupFailed(f"The pg_dump backup was not kept because {problem}.")
        _fsync_file(partial)
        final = _install_without_clobbering(partial, backup_dir, moment, _PG_EXTENSION)
        _fsync_dir(backup_dir)
    finally:
        partial.unlink(missing_ok=True)
    prune_backups(backup_dir, settings.backup_retention_days, now=moment)
    return final


def restore_database(settings: Settings, backup_path: Path, *, now: datetime | None = None) -> Path:
    """Replace the PostgreSQL database's content with a verified pg_dump archive, in one
    transaction. The content it replaces is backed up first; that backup's path is returned."""
    from hearings.store.engine import create_db_engine
    from hearings.sync.lock import writer_lock

    backup_path = Path(backup_path)
    if not backup_path.is_file():
        raise RestoreFailed(f"There is no backup at {backup_path}.")
    pg_restore = _pg_program("pg_restore", purpose="restored", hint="")
    _pg_program("pg_dump", purpose="restored", hint="")
    problem = _pg_archive_problem(pg_restore, backup_path) or _pg_archive_schema_problem(
        pg_restore, backup_path
    )
    if problem:
        raise RestoreFailed(
            f"Cannot restore from {backup_path}: {problem}; the database was not changed."
        )
    target = client_connection(settings.database_url)
    engine = create_db_engine(settings.database_url)
    try:
        with writer_lock(engine, settings.database_url):
            kept = backup_database(settings, now=now)
            restored = _run_pg(
                [
                    pg_restore,
                    "--clean",
                    "--if-exists",
                    "--single-transaction",
                    "--exit-on-error",
                    "--no-owner",
                    "--no-privileges",
                    "--no-password",
                    f"--dbname={target.conninfo}",
                    str(backup_path),
                ],
                target.env,
            )
    finally:
        engine.dispose()
    if restored.returncode != 0:
        raise RestoreFailed(
            f"Restoring {backup_path} failed and was rolled back, so the database was not "
            f"changed: {_first(restored.stderr)}."
        )
    return kept


_NO_BACKUP_HINT = " or pass --no-backup to import or update without a backup"


def _pg_program(name: str, *, purpose: str = "backed up", hint: str = _NO_BACKUP_HINT) -> str:
    found = find_client_program(name)
    if found is None:
        raise PgClientMissing(
            f"{name} is not installed, so the PostgreSQL database cannot be {purpose}; "
            f"install the PostgreSQL client tools (apt-get install postgresql-client){hint}."
        )
    return found


def _pg_archive_problem(pg_restore: str, archive: Path) -> str | None:
    """None when `archive` is a readable pg_dump archive holding the meetings table."""
    listed = _run_pg([pg_restore, "--list", str(archive)], dict(os.environ))
    if listed.returncode != 0:
        return f"{archive} is not a readable pg_dump archive ({_first(listed.stderr)})"
    if not _PG_DATA_ENTRY.search(listed.stdout):
        return f"{archive} holds no hearings table"
    return None


_PG_TABLE_DATA = re.compile(r"^\d+; \d+ \d+ TABLE DATA \S+ (\S+) ", re.MULTILINE)
_PG_VERSION_COPY = re.compile(
    r"^COPY \S*alembic_version \(version_num\) FROM stdin;\n(.*?)^\\\.$", re.MULTILINE | re.DOTALL
)


def _pg_archive_schema_problem(pg_restore: str, archive: Path) -> str | None:
    """None when the archive is a hearings database at a schema revision this version knows.
    Read offline: pg_restore writes the archive's SQL to stdout without connecting anywhere."""
    listed = _run_pg([pg_restore, "--list", str(archive)], dict(os.environ))
    tables = set(_PG_TABLE_DATA.findall(listed.stdout))
    versions: list[str] | None = None
    if "alembic_version" in tables:
        dumped = _run_pg(
            [pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(archive)],
            dict(os.environ),
        )
        block = _PG_VERSION_COPY.search(dumped.stdout)
        versions = [line for line in (block[1] if block else "").splitlines() if line.strip()]
    if not versions:
        return f"{archive} is not a hearings backup (it holds no schema version)"
    try:
        judge_schema(str(archive), tables, versions, shared=True)
    except UnknownSchema as exc:
        return f"it {exc.clause}"
    return None


def _run_pg(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BackupFailed(f"{command[0]} could not be run: {exc.strerror or exc}.") from None


def _first(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[0].rstrip(".") if lines else "no error message"
