"""Ctrl-C, SIGTERM and kill -9 of commands that write a PostgreSQL database, at named points: one
sentence (none for kill -9), no process (pg_dump, pg_restore) and no database session of the
command left behind, and the next run completes the work. The stops that went wrong at spread
moments have their own tests (tests/test_entry.py, tests/test_logs.py)."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from sqlalchemy import text

from hearings.reports.export import export_to_string
from hearings.store.opening import open_database
from tests.cli_runs import run_stopped_in_own_session
from tests.sync.harness import Harness

pytestmark = pytest.mark.postgres

SENTENCES = {
    "INT": (130, "Interrupted; {left}"),
    "TERM": (-signal.SIGTERM, "Stopped by SIGTERM; {left}"),
    "KILL": (-signal.SIGKILL, None),
}
SYNC_LEFT = "committed work is kept and the next run continues."


def _stopped(harness: Harness, args: list[str], failpoint: str) -> tuple[int, str, bool]:
    """`hearings ARGS` stopped at `failpoint`: its exit code, its stderr, and whether a process
    of it (pg_dump, pg_restore) outlived it."""
    return run_stopped_in_own_session(
        args, env=harness.cli_env(HEARINGS_FAILPOINT=failpoint), cwd=harness.tmp_path
    )


def _other_sessions(database_url: str) -> list[tuple[str, str]]:
    """Sessions on the database besides this query's own, with what each is doing."""
    engine = open_database(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT application_name, state FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).all()
    finally:
        engine.dispose()
    return [(str(name), str(state)) for name, state in rows]


def _assert_stopped_cleanly(
    harness: Harness, stop: tuple[int, str, bool], how: str, left_words: str
) -> None:
    code, stderr, outlived = stop
    expected_code, sentence = SENTENCES[how]
    assert code == expected_code, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    if sentence is not None:
        assert stderr.strip().splitlines()[-1] == sentence.format(left=left_words)
    assert not outlived, "a process of the command outlived it"
    for engine in harness.engines:
        engine.dispose()
    assert _other_sessions(harness.database_url) == []


@pytest.mark.parametrize("how", ["INT", "TERM", "KILL"])
@pytest.mark.parametrize("point", ["backup_copied:1", "batch_committed:1"])
def test_a_stopped_import_leaves_nothing_behind_and_the_next_completes_it(
    on_postgres: Harness, imported_119: Path, point: str, how: str
) -> None:
    args = ["import", "--congress", "119", "--batch-size", "20"]
    stop = _stopped(on_postgres, args, f"{point}:{how}")
    _assert_stopped_cleanly(on_postgres, stop, how, SYNC_LEFT)

    again = on_postgres.cli(*args)
    assert again.returncode == 0, again.stderr
    reference = open_database(f"sqlite:///{imported_119}", allow_read_only=True)
    try:
        assert on_postgres.export() == export_to_string(reference, "hearings")
    finally:
        reference.dispose()


@pytest.mark.parametrize("how", ["INT", "TERM", "KILL"])
def test_a_restore_stopped_after_its_safety_backup_changes_nothing(
    on_postgres: Harness, how: str
) -> None:
    """Stopped once the backup of what it replaces is made, before pg_restore runs."""
    assert on_postgres.cli("import", "--congress", "119").returncode == 0
    made = on_postgres.cli("backup", "create")
    assert made.returncode == 0, made.stderr
    # The newest: the import made one of the empty database before it began.
    archive = max((on_postgres.tmp_path / "backups").glob("*.dump"))
    before = on_postgres.export()

    stop = _stopped(on_postgres, ["backup", "restore", str(archive)], f"backup_copied:1:{how}")
    _assert_stopped_cleanly(on_postgres, stop, how, "committed work is kept.")
    assert on_postgres.export() == before

    again = on_postgres.cli("backup", "restore", str(archive))
    assert again.returncode == 0, again.stderr
    assert on_postgres.export() == before
