"""Two `hearings update` runs on one PostgreSQL database: one runs, the other exits at once with
a clear message, and writes nothing. The lock is PostgreSQL's own advisory lock, so it holds
across processes and machines, and dies with its holder's connection."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, func, select, text

from hearings.store import schema
from hearings.sync.runner import EXIT_QUARANTINED
from tests.sync.harness import Harness, day_of_changes

pytestmark = pytest.mark.postgres


def advisory_locks_held(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text(
                        "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
                        "WHERE l.locktype = 'advisory' AND l.granted "
                        "AND d.datname = current_database()"
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


def wait_for(
    condition: Callable[[], bool], *, what: str, process: subprocess.Popen[str] | None
) -> None:
    """Poll until `condition()` holds; fail if the process ends first (not a timing check)."""
    deadline = time.monotonic() + 120
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the first update ended before {what}: {process.stderr}")
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def test_a_second_update_exits_cleanly_while_the_first_runs(on_postgres: Harness) -> None:
    harness = on_postgres
    assert harness.run("import").success
    day_of_changes(harness.corpus, datetime.now(UTC))
    # Slow answers keep the first run inside its lock while the second one starts.
    harness.replica.faults.latency_ms = 400
    first = subprocess.Popen(
        [sys.executable, "-m", "hearings", "update", "--congress", "119", "-q"],
        env=harness.cli_env(API_CONCURRENCY="1"),
        cwd=harness.tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(
            lambda: advisory_locks_held(harness.database_url) == 1,
            what="it took the lock",
            process=first,
        )
        second = harness.cli("update", "--congress", "119", "-q", own_process=True)
        first_still_running = first.poll() is None
        harness.replica.faults.latency_ms = 0  # the rest of the first run need not be slow
    finally:
        first_out, first_err = first.communicate(timeout=300)

    assert first_still_running, "the first update ended before the second one tried the lock"
    assert second.returncode == 1
    assert "Another hearings command is writing to this database" in second.stderr
    # Named by its session's application_name: the command, its pid, and since when.
    refusal = " ".join(second.stderr.split())
    assert f"(hearings update, pid {first.pid}, connected since " in refusal, refusal
    assert "Traceback" not in second.stderr
    assert first.returncode == EXIT_QUARANTINED, first_err  # the day's malformed records
    with harness.engine().connect() as connection:
        runs = connection.execute(
            select(schema.update_logs.c.command, schema.update_logs.c.success).order_by(
                schema.update_logs.c.run_id
            )
        ).all()
        open_items = connection.execute(
            select(func.count()).select_from(schema.import_errors)
        ).scalar_one()
    # The second run left no trace: no run record, no backup of its own.
    assert [tuple(r) for r in runs] == [("import", True), ("update", True)]
    assert len(list((harness.tmp_path / "backups").glob("hearings_backup_*.dump"))) == 1
    assert open_items == 2
    # The lock went with the first run.
    assert advisory_locks_held(harness.database_url) == 0


def test_the_lock_is_released_when_its_holder_is_killed(on_postgres: Harness) -> None:
    harness = on_postgres
    harness.replica.faults.latency_ms = 400
    holder = subprocess.Popen(
        [sys.executable, "-m", "hearings", "import", "--congress", "119", "-q"],
        env=harness.cli_env(API_CONCURRENCY="1"),
        cwd=harness.tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(
        lambda: advisory_locks_held(harness.database_url) == 1,
        what="it took the lock",
        process=holder,
    )
    holder.kill()
    holder.wait(timeout=30)
    harness.replica.faults.latency_ms = 0
    # kill -9 closes the holder's connection, and PostgreSQL drops its locks with it.
    wait_for(
        lambda: advisory_locks_held(harness.database_url) == 0,
        what="the lock was released",
        process=None,
    )

    # The killed import may have committed nothing: the rerun is the import, which resumes.
    rerun = harness.cli("import", "--congress", "119", "-q")
    assert rerun.returncode == 0, rerun.stderr
