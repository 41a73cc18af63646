"""PostgreSQL backups: pg_dump's custom format, `hearings_backup_YYYYMMDD_HHMMSS.dump`, verified
by reading its table of contents back with `pg_restore --list`; restores check the archive's
schema revision first. The password travels in PGPASSWORD, never on a command line (where `ps`
shows it).
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from hearings.errors import UnknownSchema, error_text
from hearings.store.pg_grants import Grant, give_back, granted_rights
from hearings.store.postgres import client_connection, find_client_program
from hearings.store.schema_version import judge_schema
from hearings.sync.backup_files import (
    BackupFailed,
    RestoreFailed,
    fsync_dir,
    fsync_file,
    install_without_clobbering,
    new_partial,
    prune_backups,
    utc,
)
from hearings.sync.backup_payloads import damaged_dump_payloads
from hearings.sync.failpoints import failpoint

if TYPE_CHECKING:
    from hearings.config import Settings


_PG_EXTENSION = ".dump"
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# Looked up here, not in the child: between fork and exec only the call itself is safe.
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None
_PG_DATA_ENTRY = re.compile(r"^\d+; \d+ \d+ TABLE DATA \S+ hearings ", re.MULTILINE)
# A reader (the web app, export, verify) that holds one table and then waits for another the
# restore has already dropped closes a cycle, and PostgreSQL rolls one side back, often the
# restore: with `hearings serve` up, about one restore in three failed "deadlock detected". It
# is one transaction, so the failed attempt changed nothing and running it again is safe.
_RESTORE_ATTEMPTS = 5

log = logging.getLogger(__name__)


class PgClientMissing(BackupFailed):
    """pg_dump or pg_restore is not installed."""


def backup_database(settings: Settings, *, now: datetime | None = None) -> Path:
    """Back up the PostgreSQL database of `settings` with pg_dump into BACKUP_DIR, verify the
    archive, prune old backups, and return the archive's path."""
    moment = utc(now or datetime.now(UTC))
    pg_dump = _pg_program("pg_dump")
    pg_restore = _pg_program("pg_restore")
    backup_dir = Path(settings.backup_dir)
    partial = new_partial(backup_dir)
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
            raise BackupFailed(
                f"pg_dump failed, so no backup was made: {_first(dumped.stderr)}"
                f"{_dump_hint(dumped.stderr)}."
            )
        failpoint("backup_copied")
        problem = _pg_archive_problem(pg_restore, partial)
        if problem:
            raise BackupFailed(f"The pg_dump backup was not kept because {problem}.")
        fsync_file(partial)
        final = install_without_clobbering(partial, backup_dir, moment, _PG_EXTENSION)
        fsync_dir(backup_dir)
    finally:
        partial.unlink(missing_ok=True)
    prune_backups(backup_dir, settings.backup_retention_days, now=moment)
    return final


def restore_database(settings: Settings, backup_path: Path, *, now: datetime | None = None) -> Path:
    """Replace the PostgreSQL database's content with a verified pg_dump archive, in one
    transaction. The content it replaces is backed up first; that backup's path is returned."""
    from hearings.store.engine import create_db_engine
    from hearings.store.writer_lock import writer_lock

    backup_path = Path(backup_path)
    if not backup_path.is_file():
        raise RestoreFailed(f"There is no backup at {backup_path}.")
    pg_restore = _pg_program("pg_restore", purpose="restored", hint="")
    _pg_program("pg_dump", purpose="restored", hint="")
    problem = (
        _pg_archive_problem(pg_restore, backup_path)
        or _pg_archive_schema_problem(pg_restore, backup_path)
        or damaged_dump_payloads(pg_restore, backup_path)
    )
    if problem:
        raise RestoreFailed(
            f"Cannot restore from {backup_path}: {problem}; the database was not changed."
        )
    target = client_connection(settings.database_url)
    engine = create_db_engine(settings.database_url)
    try:
        _reachable(engine, backup_path)
        with writer_lock(engine, settings.database_url):
            kept = backup_database(settings, now=now)
            with engine.connect() as connection:
                grants = granted_rights(connection)
            restored = _restore_through_deadlocks(
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
            if restored.returncode == 0:
                _give_back(engine, grants, backup_path)
    finally:
        engine.dispose()
    if restored.returncode != 0:
        raise RestoreFailed(
            f"Restoring {backup_path} failed and was rolled back, so the database was not "
            f"changed: {_first(restored.stderr)}."
        )
    return kept


def _restore_through_deadlocks(
    command: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run pg_restore, again when a deadlock with a reader rolled it back (see
    _RESTORE_ATTEMPTS); the reader that won has its tables by then and soon lets them go."""
    for attempt in range(1, _RESTORE_ATTEMPTS + 1):
        restored = _run_pg(command, env)
        if restored.returncode == 0 or "deadlock detected" not in restored.stderr:
            return restored
        if attempt < _RESTORE_ATTEMPTS:
            log.warning(
                "The restore met a reader of the database in a deadlock and was rolled back; "
                "trying again (%d of %d).",
                attempt + 1,
                _RESTORE_ATTEMPTS,
            )
    return restored


def _reachable(engine: Engine, backup_path: Path) -> None:
    """Refuse, before the lock, a database that does not answer (a wrong password, a database
    that does not exist): the lock's failure read "The database stopped answering …;
    committed work is kept", about a database that never answered."""
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        raise RestoreFailed(
            f"Cannot restore {backup_path}: the database cannot be reached "
            f"({error_text(exc).splitlines()[0].rstrip('.')}), so it was not changed."
        ) from None


def _give_back(engine: Engine, grants: list[Grant], backup_path: Path) -> None:
    """The rights other roles held before the restore (see `store.pg_grants`)."""
    try:
        with engine.begin() as connection:
            give_back(connection, grants)
    except DBAPIError as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        roles = sorted({g.grantee for g in grants})
        raise RestoreFailed(
            f"{backup_path} was restored, but the rights {', '.join(roles)} held on its tables "
            f"could not be granted again ({reason}); grant them by hand."
        ) from None


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
        return subprocess.run(
            command,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            preexec_fn=_dies_with(os.getpid()),
        )
    except OSError as exc:
        raise BackupFailed(f"{command[0]} could not be run: {exc.strerror or exc}.") from None


def _dies_with(parent: int) -> Callable[[], None] | None:
    """(In the child, before it runs) have Linux SIGKILL it when `parent` dies. A pg_restore that
    outlived a `kill -9` of its restore went on restoring after the writer lock was released, so
    the database changed under the next command; killed, its one transaction rolls back. (Linux
    ties it to the thread that starts it, which waits for it in `subprocess.run`.)"""
    if _prctl is None:
        return None

    def die_with_parent() -> None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # it died before the request was made
            os._exit(1)

    return die_with_parent


def _first(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[0].rstrip(".") if lines else "no error message"


def _dump_hint(stderr: str) -> str:
    """What a role granted SELECT on the tables alone lacks: pg_dump also reads each sequence
    (the tables' ids), so a read-only role needs SELECT on them too."""
    if "permission denied for sequence" not in stderr:
        return ""
    return (
        "; a role that only reads needs SELECT on the sequences as well as the tables "
        "(GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO the role)"
    )
