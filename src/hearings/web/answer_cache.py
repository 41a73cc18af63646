"""A few cheap-but-frequent answers (the "data as of" banner, the filter choices, /api/stats)
kept for some seconds, and dropped at once when the database file is another one or was
written to: a page after `hearings update`, `backup restore` or `rebuild` shows what they did."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from hearings.errors import HearingsError
from hearings.store.engine import sqlite_file

T = TypeVar("T")

Generation = Callable[[], Hashable]


class TimedCache:
    """Answers kept for `seconds`, and for no longer than the database's `generation` stays
    the same (None: time alone)."""

    def __init__(
        self,
        seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        generation: Generation | None = None,
    ):
        self.seconds = seconds
        self.clock = clock
        self._generation = generation
        self._seen: Hashable = None
        self._values: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, compute: Callable[[], T]) -> T:
        now = self.clock()
        current = self._generation() if self._generation is not None else None
        with self._lock:
            if current != self._seen:
                self._values.clear()
                self._seen = current
            hit = self._values.get(key)
            if hit is not None and now - hit[0] < self.seconds:
                return hit[1]
        value = compute()
        with self._lock:
            if current == self._seen:  # not an answer of a file already replaced
                self._values[key] = (now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


def file_generation(database_url: str) -> Generation | None:
    """For a SQLite file: which file the path names and when it and its write-ahead log last
    changed (two `stat` calls a request). A restore or a rebuild swaps in another file; a run
    writes the log. PostgreSQL has no such cheap sign, so its answers are kept by time alone."""
    try:
        path = sqlite_file(database_url)
    except HearingsError:
        return None
    if path is None:
        return None
    wal = Path(f"{path}-wal")
    return lambda: (_identity(path), _identity(wal))


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)
