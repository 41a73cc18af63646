"""429 bursts: when the gateway throttles a key, every request answers 429 for a while, with a
`Retry-After` much shorter than the window. The client waits the larger of `Retry-After` and a
growing backoff with jitter, so a run outlasts a window several times `Retry-After` long."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hearings.congress_api.client import CongressClient
from hearings.congress_api.limiter import Limiter
from hearings.congress_api.session import RATE_LIMIT_BACKOFF
from hearings.congress_api.wire import RETRY_AFTER_CAP
from hearings.replica import Corpus, Faults, ReplicaServer
from tests.congress_api.test_client import FakeClock
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


# ---- what a Retry-After can say ----------------------------------------------------------------


class OneRefusal(BaseHTTPRequestHandler):
    """Answers the first request 429 with the server's `retry_after` header, then the member."""

    def do_GET(self) -> None:
        server: RefusingOnce = self.server  # type: ignore[assignment]
        refuse = not server.refused
        server.refused = True
        body = json.dumps({"member": {"bioguideId": "A000055"}}).encode()
        self.send_response(429 if refuse else 200)
        if refuse:
            self.send_header("Retry-After", server.retry_after)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class RefusingOnce(ThreadingHTTPServer):
    def __init__(self, retry_after: str) -> None:
        super().__init__(("127.0.0.1", 0), OneRefusal)
        self.retry_after = retry_after
        self.refused = False


def waits_after_one_refusal(retry_after: str) -> list[float]:
    """Every wait, the retry's and the limiter's, that one 429 with this header causes."""
    clock = FakeClock()
    server = RefusingOnce(retry_after)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    limiter = Limiter(5000, 2, clock=clock, sleep=clock.sleep)
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v3"
    try:
        with CongressClient(base_url, "k3y-of-test", limiter=limiter, sleep=clock.sleep) as client:
            assert client.get_member("A000055")["bioguideId"] == "A000055"
    finally:
        server.shutdown()
        server.server_close()
    return clock.sleeps


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


@pytest.mark.parametrize(
    "retry_after",
    ["1000000000", "inf", "1e400", http_date(datetime.now(UTC) + timedelta(days=400))],
    ids=["1e9-seconds", "inf", "1e400", "a-date-next-year"],
)
def test_an_absurd_retry_after_waits_at_most_the_cap(retry_after: str) -> None:
    # The limiter holds every thread for the Retry-After: held for 10**9 s, the run never ended.
    waits = waits_after_one_refusal(retry_after)
    assert waits and max(waits) <= RETRY_AFTER_CAP * 1.25
    assert sum(waits) <= 2 * RETRY_AFTER_CAP * 1.25


@pytest.mark.parametrize("retry_after", ["-30", "nan", "soon", http_date(datetime(2001, 1, 1))])
def test_a_retry_after_in_the_past_or_unreadable_falls_back_to_the_backoff(
    retry_after: str,
) -> None:
    assert max(waits_after_one_refusal(retry_after)) <= RATE_LIMIT_BACKOFF * 1.25


def test_a_retry_after_given_as_a_date_is_waited_out() -> None:
    waits = waits_after_one_refusal(http_date(datetime.now(UTC) + timedelta(seconds=40)))
    assert 35.0 <= sum(waits) <= 40.0 * 1.25 + 1.0
