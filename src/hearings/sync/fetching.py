"""Fetching details concurrently while yielding them in order, with a bounded window so memory
stays flat however many records a run touches.

A spent request budget (`--max-requests`) is no record's failure: the fetch stops there, yields
what it did fetch, and leaves the rest for the next run, which finds it still to fetch.

One record the API keeps failing (5xx, timeouts, after the client's retries) is handed back like
any other failure, for the gate to quarantine. Many in a row are an outage, not bad records: the
fetch raises rather than quarantine every record of the stage."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from hearings.congress_api.budget import BudgetSpent
from hearings.congress_api.errors import ApiUnavailable
from hearings.congress_api.pauses import allow_waiting, stop_waiting

T = TypeVar("T")
R = TypeVar("R")

# Consecutive records the API did not answer (after retries) that count as an outage.
OUTAGE_AFTER = 10


def fetch_in_order(
    fetch: Callable[[T], R], items: Iterable[T], *, concurrency: int
) -> Generator[tuple[T, R | Exception]]:
    """Run `fetch` over items with at most `2 × concurrency` submitted ahead; yield each item with
    its result (or the exception it raised) in the items' order. Items the request budget refused
    are not yielded, and once it refuses one no more are submitted. `OUTAGE_AFTER` unavailable
    answers in a row raise the last of them, and none of that run is yielded.

    Consume it inside `closing(...)`: closed, it waits for the fetches in flight, which would
    otherwise run on after an exception (Ctrl-C) left the consumer, into a closed client."""
    window = max(1, 2 * concurrency)
    source = iter(items)
    pending: deque[tuple[T, Future[R]]] = deque()
    # Unavailable answers in a row, held back until an answer shows the API is up.
    unavailable: list[tuple[T, R | Exception]] = []
    try:
        with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="fetch") as pool:
            try:
                for item in source:
                    pending.append((item, pool.submit(fetch, item)))
                    if len(pending) >= window:
                        resolved = _resolve(pending.popleft())
                        if isinstance(resolved[1], BudgetSpent):
                            break  # submit no more
                        yield from _unless_outage(resolved, unavailable)
                while pending:
                    resolved = _resolve(pending.popleft())  # type: ignore[arg-type]
                    # Those submitted before the budget ran out may still have been fetched.
                    if not isinstance(resolved[1], BudgetSpent):
                        yield from _unless_outage(resolved, unavailable)
                yield from unavailable
            except BaseException:
                # Leaving early (Ctrl-C, SIGTERM, an error in the consumer): the pool's shutdown
                # joins its threads, and one may be waiting out a 429's Retry-After, up to an
                # hour. Wake it before the shutdown.
                stop_waiting()
                raise
            finally:
                for _, future in pending:
                    future.cancel()
    finally:
        allow_waiting()  # the pool has joined: later requests of the run may wait again


def _unless_outage(
    resolved: tuple[T, R | Exception], unavailable: list[tuple[T, R | Exception]]
) -> list[tuple[T, R | Exception]]:
    """What to yield now: nothing while unavailable answers pile up (raising at the
    `OUTAGE_AFTER`th), then those held back and this one once the API answers."""
    outcome = resolved[1]
    if isinstance(outcome, ApiUnavailable):
        unavailable.append(resolved)
        if len(unavailable) >= OUTAGE_AFTER:
            raise outcome
        return []
    released = [*unavailable, resolved]
    unavailable.clear()
    return released


def _resolve(entry: tuple[T, Future[R]]) -> tuple[T, R | Exception]:
    item, future = entry
    outcome: R | Exception
    try:
        outcome = future.result()
    except Exception as exc:  # handed to the caller, which quarantines or aborts
        outcome = exc
    return item, outcome
