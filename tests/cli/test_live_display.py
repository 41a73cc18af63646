"""The live progress table while log lines print from several threads: the frames rich redraws
and the log lines it prints above them must take turns, or a log line moves the cursor up by the
height of an older frame and strands a copy of the table in the scrollback.

The output goes through a terminal emulator (pyte), which shows what a person would see."""

from __future__ import annotations

import io
import logging
import re
import threading
import time

import pyte
import pytest

from hearings.cli import progress_display
from hearings.cli.progress import RequestsByStage
from hearings.cli.progress_display import LiveStages
from hearings.congress_api.limiter import Limiter
from hearings.logs import SharedConsole, console_handler

COLUMNS, ROWS = 80, 24
SPINNER = re.compile("[\u2800-\u28ff]")
THREADS, LINES_EACH = 4, 100


class ThreeSecondsLeft:
    """An outlook whose "about 0:03 to go" makes the footer too long for one line: it wraps
    under the spinner shown between stages, and is cut short beside an open stage."""

    congress = None

    def seconds_left(self) -> float:
        return 3.0


def terminal_lines(output: str) -> list[str]:
    screen = pyte.HistoryScreen(COLUMNS, ROWS, history=10_000)
    pyte.Stream(screen).feed(output.replace("\n", "\r\n"))
    scrolled = ["".join(line[x].data for x in range(COLUMNS)) for line in screen.history.top]
    return [line.rstrip() for line in scrolled + list(screen.display)]


def test_log_lines_from_many_threads_never_strand_a_frame_of_the_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Redraw as fast as the machine allows, so redraws and log lines overlap as often as can be.
    monkeypatch.setattr(progress_display, "LIVE_REFRESH_PER_SECOND", 1_000)
    out = io.StringIO()
    console = SharedConsole(
        file=out, force_terminal=True, width=COLUMNS, height=ROWS, color_system=None
    )
    logger = logging.getLogger("hearings.test_live_display")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(console_handler(console, "INFO"))
    display = LiveStages(console, RequestsByStage(1), 5000)
    display.follow(Limiter(), ThreeSecondsLeft())
    display.start()

    def log_lines(thread: int) -> None:
        for line in range(LINES_EACH):
            logger.info("thread %d line %d", thread, line)

    writers = [threading.Thread(target=log_lines, args=(n,)) for n in range(THREADS)]
    for writer in writers:
        writer.start()
    # Meanwhile a stage opens and closes, so the table is two lines high, then three, and so on.
    while any(writer.is_alive() for writer in writers):
        display("meetings", 5, 10)
        time.sleep(0.0005)
        display("meetings", 10, 10)
        time.sleep(0.0005)
    for writer in writers:
        writer.join()
    display.finish(completed=True)
    display.stop()

    lines = terminal_lines(out.getvalue())
    text = "\n".join(lines)
    for thread in range(THREADS):
        for line in range(LINES_EACH):
            found = [x for x in lines if re.search(rf"INFO +thread {thread} line {line}$", x)]
            assert len(found) == 1, text
    rows = [x for x in lines if re.match(r"^\S? ?meetings +[\d/]+", x)]
    assert len(rows) == 1, text
    assert rows[0].startswith("✓ meetings") and "10/10" in rows[0], text
    assert not SPINNER.search(text), text
    assert lines[-1 if lines[-1] else -2].startswith("0 API requests in all"), text
