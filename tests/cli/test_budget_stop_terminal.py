"""An import the --max-requests budget stops, as its user reads it: the closing table says which
stages stopped at the budget, and each stage's request figure is its own (the figures add up to
the run's total). Through the CLI, against the bundled replica over loopback, on SQLite."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hearings.replica import BUNDLED_CORPUS_DIR, Corpus, ReplicaServer


@pytest.fixture
def replica() -> Iterator[ReplicaServer]:
    """Both bundled Congresses: the 118th is imported in full, the budget stops in the 119th."""
    with ReplicaServer(Corpus.load(BUNDLED_CORPUS_DIR)) as server:
        yield server


def hearings(
    tmp_path: Path, replica: ReplicaServer, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"COLUMNS", "LINES"}}
    env.update(
        COLUMNS="200",
        CONGRESS_API_BASE_URL=replica.base_url,
        CONGRESS_API_KEY="budget-test-key",
        DATABASE_URL=f"sqlite:///{tmp_path / 'hearings.db'}",
        LOG_DIR=str(tmp_path / "logs"),
        BACKUP_DIR=str(tmp_path / "backups"),
    )
    return subprocess.run(
        [sys.executable, "-m", "hearings", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_the_closing_table_names_the_stages_the_budget_stopped(
    tmp_path: Path, replica: ReplicaServer
) -> None:
    run = hearings(tmp_path, replica, "import", "--congress", "118-119", "--max-requests", "100")

    assert run.returncode == 4, run.stderr
    (stages,) = [line for line in run.stdout.splitlines() if line.strip().startswith("stages")]
    assert "meetings stopped at the budget" in stages, stages
    assert "printed hearings stopped at the budget" in stages, stages
    assert "meetings ✓" not in stages and "printed hearings ✓" not in stages, stages
    assert "members ✓" in stages, stages  # members come whole in their lists, read first
    # The plain progress lines: every stage's requests are its own, so they add up to the total.
    per_stage = [
        int(m.group(1).replace(",", ""))
        for m in re.finditer(r"^[\w ]+: .*, ([\d,]+) requests?$", run.stderr, re.M)
    ]
    total = re.search(r"^([\d,]+) API requests in all", run.stderr, re.M)
    assert total is not None and per_stage, run.stderr
    assert sum(per_stage) == int(total.group(1).replace(",", "")) == 100, run.stderr
    later_committees = re.search(r"^119 committees: .*, ([\d,]+) requests?$", run.stderr, re.M)
    assert later_committees is not None and int(later_committees.group(1)) > 0, run.stderr
    # The progress lines agree with the table: a stage the budget stopped never shows done.
    for stage in ("committees", "meetings", "printed hearings"):
        last = re.findall(rf"^(?:\d+ )?{stage}: (.*)$", run.stderr, re.M)[-1]
        assert ("stopped at" in last) == (f"{stage} stopped at the budget" in stages), last


def test_the_run_record_keeps_each_stage_stopped_by_the_budget(
    tmp_path: Path, replica: ReplicaServer
) -> None:
    run = hearings(
        tmp_path, replica, "import", "--congress", "118-119", "--max-requests", "100", "--json"
    )

    assert run.returncode == 4, run.stderr
    stages = json.loads(run.stdout)["stages"]
    assert stages["meetings"]["status"] == "stopped"
    assert stages["printed hearings"]["status"] == "stopped"
    assert stages["members"]["status"] == "completed"

    finished = hearings(tmp_path, replica, "import", "--congress", "118-119", "--json")
    assert finished.returncode == 0, finished.stderr
    assert {s["status"] for s in json.loads(finished.stdout)["stages"].values()} == {"completed"}
