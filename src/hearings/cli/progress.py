"""The progress of an import or update: one line per stage on a terminal, plain lines elsewhere.

The sync pipeline reports `(stage, done, total)`; a stage closes when `done` reaches `total`,
and whatever is still open closes when the run ends.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.spinner import Spinner
from rich.table import Column, Table
from rich.text import Text

#: Seconds between two plain progress lines when stderr is not a terminal.
PLAIN_INTERVAL_SECONDS = 5.0

#: The stage that a request serves, by the first segment of its API path. Stages overlap (lists
#: are fetched in the background), so requests are counted where they go, not when.
STAGE_OF_ENDPOINT = {
    "committee": "committees",
    "member": "members",
    "committee-meeting": "meetings",
    "hearing": "printed hearings",
}


class RequestsByStage(httpx.BaseTransport):
    """An HTTP transport that counts each request by the stage it serves, then sends it on."""

    def __init__(self, concurrency: int) -> None:
        # The client's own limits, which httpx applies only to the transport it builds itself.
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self.inner = httpx.HTTPTransport(limits=limits)
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        segments = [part for part in request.url.path.split("/") if part]
        # Paths look like /v3/committee-meeting/119/house/12345: the segment after the version.
        endpoint = segments[1] if len(segments) > 1 else ""
        stage = STAGE_OF_ENDPOINT.get(endpoint)
        if stage is not None:
            with self._lock:
                self.counts[stage] = self.counts.get(stage, 0) + 1
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()

    def of(self, stage: str) -> int:
        with self._lock:
            return self.counts.get(stage, 0)


@dataclass
class Stage:
    """One stage of a run as reported so far (`requests` are the stage's own)."""

    name: str
    started: float
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


class StageProgress:
    """Keeps each stage's counts, time and requests; `LiveStages` and `PlainStages` show them."""

    def __init__(
        self,
        requests: Callable[[], int],
        stage_requests: Callable[[str], int],
        budget: int,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.requests = requests
        self.stage_requests = stage_requests
        self.budget = budget
        self.clock = clock
        self.stages: dict[str, Stage] = {}
        self.finished = False
        self._lock = threading.Lock()

    def __call__(self, name: str, done: int, total: int | None) -> None:
        """The pipeline's callback: `done` of `total` (None while unknown) in stage `name`."""
        now, requests = self.clock(), self.stage_requests(name)
        with self._lock:
            stage = self.stages.get(name)
            if stage is None:
                stage = self.stages[name] = Stage(name, started=now)
            was_closed = stage.closed
            stage.done, stage.total, stage.requests = done, total, requests
            finished = total is not None and done >= total
            if finished and not was_closed:
                stage.ended = now
            elif not finished:  # at work again (a second round, such as parent committees)
                stage.ended = None
        self.shown(stage, closed_now=stage.closed and not was_closed)

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
                stage.requests = self.stage_requests(stage.name)
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
        used = self.requests()
        return (
            f"{used:,} API request{'s' if used != 1 else ''} in all, "
            f"{used / self.budget:.0%} of the hourly budget of {self.budget:,}"
        )


def duration(seconds: float) -> str:
    """`0:07`, `12:30`, `1:02:03`."""
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def counts(stage: Stage) -> str:
    if stage.total is None:
        return f"{stage.done:,}/?"
    return f"{stage.done:,}/{stage.total:,}"


def requests_label(stage: Stage) -> str:
    return f"{stage.requests:,} request{'s' if stage.requests != 1 else ''}"


class LiveStages(StageProgress):
    """A live table on the terminal, one line per stage, that fits in 80 columns."""

    def __init__(
        self,
        console: Console,
        requests: Callable[[], int],
        stage_requests: Callable[[str], int],
        budget: int,
    ) -> None:
        super().__init__(requests, stage_requests, budget)
        self.console = console
        self.live = Live(
            console=console,
            get_renderable=self.render,
            refresh_per_second=8,
            transient=False,
        )

    def render(self) -> RenderableType:
        now = self.clock()
        table = Table.grid(
            Column(width=1, no_wrap=True),
            Column(min_width=16, no_wrap=True, overflow="ellipsis"),
            Column(justify="right", no_wrap=True),
            Column(ratio=1, min_width=8, no_wrap=True),
            Column(justify="right", no_wrap=True),
            Column(justify="right", no_wrap=True, min_width=8),
            padding=(0, 1),
            expand=True,
        )
        for stage in self.snapshot():
            table.add_row(
                self._mark(stage),
                stage.name,
                counts(stage),
                self._bar(stage),
                Text(requests_label(stage), style="dim"),
                self._time(stage, now),
            )
        footer = Text(self.budget_line(), style="dim", no_wrap=True, overflow="ellipsis")
        return Group(table, footer)

    @staticmethod
    def _bar(stage: Stage) -> ProgressBar:
        if stage.total == 0:  # nothing to do is all done
            return ProgressBar(total=1, completed=1)
        return ProgressBar(total=stage.total, completed=stage.done)  # no total: it pulses

    @staticmethod
    def _mark(stage: Stage) -> RenderableType:
        if stage.stopped:
            return Text("✗", style="bold red")
        if stage.closed:
            return Text("✓", style="bold green")
        return stage.spinner

    @staticmethod
    def _time(stage: Stage, now: float) -> Text:
        if stage.closed:
            return Text(duration(stage.elapsed(now)))
        left = stage.remaining(now)
        if left is None:
            return Text(duration(stage.elapsed(now)), style="dim")
        return Text(f"ETA {duration(left)}", style="cyan")

    def start(self) -> None:
        self.live.start()

    def stop(self) -> None:
        self.live.stop()


class PlainStages(StageProgress):
    """Plain lines for a log or a pipe: one every few seconds, and one as each stage closes."""

    def __init__(
        self,
        console: Console,
        requests: Callable[[], int],
        stage_requests: Callable[[str], int],
        budget: int,
        *,
        interval: float = PLAIN_INTERVAL_SECONDS,
    ) -> None:
        super().__init__(requests, stage_requests, budget)
        self.console = console
        self.interval = interval
        self.last_line = self.clock()

    def shown(self, stage: Stage, *, closed_now: bool) -> None:
        now = self.clock()
        if closed_now or (not stage.closed and now - self.last_line >= self.interval):
            self._print(stage, now)

    def _print(self, stage: Stage, now: float) -> None:
        self.last_line = now
        if stage.stopped:
            state = f"stopped at {counts(stage)}"
        elif stage.closed:
            state = f"{counts(stage)} done in {duration(stage.elapsed(now))}"
        else:
            left = stage.remaining(now)
            state = counts(stage) + (f", ETA {duration(left)}" if left is not None else "")
        self.console.print(
            f"{stage.name}: {state}, {requests_label(stage)}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )

    def start(self) -> None:
        return None

    def stop(self) -> None:
        if self.stages:
            self.console.print(self.budget_line(), markup=False, highlight=False, soft_wrap=True)


@contextmanager
def stage_progress(
    console: Console,
    requests: Callable[[], int],
    stage_requests: Callable[[str], int],
    budget: int,
) -> Iterator[StageProgress]:
    """Show a run's progress on `console`: live when it is a terminal, plain lines otherwise.
    Call `finish(completed=...)` with the run's outcome; an exception marks open stages stopped."""
    display: LiveStages | PlainStages = (
        LiveStages(console, requests, stage_requests, budget)
        if console.is_terminal
        else PlainStages(console, requests, stage_requests, budget)
    )
    display.start()
    try:
        yield display
    except BaseException:
        display.finish(completed=False)
        raise
    finally:
        display.finish(completed=True)
        display.stop()
