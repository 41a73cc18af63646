"""The plain progress lines printed when stderr is not a terminal: a line as each stage closes,
a line every few seconds while one works, and every stage closed when the run ends."""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from rich.console import Console

from hearings.cli.progress import RequestsByStage
from hearings.cli.progress_display import PlainStages


def plain(interval: float = 60.0) -> tuple[PlainStages, io.StringIO]:
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=80)
    return PlainStages(console, RequestsByStage(1), 5000, interval=interval), out


def wait_for_lines(out: io.StringIO, enough: Callable[[list[str]], bool]) -> None:
    """Until the ticker has printed `enough`: a fixed sleep missed its lines on a loaded machine."""
    deadline = time.monotonic() + 60
    while not enough(out.getvalue().splitlines()):
        assert time.monotonic() < deadline, out.getvalue()
        time.sleep(0.01)


def test_a_line_every_interval_while_a_stage_works_and_one_when_it_closes() -> None:
    display, out = plain(interval=0.05)
    # The stage's clock is the test's: "done in 0:00" held only while the main thread woke from
    # its sleep within 0.1 s, and a loaded machine made it 0:01.
    now = [100.0]
    display.clock = lambda: now[0]
    display.start()
    display("meetings", 3, 1200)
    now[0] += 0.4
    wait_for_lines(out, lambda lines: sum(x.startswith("meetings: 3/1,200") for x in lines) >= 2)
    # One more tick, then none until stop(): a tick between the closing line and stop() would
    # print a budget line between them.
    display.interval = 3600
    ticks = sum(x.startswith("meetings: 3/1,200") for x in out.getvalue().splitlines())
    wait_for_lines(out, lambda lines: sum(x.startswith("meetings: 3/1,200") for x in lines) > ticks)
    display("meetings", 1200, 1200)
    display.finish(completed=True)
    display.stop()
    lines = out.getvalue().splitlines()
    assert len([line for line in lines if line.startswith("meetings: 3/1,200")]) >= 2, lines
    assert lines[-2].startswith("meetings: 1,200/1,200 done in 0:00, 0 requests"), lines
    assert lines[-1] == "0 API requests in all, 0% of the hourly budget of 5,000"


def test_a_completed_run_closes_stages_that_never_reached_a_total() -> None:
    display, out = plain()
    display.start()
    display("members", 538, None)
    display.finish(completed=True)
    display.stop()
    assert out.getvalue().splitlines()[0].startswith("members: 538/538 done in")


def test_a_failed_run_says_where_each_open_stage_stopped() -> None:
    display, out = plain()
    display.start()
    display("committees", 214, 214)
    display("meetings", 40, 150)
    display.finish(completed=False)
    display.stop()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("committees: 214/214 done in")
    assert lines[1] == "meetings: stopped at 40/150, 0 requests"


def test_a_stage_reported_again_after_closing_works_again_then_closes_once_more() -> None:
    display, out = plain()
    display.start()
    display("committees", 214, 214)
    display("committees", 1, 2)  # a second round: parent committees
    assert not display.stages["committees"].closed
    display("committees", 2, 2)
    display("committees", 2, 2)  # the stage's promised last report repeats the closing one
    display.finish(completed=True)
    display.stop()
    closing = [line for line in out.getvalue().splitlines() if line.startswith("committees")]
    assert [line.split(" done")[0] for line in closing] == [
        "committees: 214/214",
        "committees: 2/2",
    ]
