"""A budgeted backfill, through the command line against the replica: `hearings import` estimates
what it will cost before it fetches any record, `--max-requests N` stops it cleanly after N
requests (counted at the replica), and reruns resume from the lists it kept, never reading them
again, until the database is the one an uninterrupted import makes, export for export. A `kill -9`
after the lists were read loses nothing either."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from hearings.congress_api.limiter import Limiter
from hearings.replica import BUNDLED_CORPUS_DIR, Corpus, ReplicaServer
from hearings.store import schema
from hearings.store.opening import open_database
from hearings.sync.backfill import earlier_request_ages
from hearings.sync.estimate import span
from tests.sync.site import CliRun, Site

ENTITIES = ("hearings", "witnesses", "committees", "members", "appearances")
BUDGET = 120
#: The estimate line: `Importing 118-119: about 386 requests to go after 10 to list, …`.
ESTIMATE = re.compile(
    r"Importing (\S+): about ([\d,]+) requests? to go(?: after ([\d,]+) to list)?"
)


def exports(site: Site) -> dict[str, str]:
    return {entity: site.hearings("export", entity).out for entity in ENTITIES}


def list_requests(replica: ReplicaServer) -> int:
    return sum(n for kind, n in replica.stats.by_kind.items() if kind.endswith("_list"))


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus.load(BUNDLED_CORPUS_DIR)


@pytest.fixture(scope="module")
def uninterrupted(
    corpus: Corpus, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, str], CliRun, int]:
    """What one import of both Congresses makes, what it printed, and the requests it made."""
    with ReplicaServer(corpus.copy()) as replica:
        site = Site(tmp_path_factory.mktemp("uninterrupted"), replica)
        run = site.hearings("import", "--congress", "118-119")
        assert run.code == 0, run.err[-3000:]
        return exports(site), run, replica.request_count


@pytest.fixture
def replica(corpus: Corpus) -> Iterator[ReplicaServer]:
    with ReplicaServer(corpus.copy()) as server:
        yield server


def test_the_estimate_comes_before_any_record_and_counts_the_requests_the_import_makes(
    uninterrupted: tuple[dict[str, str], CliRun, int],
) -> None:
    _, run, made = uninterrupted
    found = ESTIMATE.search(run.err)
    assert found is not None, run.err[-3000:]
    assert found.group(1) == "118-119"
    to_go, to_list = int(found.group(2).replace(",", "")), int(found.group(3).replace(",", ""))
    # Before the estimate only the lists were read; the records it counts are the rest (a few
    # parent committees may come on top).
    assert to_list + to_go <= made <= to_list + to_go + 5
    assert run.err.index(found.group(0)) < run.err.index("batch 1 committed")


def test_a_budgeted_import_stops_at_the_budget_and_reruns_reach_the_uninterrupted_export(
    replica: ReplicaServer,
    tmp_path: Path,
    database_url: str,
    uninterrupted: tuple[dict[str, str], CliRun, int],
) -> None:
    site = Site(tmp_path, replica, database_url)
    codes: list[int] = []
    for attempt in range(12):
        replica.reset_counters()
        run = site.hearings("import", "--congress", "118-119", "--max-requests", str(BUDGET))
        assert "Traceback" not in run.err, run.err[-3000:]
        assert replica.request_count <= BUDGET
        if attempt > 0:  # every list was read to the end by the first run and kept
            assert list_requests(replica) == 0, replica.stats.by_kind
        codes.append(run.code)
        if run.code != 4:
            break
        assert replica.request_count == BUDGET  # stopped at the budget, not before
        assert "Stopped at the --max-requests budget of 120 requests" in run.err
        assert "error:" not in run.err  # a stop the user asked for is not a failure
        assert "rerun the same command to resume" in run.err
        last = site.last_run()
        assert (last["exit_code"], bool(last["success"])) == (4, False)
    assert codes[-1] == 0 and len(codes) >= 3, codes
    assert site.query("SELECT * FROM import_lists") == []  # a completed import keeps no lists
    expected, _, _ = uninterrupted
    assert exports(site) == expected


def test_an_import_killed_after_listing_resumes_without_reading_the_lists_again(
    replica: ReplicaServer, tmp_path: Path, uninterrupted: tuple[dict[str, str], CliRun, int]
) -> None:
    site = Site(tmp_path, replica)
    replica.faults.latency_ms = 20  # slow enough to be killed midway
    process = subprocess.Popen(
        [sys.executable, "-m", "hearings", "import", "--congress", "118-119"],
        env={**_without_settings(os.environ), **site.env(API_CONCURRENCY="2")},
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not _some_meetings_stored(site.database):
            time.sleep(0.05)
        # The rest took a few seconds: a test stalled that long on a loaded machine killed an
        # import that had ended. Now it would take minutes.
        replica.faults.latency_ms = 1000
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert site.query("SELECT COUNT(*) AS n FROM import_lists")[0]["n"] > 0
    stored_before = site.query("SELECT COUNT(*) AS n FROM hearings")[0]["n"]

    replica.faults.latency_ms = 0
    replica.reset_counters()
    rerun = site.hearings("import", "--congress", "118-119")
    assert rerun.code == 0, rerun.err[-3000:]
    assert list_requests(replica) == 0, replica.stats.by_kind
    expected, _, _ = uninterrupted
    meetings = len(expected["hearings"].splitlines())
    # The meetings stored before the kill are not fetched again.
    assert replica.stats.by_kind.get("meeting_item", 0) == meetings - stored_before
    assert exports(site) == expected


def _without_settings(environment: Mapping[str, str]) -> dict[str, str]:
    prefixes = ("CONGRESS_", "DATABASE_", "API_", "BACKUP_", "LOG_")
    return {k: v for k, v in environment.items() if not k.startswith(prefixes)}


def _some_meetings_stored(database: Path) -> bool:
    if not database.exists():
        return False
    try:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1)
        try:
            return bool(connection.execute("SELECT COUNT(*) FROM hearings").fetchone()[0])
        finally:
            connection.close()
    except sqlite3.Error:
        return False


def test_a_list_the_api_fails_to_serve_costs_its_stage_not_the_import(
    replica: ReplicaServer, tmp_path: Path
) -> None:
    # The printed-hearing list answers 500 to the estimate's reading and to the stage's.
    replica.faults.fail_next(6, "500", path=r"/hearing/119$")
    run = Site(tmp_path, replica).hearings("import", "--congress", "119")
    assert run.code == 4, run.err[-3000:]  # partial: the other stages committed
    assert ESTIMATE.search(run.err) is not None
    assert "the printed hearing list could not be read for the estimate" in run.err
    assert Site(tmp_path, replica).query("SELECT COUNT(*) AS n FROM hearings")[0]["n"] == 150


def test_estimates_read_in_hours_and_minutes() -> None:
    assert [span(s) for s in (44.6, 65, 600, 3600, 10_260)] == [
        "45 s",
        "1 min 5 s",
        "10 min",
        "1 h",
        "2 h 51 min",
    ]


def test_a_slice_counts_the_requests_earlier_runs_made_in_the_last_hour(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'hearings.db'}")
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    runs = [  # (ended minutes ago, lasted minutes, requests)
        (30, 10, 100),  # the last slice: inside the hour
        (50, 40, 4000),  # the one before: its last 10 of 40 minutes inside the hour
        (65, 50, 4500),  # over before the hour began
    ]
    with engine.begin() as connection:
        for ended, lasted, requests in runs:
            end = (now - timedelta(minutes=ended)).replace(tzinfo=None)
            connection.execute(
                insert(schema.update_logs).values(
                    command="import",
                    mode="batch",
                    start_time=end - timedelta(minutes=lasted),
                    end_time=end,
                    api_requests=requests,
                )
            )
    ages = earlier_request_ages(engine, now, 3600)
    engine.dispose()
    assert len(ages) == 100 + 1000
    assert min(ages) == pytest.approx(30 * 60 + 3, abs=0.5)
    limiter = Limiter(5000, 1)
    limiter.remember(ages)
    assert limiter.used_in_window() == len(ages)
    small = Limiter(60, 1)
    small.remember(ages)
    assert small.used_in_window() == 60  # a window holds no more than its limit
    assert min(small.stamp_ages()) == pytest.approx(min(ages), abs=1)


def test_a_run_whose_request_count_is_text_counts_no_requests(tmp_path: Path) -> None:
    # SQLite keeps text in a number column, and 'many' > 0 holds there: range('many') failed
    # every import (TypeError) until that run left the hour.
    engine = open_database(f"sqlite:///{tmp_path / 'hearings.db'}")
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    end = (now - timedelta(minutes=5)).replace(tzinfo=None)
    with engine.begin() as connection:
        for requests in (10, "many"):
            connection.execute(
                insert(schema.update_logs).values(
                    command="import",
                    mode="batch",
                    start_time=end - timedelta(minutes=1),
                    end_time=end,
                    api_requests=requests,
                )
            )
    ages = earlier_request_ages(engine, now, 3600)
    engine.dispose()
    assert len(ages) == 10


def test_a_budget_needs_batch_mode(replica: ReplicaServer, tmp_path: Path) -> None:
    run = Site(tmp_path, replica).hearings(
        "import", "--congress", "119", "--max-requests", "50", "--no-batch"
    )
    assert run.code == 2
    assert "--max-requests needs batch mode, and --no-batch turns it off" in run.err
    assert replica.request_count == 0


def test_a_budget_refusal_names_the_setting_that_turned_batch_mode_off(
    replica: ReplicaServer, tmp_path: Path
) -> None:
    run = Site(tmp_path, replica).hearings(
        "import", "--congress", "119", "--max-requests", "50", ENABLE_BATCH_PROCESSING="false"
    )
    assert run.code == 2
    assert "ENABLE_BATCH_PROCESSING=false turns it off" in run.err
    assert "--no-batch" not in run.err
    assert replica.request_count == 0


def test_a_change_made_after_a_slice_kept_its_lists_is_left_to_the_next_update(
    replica: ReplicaServer, tmp_path: Path
) -> None:
    """A slice stores a committee and keeps the lists; upstream changes the committee after
    them. The import that completes from the kept lists does not see the change, and marks
    committees current at its own start: the next update must list from when the kept list
    was read, however short its lookback, or the change is never fetched."""
    site = Site(tmp_path, replica)
    first = site.hearings("import", "--congress", "119", "--max-requests", "40")
    assert first.code == 4, first.err[-3000:]
    code = site.query("SELECT system_code FROM committees ORDER BY system_code")[0]["system_code"]
    # The slice ran three days ago, as a backfill paced by cron over days may have.
    connection = sqlite3.connect(site.database)
    try:
        connection.execute("UPDATE import_lists SET listed_at = datetime(listed_at, '-3 days')")
        connection.commit()
    finally:
        connection.close()
    record = replica.corpus.record("committee", code)
    body = replica.corpus.committee(code)
    assert record is not None and body is not None
    body["updateDate"] = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for entry in body["history"]:
        entry["libraryOfCongressName"] = entry["officialName"] = "Renamed Two Days Ago"
    replica.corpus.put_committee(body, chamber=record.chamber)

    completed = site.hearings("import", "--congress", "119")
    assert completed.code == 0, completed.err[-3000:]
    update = site.hearings("update", "--congress", "119", "--lookback-days", "1")
    assert update.code == 0, update.err[-3000:]
    stored = site.query("SELECT name FROM committees WHERE system_code = ?", code)
    assert stored == [{"name": "Renamed Two Days Ago"}]
    # The update listed from there, so the window is held no longer.
    assert not site.query("SELECT * FROM sync_state WHERE entity LIKE '%.relist'")


def test_an_import_that_read_its_own_lists_holds_no_window(
    replica: ReplicaServer, tmp_path: Path
) -> None:
    """Lists this run's backfill read are covered by the mark at the run's start: holding a
    window for them made the next update list an hour further back for nothing, and status
    name a window nobody asked for."""
    site = Site(tmp_path, replica)
    run = site.hearings("import", "--congress", "119")
    assert run.code == 0, run.err[-3000:]
    assert not site.query("SELECT * FROM sync_state WHERE entity LIKE '%.relist'")
