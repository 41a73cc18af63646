"""What an import's progress says beyond its stages: the Congress each stage belongs to, the
requests of the rolling window against the limit, and the time left with the waits for the
window included (plain lines, as cron and logs see them)."""

from __future__ import annotations

import io
import time

import pytest
from rich.console import Console

from hearings.cli.progress import RequestsByStage
from hearings.cli.progress_display import PlainStages
from hearings.congress_api.budget import BudgetSpent, RequestBudget
from hearings.congress_api.limiter import Limiter


class ImportAt:
    """Where an import is: the part of `RunOutlook` the display reads."""

    def __init__(self, congress: int | None, seconds_left: float | None) -> None:
        self.congress = congress
        self.left = seconds_left

    def seconds_left(self) -> float | None:
        return self.left


def plain(interval: float = 60.0) -> tuple[PlainStages, io.StringIO]:
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=80)
    return PlainStages(console, RequestsByStage(1), 5000, interval=interval), out


def test_lines_name_the_congress_the_window_and_the_time_left_with_waits() -> None:
    limiter = Limiter(100, 2)
    for _ in range(7):
        with limiter.slot():
            pass
    display, out = plain(interval=0.05)
    display.follow(limiter, ImportAt(118, 3725))
    display.start()
    display("meetings", 3, 10)
    working = "0 API requests so far, 7% of the hourly budget of 100 (7 in the last hour), "
    working += "about 1:02:05 to go (waits for the window included)"
    # Until the ticker has printed both (a fixed 0.3 s sleep could miss them on a loaded machine).
    deadline = time.monotonic() + 60
    while not (
        any(line.startswith("118 meetings: 3/10") for line in out.getvalue().splitlines())
        and working in out.getvalue().splitlines()
    ):
        assert time.monotonic() < deadline, out.getvalue()
        time.sleep(0.01)
    display("meetings", 10, 10)
    display.finish(completed=True)
    display.stop()
    lines = out.getvalue().splitlines()
    assert any(line.startswith("118 meetings: 3/10") for line in lines), lines
    assert working in lines, lines
    assert lines[-1] == "0 API requests in all, 7% of the hourly budget of 100 (7 in the last hour)"


def test_each_congress_has_its_own_stages() -> None:
    display, out = plain()
    at = ImportAt(118, None)
    display.follow(Limiter(5000, 1), at)
    display.start()
    display("meetings", 10, 10)
    at.congress = 119
    display("meetings", 40, 150)
    display("meetings", 150, 150)
    display.finish(completed=True)
    display.stop()
    closing = [line.split(" done")[0] for line in out.getvalue().splitlines() if " done " in line]
    assert closing == ["118 meetings: 10/10", "119 meetings: 150/150"]


def test_a_stage_the_request_budget_cut_short_says_where_it_stopped() -> None:
    limiter = Limiter(5000, 1, budget=RequestBudget(1))
    with limiter.slot():
        pass
    with pytest.raises(BudgetSpent):
        limiter.acquire()  # --max-requests is used up: the stages close at their totals
    display, out = plain()
    display.follow(limiter, ImportAt(None, None))
    display.start()
    display("meetings", 40, 150)
    display("meetings", 150, 150)
    display("printed hearings", 11, 11)  # not one of its records was fetched
    display("members", 500, 538)
    display("members", 538, 538)  # members come whole in their list: all stored
    display.finish(completed=False)
    display.stop()
    lines = out.getvalue().splitlines()
    assert "meetings: stopped at 40/150, 0 requests" in lines, lines
    assert "printed hearings: stopped at 0/11, 0 requests" in lines, lines
    assert any(line.startswith("members: 538/538 done in") for line in lines), lines
