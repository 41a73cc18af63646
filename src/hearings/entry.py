"""The `hearings` command's entry point, kept light. Loading the command's modules takes about a
third of a second; Ctrl-C or SIGTERM then raised in the middle of an import, and Python printed
its traceback. Here a stop while loading is one sentence, and nothing has been touched yet."""

from __future__ import annotations

import atexit
import os
import signal
import sys
from types import FrameType


class _StopWhileLoading(BaseException):
    """SIGTERM while the modules load (Ctrl-C is Python's KeyboardInterrupt already)."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise _StopWhileLoading


def _deaf_to_late_stops() -> None:
    """(At exit, after every other exit hook) the command has ended and said how: Ctrl-C or
    SIGTERM in the half second or more Python then takes to tear down its modules killed it
    without a word, and a command that had finished ended by the signal instead of its code."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _forget_caught_interrupts() -> None:
    """A Ctrl-C that lands while Python evaluates a string (namedtuple and dataclass build their
    methods so, as modules load) marks it unhandled for good, though the command caught it, and
    Python then ended the process by SIGINT after the sentence (-2, not 130; or after a command
    that finished). Python clears the mark each time it evaluates a string."""
    eval("None")


def main() -> None:
    # Registered first, so it runs last: hooks that wait (for worker processes) can still be
    # stopped.
    atexit.register(_deaf_to_late_stops)
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        from hearings.cli import main as run_command
    except (KeyboardInterrupt, _StopWhileLoading) as stop:
        by_sigterm = isinstance(stop, _StopWhileLoading)
        how = "Stopped by SIGTERM" if by_sigterm else "Interrupted"
        sys.stderr.write(f"{how} before the command started; nothing was changed.\n")
        sys.stderr.flush()
        if by_sigterm:  # end by the signal sent, as a command stopped later does
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
        _forget_caught_interrupts()
        sys.exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous)
    try:
        run_command()
    finally:
        # The command has ended and said how. Python then joins its threads and runs the exit
        # hooks, where SIGTERM had its default action back: a command that had finished died
        # by it without a word. (Ctrl-C there is harmless, and still stops a hook that hangs.)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _forget_caught_interrupts()
