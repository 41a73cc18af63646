"""Fetching details concurrently, in order, with a bounded window: failures come back as values,
nothing is read far ahead, and no more than `concurrency` calls run at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from hearings.congress_api.errors import NotFound
from hearings.sync.fetching import fetch_in_order


def test_results_come_back_in_order_with_failures_as_values() -> None:
    def fetch(item: str) -> str:
        if item == "missing":
            raise NotFound("no such record")
        return item.upper()

    results = list(fetch_in_order(fetch, ["a", "missing", "c"], concurrency=2))
    assert [item for item, _ in results] == ["a", "missing", "c"]
    assert results[0][1] == "A" and results[2][1] == "C"
    assert isinstance(results[1][1], NotFound)


def test_it_streams_without_reading_far_ahead() -> None:
    pulled = 0

    def items() -> Iterator[int]:
        nonlocal pulled
        for i in range(50_000):
            pulled += 1
            yield i

    stream = fetch_in_order(lambda i: i * 2, items(), concurrency=4)
    for _ in range(10):
        next(stream)
    assert pulled <= 10 + 2 * 4 + 1  # what was yielded, plus at most one window submitted
    stream.close()


def test_it_keeps_at_most_concurrency_calls_running() -> None:
    active = peak = 0
    lock = threading.Lock()

    def work(i: int) -> int:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.001)
        with lock:
            active -= 1
        return i

    done = [result for _, result in fetch_in_order(work, range(60), concurrency=3)]
    assert done == list(range(60)) and peak <= 3
