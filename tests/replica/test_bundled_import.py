"""The bundled corpus, both Congresses, through the command line: `hearings import --congress
118-119` from the replica exits 0, quarantines nothing, and stores every meeting, printed hearing
and committee the replica lists, each under its own Congress."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hearings.replica import BUNDLED_CORPUS_DIR, Corpus, ReplicaServer


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, ReplicaServer]]:
    """A database that imported the 118th and the 119th from the bundled replica in one run."""
    folder = tmp_path_factory.mktemp("bundled")
    with ReplicaServer(Corpus.load(BUNDLED_CORPUS_DIR)) as replica:
        done = hearings(folder, replica, "import", "--congress", "118-119", "--quiet")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        yield folder / "hearings.db", replica


def hearings(folder: Path, replica: ReplicaServer, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CONGRESS_API_BASE_URL": replica.base_url,
        "CONGRESS_API_KEY": "bundled-import-key",
        "DATABASE_URL": f"sqlite:///{folder / 'hearings.db'}",
        "LOG_DIR": str(folder / "logs"),
        "BACKUP_DIR": str(folder / "backups"),
    }
    return subprocess.run(
        [sys.executable, "-m", "hearings", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def rows(database: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as connection:
        return list(connection.execute(sql, params))


def test_both_congresses_import_without_quarantine(imported: tuple[Path, ReplicaServer]) -> None:
    database, replica = imported
    corpus = replica.corpus
    assert rows(database, "SELECT COUNT(*) FROM import_errors") == [(0,)]
    assert rows(database, "SELECT COUNT(*) FROM update_logs") == [(1,)]  # one run for both
    for congress in (118, 119):
        served = {r.ident for r in corpus.list_records("meeting", congress=congress, limit=999)[0]}
        stored = rows(database, "SELECT event_id FROM hearings WHERE congress = ?", congress)
        assert {event_id for (event_id,) in stored} == served
        printed = corpus.list_records("hearing", congress=congress, limit=999)[0]
        stored_printed = rows(
            database, "SELECT jacket_number FROM printed_hearings WHERE congress = ?", congress
        )
        assert {j for (j,) in stored_printed} == {int(r.ident) for r in printed}
    codes = {code for (code,) in rows(database, "SELECT system_code FROM committees")}
    assert codes == {r.ident for r in corpus.iter_records("committee")}


def test_a_witness_of_both_congresses_is_one_person(imported: tuple[Path, ReplicaServer]) -> None:
    database, _ = imported
    # 115446 is 117846 copied into the 118th Congress with its witnesses.
    both = rows(
        database,
        "SELECT w.witness_id FROM witnesses w"
        " JOIN witness_appearances a ON a.witness_id = w.witness_id"
        " JOIN hearings h ON h.event_id = a.event_id"
        " WHERE h.event_id IN ('115446', '117846')"
        " GROUP BY w.witness_id HAVING COUNT(DISTINCT h.congress) = 2",
    )
    assert both


def test_the_export_holds_both_congresses(imported: tuple[Path, ReplicaServer]) -> None:
    database, replica = imported
    exported = hearings(database.parent, replica, "export", "hearings")
    assert exported.returncode == 0, exported.stderr
    records = [json.loads(line) for line in exported.stdout.splitlines() if line.strip()]
    congresses = {str(r.get("congress")) for r in records}
    assert congresses == {"118", "119"}
    assert len(records) == replica.corpus.count("meeting")
    real = next(r for r in records if str(r.get("event_id") or r.get("eventId")) == "115538")
    assert "H.R. 1246" in str(real.get("title"))
