"""A run's request budget (`--max-requests`) and the arithmetic of the rolling window.

The budget is taken before every HTTP attempt, retries included, so the API never sees more than
it allows; the attempt past it raises `BudgetSpent` without going out. `seconds_to_send` is the
limiter's own rule run forward: it must agree with a real `Limiter` on a clock that only moves
when someone waits, whatever the rate, window, pace and requests already in the window.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearings.congress_api.budget import BudgetSpent, RequestBudget
from hearings.congress_api.client import CongressClient
from hearings.congress_api.limiter import Limiter, seconds_to_send
from hearings.errors import HearingsError
from hearings.replica import Corpus, ReplicaServer


class StillClock:
    """A clock that moves only when someone sleeps on it, or the test steps it."""

    def __init__(self) -> None:
        self.now = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    with ReplicaServer(Corpus.load()) as server:
        yield server


def test_the_attempt_past_the_budget_raises_one_sentence_and_never_waits() -> None:
    clock = StillClock()
    limiter = Limiter(1, 1, clock=clock, sleep=clock.sleep, budget=RequestBudget(2))
    limiter.acquire()
    limiter.release()
    limiter.acquire()  # the hourly limit of 1 makes this one wait an hour
    limiter.release()
    waited = clock.now
    with pytest.raises(BudgetSpent) as caught:
        limiter.acquire()
    assert clock.now == waited  # refused at once: no wait for a request that will not go out
    assert isinstance(caught.value, HearingsError) and caught.value.exit_code == 4
    assert str(caught.value) == "The budget of 2 requests (--max-requests) is used up."
    assert limiter.budget is not None and limiter.budget.refused


def test_retries_spend_the_budget_too_and_the_api_sees_no_more_than_it_allows(
    replica: ReplicaServer,
) -> None:
    replica.reset_counters()
    replica.faults.fail_next(3, "500")
    limiter = Limiter(5000, 2, budget=RequestBudget(4))
    with CongressClient(
        replica.base_url, "budget-key", limiter=limiter, backoff_base=0.001, backoff_max=0.01
    ) as client:
        client.get_meeting(119, "house", "119557")  # three 500s, then the answer: 4 attempts
        with pytest.raises(BudgetSpent):
            client.get_meeting(119, "house", "119557")
    assert replica.request_count == 4


def test_a_budget_allows_at_least_one_request() -> None:
    with pytest.raises(ValueError, match="at least one request"):
        RequestBudget(0)


# ---- the time requests take within the window --------------------------------------------


def test_requests_the_window_allows_go_at_the_pace_and_the_rest_wait_for_it() -> None:
    assert seconds_to_send(0, rate_limit=10, window=60, per_second=2) == 0
    assert seconds_to_send(10, rate_limit=10, window=60, per_second=2) == pytest.approx(5)
    # The 11th waits for the first to leave the window (at 60 s), the 21st for the 11th.
    assert seconds_to_send(11, rate_limit=10, window=60, per_second=2) == pytest.approx(60.5)
    assert seconds_to_send(21, rate_limit=10, window=60, per_second=2) == pytest.approx(120.5)
    # Requests already in the window count: a full window means waiting from the start.
    full = [50.0 - i for i in range(10)]  # sent 50 s to 41 s ago
    assert seconds_to_send(1, rate_limit=10, window=60, per_second=2, stamp_ages=full) == (
        pytest.approx(10.5)
    )


def test_a_backfill_at_5000_an_hour_takes_an_hour_for_every_5000_requests_after_the_first() -> None:
    hours = seconds_to_send(23_500, rate_limit=5000, window=3600, per_second=10) / 3600
    assert 4 < hours < 4.2  # four waits for the window, then 3,500 requests at 10 a second


@settings(max_examples=60, deadline=None)
@given(
    rate=st.integers(1, 30),
    requests=st.integers(0, 120),
    per_second=st.floats(0.5, 50),
    window=st.floats(1, 100),
    already=st.lists(st.floats(0, 99), max_size=30),
)
def test_the_estimate_is_what_a_real_limiter_does(
    rate: int, requests: int, per_second: float, window: float, already: list[float]
) -> None:
    clock = StillClock()
    clock.now = 100.0
    limiter = Limiter(rate, 1, window=window, clock=clock, sleep=clock.sleep)
    # Requests sent in the past, oldest first, at most `rate` of them inside the window.
    for age in sorted((a for a in already if a < window), reverse=True)[-rate:]:
        limiter._stamps.append(clock.now - age)
    ages = limiter.stamp_ages()
    started = clock.now
    for _ in range(requests):
        limiter.acquire()
        limiter.release()
        clock.sleep(1 / per_second)
    expected = seconds_to_send(
        requests, rate_limit=rate, window=window, per_second=per_second, stamp_ages=ages
    )
    # The limiter never sleeps less than a millisecond at a time.
    assert clock.now - started == pytest.approx(expected, rel=1e-6, abs=1e-3 * (requests + 1))
