"""Failures on purpose. Named crash points for the crash-safety tests: with
`HEARINGS_FAILPOINT=name[:n]` set, the process kills itself with SIGKILL the n-th time (default
1st) it reaches that point, exactly as an operator's `kill -9` would. `name:n:INT` sends SIGINT to
its process group instead, as Ctrl-C at a terminal does (run it in a session of its own), and
`name:n:TERM` sends SIGTERM to the process alone, as `kill` does. Unset, a failpoint costs one
dictionary lookup. And `FailureInjector`, which makes a share of records fail to apply."""

from __future__ import annotations

import hashlib
import os
import signal
import threading
from collections import Counter
from dataclasses import dataclass

_hits: Counter[str] = Counter()
_lock = threading.Lock()


def failpoint(name: str) -> None:
    wanted = os.environ.get("HEARINGS_FAILPOINT")
    if not wanted:
        return
    target, _, rest = wanted.partition(":")
    if target != name:
        return
    nth, _, how = rest.partition(":")
    with _lock:
        _hits[name] += 1
        reached = _hits[name]
    if reached != int(nth or 1):
        return
    if how == "INT":
        os.killpg(os.getpgrp(), signal.SIGINT)
    elif how == "TERM":
        os.kill(os.getpid(), signal.SIGTERM)
    else:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class FailureInjector:
    """Chooses a reproducible share of records whose apply step raises, for trial runs."""

    rate: float = 0.0
    seed: int = 0

    def should_fail(self, event_id: str) -> bool:
        if self.rate <= 0:
            return False
        digest = hashlib.sha256(f"{self.seed}:{event_id}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64 < self.rate
