"""429 bursts: when the gateway throttles a key, every request answers 429 for a while, with a
`Retry-After` much shorter than the window. The client waits the larger of `Retry-After` and a
growing backoff with jitter, so a run outlasts a window several times `Retry-After` long."""

from __future__ import annotations

import time
from pathlib import Path

from hearings.congress_api.client import CongressClient
from hearings.replica import Corpus, Faults, ReplicaServer
from tests.sync.site import Site

EXPORTS = ("hearings", "witnesses", "committees", "members", "appearances")


def test_a_request_outlasts_a_burst_six_times_its_retry_after() -> None:
    # Waiting exactly Retry-After (1 s) on each of the 5 retries gives up after 5 s.
    with ReplicaServer(Corpus.load(), faults=Faults(retry_after=1)) as replica:
        replica.faults.burst_429(6.0)
        started = time.monotonic()
        with CongressClient(replica.base_url, "burst-key", max_retries=5) as client:
            member = client.get_member("A000055")
        elapsed = time.monotonic() - started
    assert member["bioguideId"] == "A000055"
    assert elapsed >= 6.0
    assert 1 <= replica.stats.by_status[429] <= 5


def import_and_export(folder: Path, replica: ReplicaServer) -> dict[str, bytes]:
    folder.mkdir()
    site = Site(folder, replica)
    # The documented default number of retries, not the tests' usual 2.
    run = site.hearings("import", "--congress", "119", API_MAX_RETRIES="5")
    assert run.code == 0, run.err[-3000:]
    assert "Traceback" not in run.err
    found = {}
    for entity in EXPORTS:
        target = folder / f"{entity}.jsonl"
        assert site.hearings("export", entity, "--output", str(target)).code == 0
        found[entity] = target.read_bytes()
    return found


def test_an_import_through_a_ten_second_429_window_equals_a_fault_free_one(
    tmp_path: Path,
) -> None:
    corpus = Corpus.load()
    with ReplicaServer(corpus.copy()) as calm:
        expected = import_and_export(tmp_path / "calm", calm)

    with ReplicaServer(corpus.copy(), faults=Faults(retry_after=1)) as throttled:
        # Opens once the import is under way, with requests in flight on every worker.
        throttled.faults.burst_429(10.0, after_requests=60)
        started = time.monotonic()
        found = import_and_export(tmp_path / "throttled", throttled)
        elapsed = time.monotonic() - started
        refused = throttled.stats.by_status[429]

    assert refused > 0
    assert elapsed >= 10.0
    assert found == expected
