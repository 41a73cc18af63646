"""PostgreSQL backups: pg_dump archives in BACKUP_DIR, verified, restorable in one transaction, the
password never on a command line, and a clear refusal when pg_dump is not installed."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import delete, literal, select, table, text

from hearings.store import schema
from hearings.store.opening import needs_migration
from tests.pg_server import PostgresServer
from tests.sync.harness import Harness

pytestmark = pytest.mark.postgres


def recording_shims(folder: Path, server: PostgresServer) -> Path:
    """pg_dump and pg_restore wrappers that log their arguments and whether PGPASSWORD was set,
    then run the real programs."""
    folder.mkdir()
    for name in ("pg_dump", "pg_restore"):
        shim = folder / name
        shim.write_text(
            "#!/bin/sh\n"
            f'echo "{name} ${{PGPASSWORD:+PGPASSWORD-set}} $*" >> "{folder}/calls.log"\n'
            f'exec "{server.bin_dir / name}" "$@"\n'
        )
        shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    return folder


def test_backup_and_restore_round_trip(
    on_postgres: Harness, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    harness = on_postgres
    assert harness.run("import").success
    before = harness.export()
    shims = recording_shims(tmp_path / "shims", postgres_server)
    env_path = f"{shims}:{os.environ.get('PATH', '')}"

    made = harness.cli("backup", "create", PATH=env_path)
    assert made.returncode == 0, made.stderr
    listed = json.loads(harness.cli("backup", "list", "--json").stdout)
    assert len(listed) == 1
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", listed[0]["created_at"])
    archive = Path(listed[0]["path"])
    assert archive.parent == harness.tmp_path / "backups"
    assert archive.name.startswith("hearings_backup_") and archive.suffix == ".dump"

    # Lose data, then restore it.
    with harness.engine().begin() as connection:
        connection.execute(delete(schema.witness_documents))
        connection.execute(delete(schema.witness_appearances))
    assert harness.export() != before

    restored = harness.cli("backup", "restore", str(archive), PATH=env_path)
    assert restored.returncode == 0, restored.stderr
    assert harness.export() == before
    # What the restore replaced was backed up first.
    assert len(json.loads(harness.cli("backup", "list", "--json").stdout)) == 2

    calls = (shims / "calls.log").read_text().splitlines()
    assert any(c.startswith("pg_dump PGPASSWORD-set ") for c in calls)
    assert any(c.startswith("pg_restore PGPASSWORD-set --clean") for c in calls)
    assert any("--list" in c for c in calls)  # every archive is verified
    assert not any(postgres_server.password in c for c in calls)


def test_a_corrupt_archive_is_refused_and_nothing_changes(on_postgres: Harness) -> None:
    harness = on_postgres
    harness.engine()  # an empty, migrated database
    bogus = harness.tmp_path / "hearings_backup_20250101_000000.dump"
    bogus.write_bytes(b"PGDMP" + b"\x00" * 40)

    refused = harness.cli("backup", "restore", str(bogus))

    assert refused.returncode == 1
    assert "is not a readable pg_dump archive" in refused.stderr
    assert "the database was not changed" in refused.stderr
    assert not needs_migration(harness.engine())  # the schema is intact
    assert not (harness.tmp_path / "backups").exists()  # refused before doing anything


def test_without_pg_dump_a_run_refuses_in_one_sentence_unless_no_backup(
    on_postgres: Harness, tmp_path: Path
) -> None:
    harness = on_postgres
    assert harness.run("import").success  # an update refuses a Congress never imported
    empty = tmp_path / "no-postgres-client"
    empty.mkdir()

    refused = harness.cli("update", "--congress", "119", "--quiet", PATH=str(empty))

    assert refused.returncode == 1
    message = " ".join(refused.stderr.split())
    assert message.startswith("Error: pg_dump is not installed")
    assert "--no-backup" in message
    assert message.count(". ") == 0 and message.endswith(".")  # one sentence
    # It stopped before the run began, and is in the run log as a failed run saying why.
    logs = schema.update_logs
    assert harness.count(logs) == 2
    assert harness.count(logs, logs.c.success.is_(False), logs.c.exit_code == 1) == 1

    allowed = harness.cli("update", "--congress", "119", "-q", "--no-backup", PATH=str(empty))
    assert allowed.returncode == 0, allowed.stderr
    assert harness.count(logs) == 3
    assert not (harness.tmp_path / "backups").exists()


def test_a_restore_killed_while_pg_restore_runs_takes_pg_restore_with_it(
    on_postgres: Harness, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """`kill -9` of `hearings backup restore` releases the writer lock at once: a pg_restore that
    outlived it went on restoring, and the database changed under the next command seconds
    later. It must die with the restore, so its transaction is rolled back."""
    harness = on_postgres
    archive, before = _backed_up_then_damaged(harness)
    # A pg_restore that waits a second before it restores, and says where it is.
    shims = tmp_path / "slow"
    shims.mkdir()
    (shims / "pg_restore").write_text(
        "#!/bin/sh\n"
        'case "$*" in *--clean*)\n'
        f'  echo $$ > "{shims}/pid"; sleep 1 ;;\n'
        "esac\n"
        f'exec "{postgres_server.bin_dir / "pg_restore"}" "$@"\n'
    )
    (shims / "pg_restore").chmod(0o755)
    (shims / "pg_dump").symlink_to(postgres_server.bin_dir / "pg_dump")
    restore = subprocess.Popen(
        [sys.executable, "-m", "hearings", "backup", "restore", archive],
        env=harness.cli_env(PATH=f"{shims}:{os.environ.get('PATH', '')}"),
        cwd=harness.tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not (shims / "pid").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    restore.kill()
    restore.wait(timeout=30)

    pg_restore = Path("/proc") / (shims / "pid").read_text().strip()
    while pg_restore.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not pg_restore.exists(), "pg_restore outlived the restore that ran it"
    assert harness.export() == before
    again = harness.cli("backup", "restore", archive)
    assert again.returncode == 0, again.stderr
    assert harness.export() != before


def test_a_restore_that_a_reader_deadlocks_runs_again(on_postgres: Harness) -> None:
    """A reader that holds one table and then asks for one the restore has already dropped
    deadlocks with it, and PostgreSQL rolled the restore back: with `hearings serve` up, about
    one restore in three failed "deadlock detected" (found running restores beside the web app).
    The restore is one transaction, so it runs again once the reader has what it waited for."""
    harness = on_postgres
    archive, before = _backed_up_then_damaged(harness)
    reader = harness.engine().connect()
    # pg_restore --clean drops tables in reverse order of its archive: alembic_version last.
    reader.execute(text("SELECT 1 FROM alembic_version"))
    restore = subprocess.Popen(
        [sys.executable, "-m", "hearings", "backup", "restore", archive],
        env=harness.cli_env(),
        cwd=harness.tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    held_by_restore = text(
        "SELECT c.relname FROM pg_locks held JOIN pg_class c ON c.oid = held.relation"
        " WHERE c.relkind = 'r' AND c.relname <> 'alembic_version' AND held.granted"
        " AND held.mode = 'AccessExclusiveLock' AND held.pid IN (SELECT waiting.pid"
        " FROM pg_locks waiting JOIN pg_class w ON w.oid = waiting.relation"
        " WHERE w.relname = 'alembic_version' AND NOT waiting.granted) LIMIT 1"
    )
    dropped = None
    deadline = time.monotonic() + 60
    with harness.engine().connect() as watcher:
        while dropped is None and time.monotonic() < deadline:
            dropped = watcher.execute(held_by_restore).scalar()
            watcher.rollback()
            time.sleep(0.02)
    assert dropped is not None, "the restore never waited for the reader"
    # The reader now waits for the restore, which waits for it: a deadlock.
    reader.execute(select(literal(1)).select_from(table(dropped)).limit(1))
    reader.close()

    _, err = restore.communicate(timeout=120)
    assert restore.returncode == 0, err
    assert harness.export() != before  # the restore went through


def _backed_up_then_damaged(harness: Harness) -> tuple[str, str]:
    """The corpus imported and backed up, then its witness documents deleted: the backup's
    path, and the export of the damaged database (what a restore must change)."""
    assert harness.run("import").success
    assert harness.cli("backup", "create").returncode == 0
    archive = json.loads(harness.cli("backup", "list", "--json").stdout)[0]["path"]
    with harness.engine().begin() as connection:
        connection.execute(delete(schema.witness_documents))
    return archive, harness.export()
