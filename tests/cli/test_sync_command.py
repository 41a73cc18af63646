"""`hearings import` and `update` around the run: what they say before it starts."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from hearings.replica import Corpus, ReplicaServer
from tests.cli_runs import run_hearings

# Nothing listens here: a command that reaches the API fails to connect, quickly.
NOWHERE = "http://127.0.0.1:9/v3"


def cli_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The environment of a command run in `tmp_path`: its home, a key, and `settings`."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "COLUMNS": "300",
        "CONGRESS_API_KEY": "k",
        "CONGRESS_API_BASE_URL": NOWHERE,
        **settings,
    }


@pytest.mark.parametrize("quiet", [[], ["--quiet"]])
def test_a_run_whose_log_dir_is_a_file_says_it_is_not_logged(
    tmp_path: Path, quiet: list[str]
) -> None:
    # The daily log was dropped without a word (configure_logging swallows the OSError), so a
    # cron job's runs went unlogged for good.
    env = cli_env(tmp_path, LOG_DIR="logs")
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


def test_an_update_counts_the_requests_of_the_run_before_it_against_the_window(
    tmp_path: Path, replica: ReplicaServer
) -> None:
    # An update's limiter started empty, so an update right after an import slice that spent
    # the key's hour sent its requests at once and met 429s. Now it counts the earlier runs'
    # requests, waits for the window to free them, and says why it stands still.
    env = cli_env(
        tmp_path,
        CONGRESS_API_BASE_URL=replica.base_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'hearings.db'}",
        BACKUP_DIR=str(tmp_path / "backups"),
        API_RATE_WINDOW_SECONDS="4",
    )
    imported = run_hearings(["import", "--congress", "119", "--quiet"], env=env, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    first = run_hearings(["update", "--json"], env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    spent = json.loads(first.stdout)["api_requests"]
    assert spent > 0

    # The key's budget is exactly what the first update spent, a moment ago.
    started = time.monotonic()
    second = run_hearings(
        ["update"], env={**env, "API_RATE_LIMIT_PER_HOUR": str(spent)}, cwd=tmp_path
    )
    took = time.monotonic() - started

    assert second.returncode == 0, second.stderr
    waits = [line for line in second.stderr.splitlines() if "are spent" in line]
    assert len(waits) == 1, second.stderr  # said once, however many requests wait
    assert re.fullmatch(
        rf"INFO All {spent} requests the API allows in 4 s are spent \(earlier runs' "
        r"included\): waiting [1-4] s for the window to free one\.",
        waits[0],
    ), waits[0]
    assert took >= 1.0


def test_a_key_the_api_rejects_is_a_configuration_error(
    tmp_path: Path, replica_corpus: Corpus
) -> None:
    # It was exit 1, a failed run, which a cron wrapper retries; the README gives 2 to a
    # setting to mend, which is what CONGRESS_API_KEY is here.
    with ReplicaServer(replica_corpus, api_keys={"good"}) as server:
        env = cli_env(
            tmp_path,
            CONGRESS_API_KEY="good",
            CONGRESS_API_BASE_URL=server.base_url,
            DATABASE_URL=f"sqlite:///{tmp_path / 'hearings.db'}",
            BACKUP_DIR=str(tmp_path / "backups"),
        )
        imported = run_hearings(["import", "--congress", "119", "--quiet"], env=env, cwd=tmp_path)
        assert imported.returncode == 0, imported.stderr
        for args in (["update", "--quiet"], ["import", "--congress", "119", "--quiet"]):
            run = run_hearings(args, env={**env, "CONGRESS_API_KEY": "revoked"}, cwd=tmp_path)
            assert run.returncode == 2, run.stderr
            assert "The API key was rejected by Congress.gov" in run.stderr
            assert "check CONGRESS_API_KEY" in run.stderr and "revoked" not in run.stderr


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["update", "--json", "--congress", "5"], 1, "The database has never imported the 5th"),
        (["import", "--json", "--congress", "999"], 2, "Congress 999 is out of range"),
        (["status", "--json"], 1, "There is no database at"),
    ],
)
def test_a_refusal_under_json_is_an_object_on_standard_output(
    tmp_path: Path, args: list[str], code: int, says: str
) -> None:
    # A script reading `--json` got nothing to parse when the command was refused: the
    # sentence went to stderr alone.
    env = cli_env(tmp_path)
    if args[0] == "update":
        assert run_hearings(["init"], env=env, cwd=tmp_path).returncode == 0
    refused = run_hearings(args, env=env, cwd=tmp_path)
    assert refused.returncode == code, refused.stderr
    document = json.loads(refused.stdout)
    assert document["success"] is False and document["exit_code"] == code
    assert says in document["error"] and document["error"] in " ".join(refused.stderr.split())
