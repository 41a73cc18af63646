"""One update at a time, and a verified backup before every run that writes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy.engine import make_url

from hearings.store import schema
from tests.backends import backup_files, backup_meeting_count, writer_lock_held
from tests.sync.harness import Harness


@pytest.mark.imported
def test_a_concurrent_update_exits_cleanly_without_touching_the_database(harness: Harness) -> None:
    harness.replica.faults.latency_ms = 300
    first = subprocess.Popen(
        [sys.executable, "-m", "hearings", "import", "--congress", "119", "--full-refresh"],
        env=harness.cli_env(API_CONCURRENCY="1"),
        cwd=harness.tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Generous: a loaded machine can take long to start the first run (the loop ends at once).
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not writer_lock_held(harness.database_url):
        time.sleep(0.05)
    # The lock is between processes: the second run is one too.
    second = harness.cli("update", "--congress", "119", own_process=True)

    assert second.returncode == 1
    assert "Another hearings command is writing to this database" in second.stderr
    # It names its holder: the command and its pid (and, on SQLite, since when it holds it).
    assert f"(hearings import, pid {first.pid}, " in " ".join(second.stderr.split())
    assert "Traceback" not in second.stderr
    assert harness.count(schema.update_logs, schema.update_logs.c.command == "update") == 0
    first.kill()
    first.wait(timeout=30)


@pytest.mark.imported
def test_every_writing_run_is_preceded_by_a_verified_backup(harness: Harness) -> None:
    result = harness.cli("update", "--congress", "119", "--json")

    assert result.returncode == 0, result.stderr
    backups = backup_files(harness.tmp_path / "backups")
    assert backups, "a backup was written"
    assert backup_meeting_count(backups[-1]) == 150


@pytest.mark.imported
def test_the_partial_copy_of_a_backup_killed_mid_copy_is_removed_a_day_later(
    harness: Harness,
) -> None:
    backups = harness.tmp_path / "backups"
    killed = harness.cli(
        "update", "--congress", "119", own_process=True, HEARINGS_FAILPOINT="backup_copied"
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left = [p for p in backups.iterdir() if p.name.startswith(".hearings_backup_")]
    assert left, "the kill left no partial copy: the failpoint is not inside the copy"

    # A run soon after keeps it: another process's backup may still be writing its copy.
    assert harness.cli("update", "--congress", "119").returncode == 0
    assert all(p.exists() for p in left)
    day_old = time.time() - 25 * 3600
    for partial in left:
        os.utime(partial, (day_old, day_old))
    assert harness.cli("update", "--congress", "119").returncode == 0

    assert [p for p in backups.iterdir() if p.name.startswith(".")] == []
    assert len(backup_files(backups)) == 2


@pytest.mark.imported
def test_backup_create_list_and_restore_through_the_cli(harness: Harness) -> None:
    created = harness.cli("backup", "create")
    assert created.returncode == 0, created.stderr
    listed = harness.cli("backup", "list", "--json")
    assert listed.returncode == 0 and "hearings_backup_" in listed.stdout
    backups_before = backup_files(harness.tmp_path / "backups")
    backup = backups_before[-1]
    with harness.engine().begin() as connection:
        connection.execute(schema.hearings.delete().where(schema.hearings.c.event_id == "117214"))
    harness.close()

    restored = harness.cli("backup", "restore", str(backup))

    assert restored.returncode == 0, restored.stderr
    assert harness.hearing("117214") is not None
    # The day's log says the database was replaced, as it says what every run did.
    logged = _day_log(harness)
    assert f"backup restore: Restored {backup} into " in logged
    if harness.database_url.startswith("sqlite"):
        assert list(harness.tmp_path.glob("hearings.db.replaced-*"))
    else:  # PostgreSQL: what the restore replaced is backed up first
        assert len(backup_files(harness.tmp_path / "backups")) == len(backups_before) + 1


@pytest.mark.imported
def test_restoring_a_corrupt_backup_is_refused_and_changes_nothing(harness: Harness) -> None:
    bad = harness.tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)

    result = harness.cli("backup", "restore", str(bad))

    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr.strip()
    assert harness.count(schema.hearings) == 150
    assert "backup restore refused: " in _day_log(harness)


def _day_log(harness: Harness) -> str:
    return "".join(p.read_text() for p in (harness.tmp_path / "logs").glob("daily_update_*.log"))


def test_a_missing_key_is_one_sentence(harness: Harness) -> None:
    result = harness.cli("update", "--congress", "119", CONGRESS_API_KEY="")
    assert result.returncode == 2
    assert "CONGRESS_API_KEY" in result.stderr and "api.congress.gov/sign-up" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_corrupt_database_is_one_sentence(harness: Harness) -> None:
    if harness.database_url.startswith("sqlite"):
        (harness.tmp_path / "hearings.db").write_bytes(b"garbage" * 1000)
        result = harness.cli("update", "--congress", "119")
        assert result.returncode == 1
        assert "not a SQLite database" in result.stderr and "Traceback" not in result.stderr
        return
    # PostgreSQL: a database that cannot be reached is one sentence too, and no password shows.
    url = make_url(harness.database_url)
    wrong = url.set(password="wrong-password").render_as_string(hide_password=False)
    result = harness.cli("update", "--congress", "119", DATABASE_URL=wrong)
    assert result.returncode == 1
    assert "Cannot open the database" in result.stderr and "Traceback" not in result.stderr
    assert "wrong-password" not in result.stderr


def test_bad_arguments_are_usage_errors(harness: Harness) -> None:
    result = harness.cli("update", "--congress", "abc")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    result = harness.cli("update", "--congress", "119", "--simulate-failures", "7")
    assert result.returncode == 2 and "Traceback" not in result.stderr


@pytest.mark.imported
def test_quiet_prints_nothing_on_success_and_the_log_names_the_mode(harness: Harness) -> None:
    result = harness.cli("update", "--congress", "119", "--quiet")
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""
    logs = list((harness.tmp_path / "logs").glob("daily_update_*.log"))
    assert logs and "Batch processing ENABLED" in logs[0].read_text()
    result = harness.cli("update", "--congress", "119", "--no-batch", "--quiet")
    assert "Batch processing DISABLED" in logs[0].read_text()


def test_the_api_key_never_reaches_logs_database_or_backups(harness: Harness) -> None:
    from tests.sync.harness import API_KEY

    harness.cli("import", "--congress", "119")
    harness.cli("update", "--congress", "119")
    for path in harness.tmp_path.rglob("*"):
        if path.is_file():
            assert API_KEY.encode() not in path.read_bytes(), path


@pytest.mark.imported
def test_a_run_whose_backup_fails_is_logged_as_a_failed_run(harness: Harness) -> None:
    """The run refuses to start, in the backup's one sentence, and is in the run log as failed
    with that sentence, so the report and status show it."""
    afile = harness.tmp_path / "afile"
    afile.write_text("not a folder\n")
    meetings = harness.count(schema.hearings)

    refused = harness.cli("update", "--congress", "119", BACKUP_DIR=str(afile))

    sentence = f"BACKUP_DIR {afile} is a file, not a folder: set BACKUP_DIR to a folder."
    assert refused.returncode == 1
    assert refused.stderr.strip() == f"Error: {sentence}"
    assert harness.count(schema.hearings) == meetings
    with harness.engine().connect() as connection:
        run = connection.execute(
            schema.update_logs.select().order_by(schema.update_logs.c.run_id.desc()).limit(1)
        ).one()
    assert (run.command, run.congress, run.success, run.exit_code) == ("update", 119, False, 1)
    assert run.end_time is not None and run.error_count == 1
    assert run.metrics["errors"] == [sentence] and run.metrics["run_id"] == run.run_id
    report = json.loads(harness.cli("report", "--format", "json").stdout)
    [logged] = [r for r in report["runs"] if r["run_id"] == run.run_id]
    assert logged["outcome"] == "failed" and logged["errors"] == [sentence]
    status = json.loads(harness.cli("status", "--json").stdout)
    assert status["last_run"]["run_id"] == run.run_id
    assert status["last_run"]["outcome"] == "failed"
    # The daily log has it too, as it has every run; the console had the sentence alone.
    [daily] = (harness.tmp_path / "logs").glob("daily_update_*.log")
    logged_lines = daily.read_text().splitlines()
    assert any(line.endswith(f"run refused: {sentence}") for line in logged_lines), logged_lines
    assert any(" update FAILED: " in line for line in logged_lines), logged_lines


@pytest.mark.imported
def test_backup_list_shows_each_path_whole_in_a_narrow_table(harness: Harness) -> None:
    """What `backup restore` needs is the path: in a deep folder, piped (80 columns), the table
    wraps it rather than cutting it to an ellipsis that makes two backups look alike."""
    deep = harness.tmp_path / "kept" / ("a-rather-long-folder-name-" * 3) / "backups"
    deep.mkdir(parents=True)
    for _ in range(2):
        assert harness.cli("backup", "create", BACKUP_DIR=str(deep)).returncode == 0
        time.sleep(1.1)  # backups are named by the second
    listed = harness.cli("backup", "list", BACKUP_DIR=str(deep), COLUMNS="80")
    assert listed.returncode == 0, listed.stderr
    assert "…" not in listed.stdout
    # The table's cells, line by line, joined: each full path appears once.
    cells = "".join(
        line.split("│")[-2].strip() for line in listed.stdout.splitlines() if "│" in line
    )
    for backup in backup_files(deep):
        assert cells.count(str(backup)) == 1
