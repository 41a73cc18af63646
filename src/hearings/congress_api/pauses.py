"""Waits that a stop cuts short.

A request thread may wait long: a 429's `Retry-After` (up to an hour), or the hourly budget's
window. When the run stops (Ctrl-C, SIGTERM, an error while records are being applied), the
fetch pool's shutdown, and then the interpreter's exit, join those threads: they must not wait
out their sleep first. `stop_waiting` wakes every such wait, which then raises `Stopping`."""

from __future__ import annotations

import threading

_STOP = threading.Event()


class Stopping(Exception):
    """Raised in a thread whose wait a stop cut short: the run is ending, nothing more to do."""


def pause(seconds: float) -> None:
    """Sleep `seconds`, unless the run stops first (then raise `Stopping`)."""
    if _STOP.wait(seconds):
        raise Stopping("the run is stopping")


def stop_waiting() -> None:
    """Wake every `pause`, and make new ones raise at once, until `allow_waiting`."""
    _STOP.set()


def allow_waiting() -> None:
    _STOP.clear()
