"""What an import or update has done so far, stage by stage, for the progress display.

The sync pipeline reports `(stage, done, total)`; a stage closes when `done` reaches `total`,
and whatever is still open closes when the run ends. Requests are counted per stage by the API
endpoint they go to, because stages overlap: lists are fetched in the background. An import says
which Congress it is at, the requests of the rolling hour and the time left, waits for the hourly
window included (its `RunOutlook`, `sync.backfill.Backfill`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import httpx
from rich.spinner import Spinner

from hearings.congress_api.limiter import Limiter
from hearings.congress_api.tls import tls_context

#: The stage that a request serves, by the first segment of its API path.
STAGE_OF_ENDPOINT = {
    "committee": "committees",
    "member": "members",
    "committee-meeting": "meetings",
    "hearing": "printed hearings",
}


#: The stages that fetch a record per item (members come whole in their list).
FETCHING = frozenset({"committees", "meetings", "printed hearings"})


class RequestsByStage(httpx.BaseTransport):
    """An HTTP transport that counts each request by the stage it serves, then sends it on."""

    def __init__(self, concurrency: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        # The client's own limits, which httpx applies only to the transport it builds itself.
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self.inner = httpx.HTTPTransport(verify=tls_context(), limits=limits)
        self.clock = clock
        self.total = 0
        self._counts: dict[str, int] = {}
        self._first_at: dict[str, float] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        segments = [part for part in request.url.path.split("/") if part]
        # Paths look like /v3/committee-meeting/119/house/12345: the segment after the version.
        stage = STAGE_OF_ENDPOINT.get(segments[1] if len(segments) > 1 else "")
        with self._lock:
            self.total += 1
            if stage is not None:
                self._counts[stage] = self._counts.get(stage, 0) + 1
                self._first_at.setdefault(stage, self.clock())
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()

    def of(self, stage: str) -> int:
        with self._lock:
            return self._counts.get(stage, 0)

    def first_at(self, stage: str) -> float | None:
        """When the stage's first request went out (its list, perhaps fetched in the background)."""
        with self._lock:
            return self._first_at.get(stage)


class RunOutlook(Protocol):
    """What a run knows about itself beyond its stages: the Congress it is at, and the time the
    rest takes, waits for the hourly window included."""

    @property
    def congress(self) -> int | None: ...

    def seconds_left(self) -> float | None: ...


@dataclass
class Stage:
    """One stage of a run as reported so far (`requests` are the stage's own). `name` is what is
    shown ("119 meetings" when a Congress is known), `kind` the pipeline's stage name."""

    name: str
    started: float
    kind: str = ""
    requests_before: int = 0
    done: int = 0
    total: int | None = None
    requests: int = 0
    ended: float | None = None
    stopped: bool = False
    spinner: Spinner = field(default_factory=lambda: Spinner("dots", style="cyan"))

    @property
    def closed(self) -> bool:
        return self.ended is not None

    def elapsed(self, now: float) -> float:
        return (self.ended if self.ended is not None else now) - self.started

    def remaining(self, now: float) -> float | None:
        """Seconds left at the stage's average pace so far; None until there is a pace."""
        elapsed = self.elapsed(now)
        if self.total is None or self.done <= 0 or elapsed <= 0:
            return None
        return max(self.total - self.done, 0) * elapsed / self.done

    def counts(self) -> str:
        return f"{self.done:,}/{'?' if self.total is None else f'{self.total:,}'}"

    def requests_label(self) -> str:
        return f"{self.requests:,} request{'s' if self.requests != 1 else ''}"


class StageProgress:
    """Keeps each stage's counts, time and requests; the displays in `progress_display` show
    them. Called from the pipeline's thread and read from the display's."""

    def __init__(
        self,
        requests: RequestsByStage,
        budget: int,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.requests = requests
        self.budget = budget
        self.clock = clock
        self.stages: dict[str, Stage] = {}
        self.finished = False
        self.limiter: Limiter | None = None
        self.outlook: RunOutlook | None = None
        self._lock = threading.Lock()

    def follow(self, limiter: Limiter, outlook: RunOutlook | None = None) -> None:
        """Show the requests of the rolling window (and, with an outlook, the Congress and the
        time left) as the run goes."""
        self.limiter, self.outlook = limiter, outlook

    def __call__(self, name: str, done: int, total: int | None) -> None:
        """The pipeline's callback: `done` of `total` (None while unknown) in stage `name`."""
        now, requests = self.clock(), self.requests.of(name)
        congress = self.outlook.congress if self.outlook is not None else None
        label = name if congress is None else f"{congress} {name}"
        with self._lock:
            stage = self.stages.get(label)
            if stage is None:
                first_request = self.requests.first_at(name)
                earlier = [s for s in self.stages.values() if s.kind == name]
                fresh = congress is None or not earlier
                started = now if first_request is None or not fresh else min(now, first_request)
                # A later Congress's stage counts from where the earlier one's count last was,
                # not from its own first report: its records (committees) may have been fetched
                # in the background before then.
                before = 0 if fresh else max(s.requests_before + s.requests for s in earlier)
                stage = self.stages[label] = Stage(label, started, name, before)
            was_closed = stage.closed
            finished = total is not None and done >= total
            if finished and not was_closed and self._cut_short(name, stage.done, done):
                # A fetching stage closes at its total even when the request budget ran out
                # before its records were fetched: it stopped where its count last was.
                stage.stopped, stage.ended, stage.total = True, now, total
                stage.requests = requests - stage.requests_before
                self.shown(stage, closed_now=True)
                return
            stage.done, stage.total = done, total
            stage.requests = requests - stage.requests_before
            if finished and not was_closed:
                stage.ended = now
            elif not finished:  # at work again (a second round, such as parent committees)
                stage.ended = None
        self.shown(stage, closed_now=stage.closed and not was_closed)

    def _cut_short(self, name: str, before: int, done: int) -> bool:
        budget = self.limiter.budget if self.limiter is not None else None
        return budget is not None and budget.refused and name in FETCHING and done > before + 1

    def finish(self, *, completed: bool) -> None:
        """Close what is still open: a completed run's stages are done at their count; a failed
        run's stages are marked stopped."""
        if self.finished:
            return
        now = self.clock()
        with self._lock:
            self.finished = True
            still_open = [stage for stage in self.stages.values() if not stage.closed]
            for stage in still_open:
                stage.ended = now
                stage.requests = self.requests.of(stage.kind or stage.name) - stage.requests_before
                if completed:
                    stage.total = stage.done
                else:
                    stage.stopped = True
        for stage in still_open:
            self.shown(stage, closed_now=True)

    def shown(self, stage: Stage, *, closed_now: bool) -> None:
        """Called after each report; the plain display prints from here."""

    def snapshot(self) -> list[Stage]:
        with self._lock:
            return list(self.stages.values())

    def budget_line(self) -> str:
        used = self.requests.total
        line = (
            f"{used:,} API request{'s' if used != 1 else ''} "
            f"{'in all' if self.finished else 'so far'}, "
        )
        if self.limiter is None:
            return line + f"{used / self.budget:.0%} of the hourly budget of {self.budget:,}"
        in_window, rate = self.limiter.used_in_window(), self.limiter.rate_limit_per_hour
        if self.limiter.window == 3600:
            line += f"{in_window / rate:.0%} of the hourly budget of {rate:,} "
            line += f"({in_window:,} in the last hour)"
        else:  # a window scaled down for a rehearsal (API_RATE_WINDOW_SECONDS)
            window = f"{self.limiter.window:g} s"
            line += f"{in_window / rate:.0%} of the budget of {rate:,} per {window} "
            line += f"({in_window:,} in the last {window})"
        left = self.outlook.seconds_left() if self.outlook is not None else None
        if left is not None and not self.finished:
            line += f", about {duration(left)} to go (waits for the window included)"
        return line


def duration(seconds: float) -> str:
    """`0:07`, `12:30`, `1:02:03`."""
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"
