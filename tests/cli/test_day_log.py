"""Commands that change the database outside a run (rebuild, backup restore, quarantine
accept/reject) say so when their day's log cannot be written, as a run does: what a rebuild or a
restore replaced went unlogged without a word."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.cli_runs import run_hearings

WARNING = "Warning: no log file can be written in LOG_DIR logs (it is a file, not a folder); "


def test_each_command_that_changes_the_database_says_its_log_cannot_be_written(
    tmp_path: Path,
) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "LOG_DIR": "logs",
        "BACKUP_DIR": "backups",
        "COLUMNS": "300",
    }
    assert run_hearings(["init"], env=env, cwd=tmp_path).returncode == 0
    assert run_hearings(["backup", "create"], env=env, cwd=tmp_path).returncode == 0
    backup = json.loads(run_hearings(["backup", "list", "--json"], env=env, cwd=tmp_path).stdout)
    (tmp_path / "logs").mkdir(exist_ok=True)
    for old_log in (tmp_path / "logs").iterdir():
        old_log.unlink()
    (tmp_path / "logs").rmdir()
    (tmp_path / "logs").write_text("a file\n")

    expected = {
        ("rebuild",): "what the rebuild replaces is written in no log.",
        ("backup", "restore", backup[0]["path"]): "what the restore replaces is written in no log.",
        ("quarantine", "reject", "999"): "the decision is written in no log.",
    }
    for args, consequence in expected.items():
        result = run_hearings(list(args), env=env, cwd=tmp_path)
        first = result.stderr.strip().splitlines()[0]
        assert first == WARNING + consequence, (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert (tmp_path / "logs").read_text() == "a file\n"
