"""The progress display of an import or update: a live table on a terminal, one line per stage
that fits in 80 columns; plain lines every few seconds anywhere else (a pipe, a log, cron).

Log lines must go through the same `SharedConsole` (see `hearings.logs`), so they print above
the live table instead of being overdrawn by it, one at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.spinner import Spinner
from rich.table import Column, Table
from rich.text import Text

from hearings.cli.progress import RequestsByStage, Stage, StageProgress, duration
from hearings.logs import SharedConsole

#: Seconds between two plain progress lines when stderr is not a terminal.
PLAIN_INTERVAL_SECONDS = 5.0
#: Redraws of the live table per second (its spinners turn at this pace).
LIVE_REFRESH_PER_SECOND = 8


class LiveStages(StageProgress):
    """A live table on the terminal: mark, stage, counts, bar, requests, time (ETA or taken)."""

    def __init__(self, console: SharedConsole, requests: RequestsByStage, budget: int) -> None:
        super().__init__(requests, budget)
        self.console = console
        self.working = Spinner("dots", style="cyan")
        # Our own redraw thread rather than rich's, which takes rich's lock before the console's.
        self.live = Live(
            console=console, get_renderable=self.render, auto_refresh=False, transient=False
        )
        self._stopping = threading.Event()
        self._redraws = threading.Thread(target=self._redraw, name="progress-table", daemon=True)

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
        stages = self.snapshot()
        for stage in stages:
            table.add_row(
                _mark(stage),
                stage.name,
                stage.counts(),
                _bar(stage),
                Text(stage.requests_label(), style="dim"),
                _time(stage, now),
            )
        footer = Text(self.budget_line(), style="dim", no_wrap=True, overflow="ellipsis")
        if not self.finished and all(stage.closed for stage in stages):
            # Between stages (lists being fetched): show that the run is alive.
            self.working.update(text=footer)
            return Group(table, self.working)
        return Group(table, footer)

    def _redraw(self) -> None:
        while not self._stopping.wait(1 / LIVE_REFRESH_PER_SECOND):
            with self.console.lock:
                self.live.refresh()

    def start(self) -> None:
        with self.console.lock:
            self.live.start(refresh=True)
        self._redraws.start()

    def stop(self) -> None:
        self._stopping.set()
        self._redraws.join()
        with self.console.lock:
            self.live.stop()


def _bar(stage: Stage) -> ProgressBar:
    if stage.total == 0:  # nothing to do is all done
        return ProgressBar(total=1, completed=1)
    return ProgressBar(total=stage.total, completed=stage.done)  # no total: it pulses


def _mark(stage: Stage) -> RenderableType:
    if stage.stopped:
        return Text("✗", style="bold red")
    if stage.closed:
        return Text("✓", style="bold green")
    return stage.spinner


def _time(stage: Stage, now: float) -> Text:
    if stage.closed:
        return Text(duration(stage.elapsed(now)))
    left = stage.remaining(now)
    if left is None:
        return Text(duration(stage.elapsed(now)), style="dim")
    return Text(f"ETA {duration(left)}", style="cyan")


class PlainStages(StageProgress):
    """Plain lines: one as each stage closes, and one every `interval` seconds in between."""

    def __init__(
        self,
        console: Console,
        requests: RequestsByStage,
        budget: int,
        *,
        interval: float = PLAIN_INTERVAL_SECONDS,
    ) -> None:
        super().__init__(requests, budget)
        self.console = console
        self.interval = interval
        self._stopping = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="progress-lines", daemon=True)

    def shown(self, stage: Stage, *, closed_now: bool) -> None:
        if closed_now:
            self._print(_plain_line(stage, self.clock()))

    def _tick(self) -> None:
        while not self._stopping.wait(self.interval):
            now = self.clock()
            working = [stage for stage in self.snapshot() if not stage.closed]
            for stage in working:
                self._print(_plain_line(stage, now))
            if not working or self.limiter is not None:
                self._print(self.budget_line())

    def _print(self, line: str) -> None:
        self.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def start(self) -> None:
        self._ticker.start()

    def stop(self) -> None:
        self._stopping.set()
        self._ticker.join()
        if self.stages:
            self._print(self.budget_line())


def _plain_line(stage: Stage, now: float) -> str:
    if stage.stopped:
        state = f"stopped at {stage.counts()}"
    elif stage.closed:
        state = f"{stage.counts()} done in {duration(stage.elapsed(now))}"
    else:
        left = stage.remaining(now)
        state = stage.counts() + (f", ETA {duration(left)}" if left is not None else "")
    return f"{stage.name}: {state}, {stage.requests_label()}"


@contextmanager
def stage_progress(
    console: SharedConsole, requests: RequestsByStage, budget: int
) -> Iterator[StageProgress]:
    """Show a run's progress on `console`: live when it is a terminal, plain lines otherwise.
    Call `finish(completed=...)` with the run's outcome; an exception marks open stages stopped."""
    display: LiveStages | PlainStages = (
        LiveStages(console, requests, budget)
        if console.is_terminal
        else PlainStages(console, requests, budget)
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
