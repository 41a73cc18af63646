"""`kill -9` at any moment leaves a consistent database, and the next run converges to the state an
uninterrupted run reaches."""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from hearings.congress_api.client import CongressClient
from hearings.replica import Corpus, ReplicaServer
from hearings.store import schema
from hearings.sync.pipeline import SyncOptions
from hearings.sync.runner import RunEnvironment, run_sync
from tests.backends import assert_consistent
from tests.sync.harness import (
    Harness,
    api_time,
    day_of_changes,
    slow_from_the_first_meeting,
    snapshot,
)

pytestmark = pytest.mark.slow

FAILPOINTS = [
    "listed",
    "checkpoint_created:2",
    "batch_applied:1",
    "batch_before_commit:2",
    "batch_committed:1",
    # The day's 11 meetings make 3 batches of 4: batch 1 commits alone, batches 2 and 3 as one
    # commit unit (adaptive commit units). Killed inside that unit, after both batches applied
    # (batch_applied:3) or just before its commit (batch_before_commit:2 above), batch 1 stays
    # committed and the rerun applies the rest.
    "batch_applied:3",
    "before_run_recorded",
]

UPDATE_IN_BATCHES_OF_4 = ("update", "--congress", "119", "--batch-size", "4")


@pytest.fixture(scope="module")
def reference(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict, str]:
    """The state an uninterrupted import + update reaches."""
    corpus = Corpus.load()
    tmp = tmp_path_factory.mktemp("reference")
    with ReplicaServer(corpus) as server:
        harness = Harness(tmp, f"sqlite:///{tmp / 'hearings.db'}", server)
        harness.run("import")
        day_of_changes(corpus, FIXED_NOW)
        harness.run("update")
        result = snapshot(harness.engine()), harness.export()
        harness.close()
    return result


FIXED_NOW = datetime.now(UTC)


@pytest.mark.parametrize("point", FAILPOINTS)
@pytest.mark.imported
def test_update_killed_at_a_failpoint_converges_after_rerun(
    harness: Harness, reference: tuple[dict, str], point: str
) -> None:
    day_of_changes(harness.corpus, FIXED_NOW)

    killed = harness.cli(*UPDATE_IN_BATCHES_OF_4, own_process=True, HEARINGS_FAILPOINT=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert_consistent(harness.database_url)

    rerun = harness.cli(*UPDATE_IN_BATCHES_OF_4)
    assert rerun.returncode in (0, 3), rerun.stderr
    assert_consistent(harness.database_url)
    expected_snapshot, expected_export = reference
    assert snapshot(harness.engine()) == expected_snapshot
    assert harness.export() == expected_export


def test_import_killed_at_random_moments_converges(
    harness: Harness, reference: tuple[dict, str]
) -> None:
    """External SIGKILLs at arbitrary moments, then a clean run."""
    harness.replica.faults.latency_ms = 15
    for delay in (0.6, 1.1, 1.7):
        process = subprocess.Popen(
            [sys.executable, "-m", "hearings", "import", "--congress", "119", "--batch-size", "7"],
            env=harness.cli_env(API_CONCURRENCY="2"),
            cwd=harness.tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.kill()
        process.wait(timeout=30)
        assert_consistent(harness.database_url)
    harness.replica.faults.latency_ms = 0
    assert harness.run("import").success
    day_of_changes(harness.corpus, FIXED_NOW)
    assert harness.run("update").success
    assert_consistent(harness.database_url)
    expected_snapshot, expected_export = reference
    assert snapshot(harness.engine()) == expected_snapshot
    assert harness.export() == expected_export


@pytest.mark.parametrize(
    "kill_at",
    [
        "batch_applied:2",  # after a batch committed and its figures were written
        "batch_committed:1",  # between a commit and its figures: the checkpoints count
        # Between batch 2's commit and its figures, batch 1's written: they lag a batch, and the
        # checkpoints' larger count stands.
        "batch_committed:2",
    ],
)
@pytest.mark.imported
def test_interrupted_runs_are_closed_by_the_next_run(harness: Harness, kill_at: str) -> None:
    day_of_changes(harness.corpus, FIXED_NOW)
    harness.cli(*UPDATE_IN_BATCHES_OF_4, own_process=True, HEARINGS_FAILPOINT=kill_at)

    harness.run("update")

    with harness.engine().connect() as connection:
        runs = connection.execute(schema.update_logs.select().order_by("run_id")).all()
        pending = connection.execute(
            schema.batch_checkpoints.select().where(schema.batch_checkpoints.c.status == "pending")
        ).all()
    assert [r.success for r in runs] == [True, None, True]  # the killed run stays interrupted
    assert pending == []
    killed = runs[1]
    assert killed.exit_code is None and killed.end_time is not None
    with harness.engine().connect() as connection:
        committed = connection.execute(
            select(schema.batch_checkpoints.c.event_ids).where(
                schema.batch_checkpoints.c.run_id == killed.run_id,
                schema.batch_checkpoints.c.status == "committed",
            )
        ).scalars()
        applied = {event_id for ids in committed for event_id in ids}
    # Written as its batches committed: the meetings they applied and the requests made (which
    # commit with each batch, so even a kill between a commit and its figures keeps them).
    assert applied and killed.hearings_added + killed.hearings_updated == len(applied)
    assert killed.api_requests > 0
    report = json.loads(harness.cli("report", "--format", "json").stdout)
    (shown,) = [r for r in report["runs"] if r["run_id"] == killed.run_id]
    assert shown["outcome"] == "interrupted" and shown["exit_code"] is None
    assert shown["hearings_added"] + shown["hearings_updated"] == len(applied)
    assert report["summary"]["interrupted"] == 1 and report["summary"]["failed"] == 0
    verified = harness.cli("verify")
    assert "never recorded an outcome" not in verified.stdout + verified.stderr


@pytest.mark.parametrize(
    ("stop", "status", "sentence"),
    [
        (
            signal.SIGINT,
            130,
            "Interrupted; committed work is kept and the next run continues.",
        ),
        # systemd's stop and its start timeout, a plain `kill`: the process still ends by the
        # signal it was sent, after the sentence (it used to die at once, without a word).
        (
            signal.SIGTERM,
            -signal.SIGTERM,
            "Stopped by SIGTERM; committed work is kept and the next run continues.",
        ),
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_a_stop_signal_says_what_is_kept_and_the_run_is_reported_interrupted(
    harness: Harness, stop: signal.Signals, status: int, sentence: str
) -> None:
    """SIGINT or SIGTERM in the middle of an import of two Congresses, once a batch has
    committed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "hearings", "import", "--congress", "118-119"],
        env=harness.cli_env(API_CONCURRENCY="2"),
        cwd=harness.tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # A shell's background job ignores SIGINT, and Python keeps that: undo it for the child.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    # Slow enough that about 250 meeting requests (2.5 s) are still to come when the first batch
    # commits and the signal is sent (within 0.2 s of it).
    slow_from_the_first_meeting(harness.replica, 20)
    checkpoints = schema.batch_checkpoints
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not harness.count(
        checkpoints, checkpoints.c.status == "committed"
    ):
        time.sleep(0.2)
    # The rest took about 2.5 s: a test stalled that long on a loaded machine sent its signal
    # after the import had ended. Now it would take minutes; the signal ends it at once.
    harness.replica.faults.latency_ms = 1000
    process.send_signal(stop)
    _, stderr = process.communicate(timeout=60)
    harness.replica.faults.latency_ms = 0

    assert process.returncode == status
    assert stderr.strip().splitlines()[-1] == sentence
    assert "Traceback" not in stderr
    rerun = harness.cli("import", "--congress", "118-119", "--quiet")
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    report = json.loads(harness.cli("report", "--format", "json").stdout)
    first = min(report["runs"], key=lambda r: r["run_id"])
    assert first["outcome"] == "interrupted" and first["exit_code"] is None
    assert first["hearings_added"] > 0 and first["api_requests"] > 0


@pytest.mark.imported
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_stop_signal_ends_a_run_waiting_out_a_long_retry_after(harness: Harness) -> None:
    """A meeting's fetch answers 429 with an hour's Retry-After: the fetch thread waits it out.
    SIGTERM must end the run in one sentence at once, not when the hour is over (the fetch pool's
    shutdown joined the sleeping thread)."""
    event_id = sorted(harness.corpus.ids("meeting"))[0]
    body = harness.corpus.meeting(event_id)
    assert body is not None
    body["updateDate"] = api_time(datetime.now(UTC))
    harness.corpus.put_meeting(body)
    harness.replica.faults.retry_after = 3600
    harness.replica.faults.fail_next(1, "429", path=f"/committee-meeting/.*/{event_id}")
    process = subprocess.Popen(
        [sys.executable, "-m", "hearings", "update", "--congress", "119"],
        env=harness.cli_env(),
        cwd=harness.tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not harness.replica.stats.by_status[429]:
        time.sleep(0.05)
    time.sleep(0.3)  # into the wait
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)

    assert time.monotonic() - sent < 10, "the run waited out the Retry-After"
    assert process.returncode == -signal.SIGTERM
    assert stderr.strip().splitlines()[-1] == (
        "Stopped by SIGTERM; committed work is kept and the next run continues."
    )
    assert "Traceback" not in stderr


def test_a_killed_run_over_several_congresses_names_them_with_its_figures(
    harness: Harness,
) -> None:
    """Killed in the middle of an import of 118-119: status names both Congresses, and the
    report has each one's figures as far as its committed batches went."""
    killed = harness.cli(
        "import",
        "--congress",
        "118-119",
        "--batch-size",
        "4",
        own_process=True,
        HEARINGS_FAILPOINT="batch_committed:2",
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    status = json.loads(harness.cli("status", "--json").stdout)
    assert status["last_run"]["outcome"] == "interrupted"
    assert status["last_run"]["congresses"] == [118, 119]
    words = " ".join(harness.cli("status").stdout.split())
    assert f"import #{status['last_run']['run_id']} (Congresses 118-119) interrupted" in words
    report = json.loads(harness.cli("report", "--format", "json").stdout)
    [run] = report["runs"]
    assert run["outcome"] == "interrupted" and run["hearings_added"] > 0
    assert set(run["congresses"]) == {"118", "119"}
    added = [figures["hearings_added"] for figures in run["congresses"].values()]
    assert sum(added) == run["hearings_added"]


# SQLite alone: the subject is the run's fetch threads and its API client, not the store.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_ctrl_c_while_meetings_load_lets_the_fetches_in_flight_finish_first(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Ctrl-C lands between two fetched meetings (here: in the progress callback): the fetches
    already in flight end before the interrupt leaves the run, so closing the API client after it
    cuts no request short. It cut them short, and each one logged 'retrying ... after a
    connection error (ReadError)' on the console above 'Interrupted'."""
    in_flight_at_the_interrupt: list[int] = []

    def ctrl_c_after_the_first_meeting(stage: str, done: int, total: int | None) -> None:
        if stage == "members" and done == total:
            # The last stage before the meetings: slow from here, so requests are surely in
            # flight at the interrupt; the 220 or so requests before it need no latency.
            harness.replica.faults.latency_ms = 200
        if stage.endswith("meetings") and done >= 1:
            # Between two waves of requests none is in flight for a moment: wait for the next.
            deadline = time.monotonic() + 5
            while not harness.replica.stats.in_flight and time.monotonic() < deadline:
                time.sleep(0.001)
            in_flight_at_the_interrupt.append(harness.replica.stats.in_flight)
            raise KeyboardInterrupt

    settings = harness.settings()
    with (
        caplog.at_level(logging.WARNING, logger="hearings"),
        pytest.raises(KeyboardInterrupt),
        CongressClient.from_settings(settings) as client,
    ):
        env = RunEnvironment(
            settings=settings,
            engine=harness.engine(),
            client=client,
            progress=ctrl_c_after_the_first_meeting,
        )
        run_sync(env, SyncOptions(congress=119, concurrency=4), command="import")
    harness.replica.faults.latency_ms = 0

    assert in_flight_at_the_interrupt[0] > 0
    assert [t.name for t in threading.enumerate() if t.name.startswith("fetch")] == []
    assert [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()] == []
