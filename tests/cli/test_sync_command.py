"""`hearings import` and `update` around the run: what they say before it starts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli_runs import run_hearings


@pytest.mark.parametrize("quiet", [[], ["--quiet"]])
def test_a_run_whose_log_dir_is_a_file_says_it_is_not_logged(
    tmp_path: Path, quiet: list[str]
) -> None:
    # The daily log was dropped without a word (configure_logging swallows the OSError), so a
    # cron job's runs went unlogged for good.
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "CONGRESS_API_KEY": "k",
        "CONGRESS_API_BASE_URL": "http://127.0.0.1:9/v3",  # nothing listens: never reached
        "LOG_DIR": "logs",
        "COLUMNS": "300",
    }
    assert run_hearings(["init"], env=env, cwd=tmp_path).returncode == 0
    (tmp_path / "logs").write_text("a file\n")
    result = run_hearings(["update", *quiet], env=env, cwd=tmp_path)
    lines = result.stderr.strip().splitlines()
    assert lines[0] == (
        "Warning: no log file can be written in LOG_DIR logs (it is a file, not a folder); "
        "this run is recorded in the database only (hearings report shows it)."
    )
    # The update itself goes on to refuse the empty database, as it did.
    assert result.returncode == 1 and "run `hearings import --congress N` first" in lines[-1]
    assert (tmp_path / "logs").read_text() == "a file\n"
