"""The same replica corpus, imported and then updated after a day of upstream changes, gives
byte-identical exports on SQLite and on PostgreSQL, in batch mode and in single-transaction mode.

Every step runs through the `hearings` command in subprocesses, as a user would run it.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest

from hearings.replica import ReplicaServer
from hearings.reports.export import export_to_string
from tests.pg_server import PostgresServer
from tests.postgres.conftest import make_harness
from tests.sync.harness import Harness, day_of_changes

pytestmark = pytest.mark.postgres

OTHER_ENTITIES = ("witnesses", "committees", "members", "appearances")


def run_all(commands: dict[str, tuple[Harness, list[str]]]) -> dict[str, str]:
    """Run one `hearings` command per database at once; return each one's stdout."""
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-m", "hearings", *args],
            env=harness.cli_env(),
            cwd=harness.tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, (harness, args) in commands.items()
    }
    results = {}
    for name, process in processes.items():
        out, err = process.communicate(timeout=300)
        results[name] = (process.returncode, out, err)
    return {name: r for name, r in results.items()}  # type: ignore[misc]


def test_import_and_update_export_the_same_bytes_on_both_backends(
    tmp_path, postgres_server: PostgresServer, replica: ReplicaServer
) -> None:
    databases = {
        "sqlite": f"sqlite:///{tmp_path / 'sqlite' / 'hearings.db'}",
        "postgresql-batch": postgres_server.url(postgres_server.create_database()),
        "postgresql-single": postgres_server.url(postgres_server.create_database()),
    }
    harnesses = {
        name: make_harness(tmp_path / name, url, replica) for name, url in databases.items()
    }
    modes = {"sqlite": "--batch", "postgresql-batch": "--batch", "postgresql-single": "--no-batch"}

    imported = run_all(
        {
            name: (h, ["import", "--congress", "119", modes[name], "--quiet"])
            for name, h in harnesses.items()
        }
    )
    for name, (code, _, err) in imported.items():
        assert code == 0, f"{name}: {err}"

    day_of_changes(replica.corpus, datetime.now(UTC))
    updated = run_all(
        {
            name: (h, ["update", "--congress", "119", modes[name], "--batch-size", "4", "-q"])
            for name, h in harnesses.items()
        }
    )
    for name, (code, _, err) in updated.items():
        assert code == 3, f"{name}: {err}"  # the day's two malformed records are quarantined

    exported = run_all({name: (h, ["export", "hearings"]) for name, h in harnesses.items()})
    assert all(code == 0 for code, _, _ in exported.values()), exported
    outputs = {name: out for name, (_, out, _) in exported.items()}
    assert outputs["sqlite"].count("\n") == 153
    assert outputs["postgresql-batch"] == outputs["sqlite"]
    assert outputs["postgresql-single"] == outputs["sqlite"]

    # The other exports, in-process (same code, without a process start each).
    for entity in OTHER_ENTITIES:
        for fmt in ("jsonl", "csv"):
            texts = {
                name: export_to_string(h.engine(), entity, fmt=fmt) for name, h in harnesses.items()
            }
            assert texts["postgresql-batch"] == texts["sqlite"], (entity, fmt)
            assert texts["postgresql-single"] == texts["sqlite"], (entity, fmt)
    for harness in harnesses.values():
        harness.close()
