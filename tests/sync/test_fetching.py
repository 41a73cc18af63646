"""Fetching details concurrently, in order, with a bounded window: failures come back as values,
nothing is read far ahead, and no more than `concurrency` calls run at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from hearings.congress_api.errors import ApiUnavailable, NotFound
from hearings.sync.fetching import OUTAGE_AFTER, fetch_in_order


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


def test_one_record_the_api_keeps_failing_comes_back_as_a_value() -> None:
    def fetch(item: str) -> str:
        if item == "broken":
            raise ApiUnavailable("Congress.gov answered HTTP 500 for broken.")
        return item

    results = list(fetch_in_order(fetch, ["a", "broken", "c"], concurrency=2))
    assert [item for item, _ in results] == ["a", "broken", "c"]
    assert isinstance(results[1][1], ApiUnavailable)


def test_unavailable_answers_in_a_row_are_an_outage_and_none_is_handed_back() -> None:
    def fetch(item: int) -> int:
        if item >= 3:
            raise ApiUnavailable("Congress.gov could not be reached.")
        return item

    handed_back: list[int] = []
    with pytest.raises(ApiUnavailable):
        for item, _ in fetch_in_order(fetch, range(3 + OUTAGE_AFTER + 5), concurrency=2):
            handed_back.append(item)
    assert handed_back == [0, 1, 2]


def test_a_short_run_of_failures_at_the_end_is_handed_back() -> None:
    def fetch(item: int) -> int:
        if item >= 5:
            raise ApiUnavailable("Congress.gov answered HTTP 503.")
        return item

    results = list(fetch_in_order(fetch, range(5 + OUTAGE_AFTER - 1), concurrency=2))
    assert len(results) == 5 + OUTAGE_AFTER - 1


def test_leaving_early_does_not_wait_out_a_long_retry_after() -> None:
    """A fetch thread waiting out a 429's Retry-After (an hour) must not hold the run's end: the
    pool's shutdown (and then the interpreter's exit) joins it. Closing wakes it; the next
    fetches may wait again."""
    from hearings.congress_api.pauses import Stopping, pause

    woken = threading.Event()

    def fetch(item: int) -> int:
        if item == 1:
            try:
                pause(3600)
            except Stopping:
                woken.set()
                raise
        return item

    stream = fetch_in_order(fetch, range(3), concurrency=2)
    assert next(stream) == (0, 0)
    started = time.monotonic()
    stream.close()  # what `closing(...)` does when Ctrl-C leaves the consumer
    assert time.monotonic() - started < 5
    assert woken.is_set()
    started = time.monotonic()
    pause(0.05)  # waiting is allowed again once the pool has joined
    assert time.monotonic() - started >= 0.05
