"""Keep the client inside the API's budget: at most N requests in any rolling hour, and at most
`concurrency` requests in flight at once."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from hearings.congress_api.budget import RequestBudget
from hearings.congress_api.pauses import pause

if TYPE_CHECKING:
    from hearings.config import Settings

log = logging.getLogger(__name__)

HOUR = 3600.0
# A wait for the window at least this long is said once, so a run that stands still says why;
# the steady pacing after a burst (0.72 s a request at 5,000 an hour) is not.
ANNOUNCED_WAIT = 1.0


class Limiter:
    """Thread-safe gate for HTTP attempts.

    The hourly budget is a rolling window (api.data.gov counts a rolling hour), so a fresh limiter
    allows a burst of up to `rate_limit_per_hour` requests and then paces to the window; no hour
    ever sees more than the budget. `clock` and `sleep` are injectable so tests need not wait.
    """

    def __init__(
        self,
        rate_limit_per_hour: int = 5000,
        concurrency: int = 8,
        *,
        window: float = HOUR,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = pause,
        budget: RequestBudget | None = None,
    ):
        if rate_limit_per_hour < 1:
            raise ValueError("rate_limit_per_hour must be at least 1")
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.rate_limit_per_hour = rate_limit_per_hour
        self.concurrency = concurrency
        self._window = window
        self._clock = clock
        self._sleep = sleep
        self.budget = budget
        self._slots = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self._stamps: deque[float] = deque()
        self._held_until = 0.0
        self._announced_until = 0.0
        self._in_flight = 0
        self.max_in_flight = 0
        self.waited_seconds = 0.0

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one in-flight slot and one unit of hourly budget for the duration of a request."""
        self.acquire()
        try:
            yield
        finally:
            self.release()

    @property
    def window(self) -> float:
        """The rolling window's length in seconds: an hour against Congress.gov."""
        return self._window

    def acquire(self) -> None:
        # The run's budget first: a request it does not allow must not wait for the window.
        if self.budget is not None:
            self.budget.take()
        self._slots.acquire()
        try:
            self._take_budget()
        except BaseException:
            self._slots.release()
            raise
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def release(self) -> None:
        with self._lock:
            self._in_flight -= 1
        self._slots.release()

    def hold(self, seconds: float) -> None:
        """Pause every caller for `seconds` (the server said Retry-After), not just the one that
        saw the 429, so the other threads do not keep spending budget on certain refusals."""
        if seconds <= 0:
            return
        with self._lock:
            self._held_until = max(self._held_until, self._clock() + seconds)

    def used_in_window(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._stamps)

    def remember(self, ages: Sequence[float]) -> None:
        """Count requests another process made `ages` seconds ago (an earlier slice of a
        backfill) against the window, as the API does."""
        with self._lock:
            now = self._clock()
            earlier = sorted(now - age for age in ages if 0 <= age < self._window)
            self._stamps = deque(sorted([*earlier, *self._stamps])[-self.rate_limit_per_hour :])

    def stamp_ages(self) -> list[float]:
        """How long ago each request still inside the window went out, oldest first."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            return [now - stamp for stamp in self._stamps]

    def _expire(self, now: float) -> None:
        horizon = now - self._window
        while self._stamps and self._stamps[0] <= horizon:
            self._stamps.popleft()

    def _take_budget(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                self._expire(now)
                if now < self._held_until:
                    wait = self._held_until - now
                elif len(self._stamps) < self.rate_limit_per_hour:
                    self._stamps.append(now)
                    return
                else:
                    # The oldest stamp leaving the window frees the next unit of budget.
                    wait = self._stamps[0] + self._window - now
                    if wait >= ANNOUNCED_WAIT and now >= self._announced_until:
                        self._announced_until = now + wait
                        log.info("%s", self._spent_sentence(wait))
                wait = max(wait, 1e-3)
                self.waited_seconds += wait
            self._sleep(wait)

    def _spent_sentence(self, wait: float) -> str:
        window = "an hour" if self._window == HOUR else f"{_spoken(self._window)}"
        return (
            f"All {self.rate_limit_per_hour:,} requests the API allows in {window} are spent "
            f"(earlier runs' included): waiting {_spoken(wait)} for the window to free one."
        )


def _spoken(seconds: float) -> str:
    """`4 s`, `12 min 30 s`, `1 h 2 min`."""
    whole = max(int(seconds + 0.5), 1)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    return f"{secs} s"


def limiter_for(settings: Settings, max_requests: int | None = None) -> Limiter:
    """The limiter the settings ask for, with a budget of `max_requests` for the run if given."""
    return Limiter(
        settings.api_rate_limit_per_hour,
        settings.api_concurrency,
        window=settings.api_rate_window_seconds,
        budget=RequestBudget(max_requests) if max_requests is not None else None,
    )


def seconds_to_send(
    requests: int,
    *,
    rate_limit: int,
    window: float,
    per_second: float,
    stamp_ages: Sequence[float] = (),
) -> float:
    """How long `requests` more requests take when they go out at `per_second` and a rolling
    `window` allows `rate_limit`: the limiter's own rule run forward, waits for the window
    included. `stamp_ages` are the requests already in the window (`Limiter.stamp_ages`)."""
    if requests <= 0:
        return 0.0
    gap = 1.0 / max(per_second, 1e-9)
    in_window: deque[float] = deque(-age for age in stamp_ages)
    now = 0.0
    for _ in range(requests):
        while in_window and in_window[0] <= now - window:
            in_window.popleft()
        if len(in_window) >= rate_limit:
            # Like `Limiter._take_budget`: wait until the oldest request leaves the window.
            now = in_window.popleft() + window
        in_window.append(now)
        now += gap
    return now
