"""Named crash points for the crash-safety tests: with `HEARINGS_FAILPOINT=name[:n]` set, the
process kills itself with SIGKILL the n-th time (default 1st) it reaches that point, exactly as an
operator's `kill -9` would. Unset, a failpoint costs one dictionary lookup."""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter

_hits: Counter[str] = Counter()
_lock = threading.Lock()


def failpoint(name: str) -> None:
    wanted = os.environ.get("HEARINGS_FAILPOINT")
    if not wanted:
        return
    target, _, nth = wanted.partition(":")
    if target != name:
        return
    with _lock:
        _hits[name] += 1
        reached = _hits[name]
    if reached == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
