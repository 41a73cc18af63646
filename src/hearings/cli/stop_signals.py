"""SIGTERM (systemd stopping the service or ending it at its start timeout, a plain `kill`) stops
a command as Ctrl-C does: the command unwinds (an open transaction rolls back, the writer lock is
released), one sentence says what is kept, and then the process dies by SIGTERM, so whoever sent
it sees the signal it sent. Python's default was to die at once, without a word."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import NoReturn

# How the sentence a SIGTERM stop prints begins (the command says what it leaves).
STOPPED = "Stopped by SIGTERM"

_received: list[int] = []


class Terminated(KeyboardInterrupt):
    """Raised in the main thread on SIGTERM. A KeyboardInterrupt, so whatever undoes a Ctrl-C
    (typer's exit code 130, the pools' shutdown, the lock's release) undoes it too."""


@contextmanager
def sigterm_stops_like_ctrl_c() -> Iterator[None]:
    """While the command runs, SIGTERM raises `Terminated`; the previous handler comes back
    after it (the tests run commands inside their own process)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers, and only it receives them
        return
    _received.clear()
    previous: Callable[[int, FrameType | None], object] | int | None = signal.signal(
        signal.SIGTERM, _terminate
    )
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def terminated() -> bool:
    """A SIGTERM stopped the command."""
    return bool(_received)


def die_by_sigterm() -> NoReturn:
    """End the process by the signal it received, after the sentence has been written."""
    sys.stdout.flush()
    sys.stderr.flush()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)
    # The default action ends the process before this line; were it blocked, exit as a shell would.
    os._exit(128 + signal.SIGTERM)


def resend_swallowed_stop() -> None:
    """A stop that landed in a finalizer or a weakref callback, where Python swallows it: the
    command ran on as if it had not come. Sent again to the main thread a moment later, once
    the finalizer is over (another that swallows it sends it again). A SIGTERM's is recorded
    already, so the sentence still names it."""
    main = threading.main_thread().ident
    if main is None or sys.is_finalizing():
        return
    resend = threading.Timer(_RESEND_AFTER_SECONDS, signal.pthread_kill, (main, signal.SIGINT))
    resend.daemon = True
    resend.start()


# Long enough for the main thread to leave the finalizer, short to whoever pressed Ctrl-C.
_RESEND_AFTER_SECONDS = 0.05


def _terminate(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    # A second SIGTERM while the command unwinds ends it at once, as a kill would.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    raise Terminated
