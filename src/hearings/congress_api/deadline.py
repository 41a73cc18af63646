"""Every network read of an attempt ends by the attempt's deadline, response headers included.

httpx bounds each read, never the whole (encode/httpx#1450; httpcore has no total timeout
either), and it reads the response headers before a caller sees a byte of them: a server
sending its headers a byte at a time, each within the read timeout, held a fetch for hours. So
every read an httpcore connection makes is given no more than the time left before the deadline
of the thread's attempt. The hook is httpx's `trace` request extension, called with each network
stream as a connection opens it (TCP, then TLS), so it holds for whichever httpcore transport
sends the request: the client's own, a proxy's, or the one the progress display wraps.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpcore

# The deadline of the attempt the current thread is making: a pooled connection is read by
# whichever thread's attempt uses it next, so the deadline belongs to the thread, not the stream.
_attempt = threading.local()

# Trace events whose `return_value` is the network stream a connection will read from.
_STREAM_OPENED = (".connect_tcp.complete", ".start_tls.complete", ".connect_unix_socket.complete")


@contextmanager
def reads_until(deadline: float, clock: Callable[[], float] = time.monotonic) -> Iterator[None]:
    """Within this block, no read of this thread's connections outlasts `deadline` (by `clock`)."""
    _attempt.deadline, _attempt.clock = deadline, clock
    try:
        yield
    finally:
        _attempt.deadline = None


def bound_stream_reads(event: str, info: Mapping[str, Any]) -> None:
    """httpx's `trace` hook: the stream a connection has just opened reads within the deadline."""
    stream = info.get("return_value")
    if event.endswith(_STREAM_OPENED) and isinstance(stream, httpcore.NetworkStream):
        read = stream.read

        def read_by_deadline(max_bytes: int, timeout: float | None = None) -> bytes:
            return read(max_bytes, _time_left(timeout))

        # httpcore has no other seam for it (httpx builds its pool without a `network_backend`).
        setattr(stream, "read", read_by_deadline)  # noqa: B010 (mypy refuses assigning a method)


def _time_left(timeout: float | None) -> float | None:
    """The read's own timeout, cut to what is left of the attempt's; past it, a read timeout."""
    deadline: float | None = getattr(_attempt, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - _attempt.clock()
    if left <= 0:
        raise httpcore.ReadTimeout("the attempt's deadline has passed")
    return left if timeout is None else min(timeout, left)
