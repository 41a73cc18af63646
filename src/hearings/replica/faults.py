"""The replica's failure knobs and counters: latency, errors, truncated bodies, timeouts, an hourly
rate limit and 429 bursts (`Faults`), and what the server answered (`RequestStats`)."""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Literal

FaultKind = Literal["500", "503", "429", "400", "301", "truncated", "timeout", "disconnect"]
FAULT_KINDS: tuple[str, ...] = (
    "500",
    "503",
    "429",
    "400",
    "301",
    "truncated",
    "timeout",
    "disconnect",
)
# What `fault_rate` draws from: the failures the real API has been seen to produce.
RANDOM_FAULTS: tuple[FaultKind, ...] = ("500", "429", "truncated")
REAL_HOURLY_LIMIT = 5000


@dataclass
class _Burst:
    seconds: float
    countdown: int  # requests still to pass before the window opens
    ends: float | None = None  # monotonic time the open window closes

    def counts(self) -> bool:
        """Count one request; True when it falls inside the window."""
        if self.countdown > 0:
            self.countdown -= 1
            return False
        now = time.monotonic()
        if self.ends is None:
            self.ends = now + self.seconds
        return now < self.ends


@dataclass
class _Scripted:
    kind: FaultKind
    remaining: int
    pattern: re.Pattern[str] | None


class Faults:
    """Failure knobs, adjustable while the server runs (every access takes a lock).

    `fault_rate` answers that share of API requests with a random 500, 429 or truncated body,
    drawn from a generator seeded with `seed`. `fail_next` scripts exact failures for tests.
    `rate_limit` is a rolling-hour budget after which the server answers 429. `burst_429` opens
    a window of seconds in which every API request answers 429, as the gateway does when a key
    is throttled.
    """

    def __init__(
        self,
        *,
        latency_ms: float = 0.0,
        fault_rate: float = 0.0,
        seed: int = 0,
        retry_after: int = 1,
        rate_limit: int | None = None,
        timeout_seconds: float = 5.0,
    ):
        self._lock = threading.Lock()
        self._latency_ms = latency_ms
        self._fault_rate = fault_rate
        self._seed = seed
        self._random = random.Random(seed)
        self._retry_after = retry_after
        self._rate_limit = rate_limit
        self._timeout_seconds = timeout_seconds
        self._scripted: list[_Scripted] = []
        self._burst: _Burst | None = None

    @property
    def latency_ms(self) -> float:
        with self._lock:
            return self._latency_ms

    @latency_ms.setter
    def latency_ms(self, value: float) -> None:
        with self._lock:
            self._latency_ms = max(0.0, value)

    @property
    def fault_rate(self) -> float:
        with self._lock:
            return self._fault_rate

    @fault_rate.setter
    def fault_rate(self, value: float) -> None:
        if not 0.0 <= value <= 1.0:
            raise ValueError("fault_rate is a share between 0 and 1")
        with self._lock:
            self._fault_rate = value

    @property
    def seed(self) -> int:
        with self._lock:
            return self._seed

    @seed.setter
    def seed(self, value: int) -> None:
        with self._lock:
            self._seed = value
            self._random = random.Random(value)

    @property
    def retry_after(self) -> int:
        with self._lock:
            return self._retry_after

    @retry_after.setter
    def retry_after(self, value: int) -> None:
        with self._lock:
            self._retry_after = max(0, value)

    @property
    def rate_limit(self) -> int | None:
        with self._lock:
            return self._rate_limit

    @rate_limit.setter
    def rate_limit(self, value: int | None) -> None:
        with self._lock:
            self._rate_limit = value

    @property
    def timeout_seconds(self) -> float:
        """How long a `timeout` fault stalls before answering: set it above the client timeout."""
        with self._lock:
            return self._timeout_seconds

    @timeout_seconds.setter
    def timeout_seconds(self, value: float) -> None:
        with self._lock:
            self._timeout_seconds = max(0.0, value)

    def fail_next(self, n: int = 1, kind: FaultKind = "500", *, path: str | None = None) -> None:
        """Answer the next `n` API requests (whose path matches the regex `path`, if given)
        with `kind`. Scripts queue up and are used in order."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {', '.join(FAULT_KINDS)}")
        if n < 1:
            return
        pattern = re.compile(path) if path is not None else None
        with self._lock:
            self._scripted.append(_Scripted(kind, n, pattern))

    def burst_429(self, seconds: float, *, after_requests: int = 0) -> None:
        """Answer every API request with 429 (and `Retry-After: retry_after`) for `seconds`,
        from the request `after_requests` requests from now. Replaces a burst not yet over."""
        if seconds <= 0 or after_requests < 0:
            raise ValueError("a burst needs positive seconds and a non-negative request count")
        with self._lock:
            self._burst = _Burst(seconds, after_requests)

    def in_burst(self) -> bool:
        """True while a burst window is open (read-only: does not count a request)."""
        with self._lock:
            burst = self._burst
            return burst is not None and burst.ends is not None and time.monotonic() < burst.ends

    def clear(self) -> None:
        """Drop scripted faults and bursts, and switch off random faults and latency."""
        with self._lock:
            self._burst = None
            self._scripted.clear()
            self._fault_rate = 0.0
            self._latency_ms = 0.0

    def pending(self) -> int:
        """Scripted failures not yet used."""
        with self._lock:
            return sum(s.remaining for s in self._scripted)

    def draw(self, path: str) -> FaultKind | None:
        """The fault for this request, if any: a burst's 429 first, then a scripted fault."""
        with self._lock:
            if self._burst is not None and self._burst.counts():
                return "429"
            for script in self._scripted:
                if script.pattern is None or script.pattern.search(path):
                    script.remaining -= 1
                    if script.remaining <= 0:
                        self._scripted.remove(script)
                    return script.kind
            if self._fault_rate and self._random.random() < self._fault_rate:
                return self._random.choice(RANDOM_FAULTS)
        return None


@dataclass
class RequestStats:
    """What the server saw: totals by route kind and by status, list pages served by list path
    (`committee-meeting` across Congresses, `committee-meeting/119/house` for one), and the peak
    of requests being handled at once (how tests check a client's concurrency)."""

    total: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    list_pages: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    max_in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def begin(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def end(self, kind: str, status: int) -> None:
        with self._lock:
            self.in_flight -= 1
            self.total += 1
            self.by_kind[kind] += 1
            self.by_status[status] += 1

    def list_page_served(self, list_path: str) -> None:
        with self._lock:
            self.list_pages[list_path] += 1

    def reset(self) -> None:
        with self._lock:
            self.total = 0
            self.by_kind.clear()
            self.by_status.clear()
            self.list_pages.clear()
            self.max_in_flight = self.in_flight

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": self.total,
                "by_kind": dict(self.by_kind),
                "by_status": {str(k): v for k, v in self.by_status.items()},
                "list_pages": dict(self.list_pages),
                "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight,
            }


class HourlyWindow:
    """The requests counted against the key in the last hour."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamps: deque[float] = deque()

    def take(self, limit: int | None) -> tuple[bool, int]:
        """Record one request unless the limit is reached; returns (allowed, remaining)."""
        now = time.monotonic()
        budget = limit if limit is not None else REAL_HOURLY_LIMIT
        with self._lock:
            while self._stamps and self._stamps[0] <= now - 3600.0:
                self._stamps.popleft()
            if limit is not None and len(self._stamps) >= limit:
                return False, 0
            self._stamps.append(now)
            return True, max(0, budget - len(self._stamps))

    def reset(self) -> None:
        with self._lock:
            self._stamps.clear()
