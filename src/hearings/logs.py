"""Logging: a daily log file under LOG_DIR and console output at LOG_LEVEL.

Tracebacks go to the file only; the console gets sentences. On a terminal the console output goes
through rich, so it prints above a live progress display on the same `SharedConsole` instead
of garbling it.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.logging import RichHandler

_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

#: `extra=` for a record meant for the log file alone: the console has said it in a sentence.
FILE_ONLY = {"file_only": True}


class SharedConsole(Console):
    """A console that log lines from several threads and a live display print to, one at a time.

    rich moves the cursor up over the live display under its own lock, but draws the new frame
    after releasing it. A log line printed while another thread redraws could therefore move up
    by the height of an older frame and leave a copy of the newer one in the scrollback. Every
    print holds `lock`, and the live display (`hearings.cli.progress_display`) takes it before
    rich's own lock, always in that order.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lock = threading.RLock()

    def print(self, *args: Any, **kwargs: Any) -> None:
        with self.lock:
            super().print(*args, **kwargs)


class _NoTracebacks(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text
        record.exc_info, record.exc_text = None, None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text = saved


def daily_log_path(log_dir: Path, now: datetime | None = None) -> Path:
    moment = now or datetime.now(UTC)
    return log_dir / f"daily_update_{moment:%Y%m%d}.log"


# Handlers taken off a logger, kept alive: freeing one runs logging's weakref callback, which
# takes logging's lock wherever the main thread then is. A Ctrl-C landing in that callback is
# swallowed (an unraisable error) and left the lock held, so the run's threads waited on it for
# good: a Ctrl-C as `hearings update` set up its log hung it. A handler is a few objects.
_retired_handlers: list[logging.Handler] = []


def configure_logging(
    log_dir: Path | None,
    level: str = "INFO",
    *,
    console: Console | None = None,
    quiet: bool = False,
) -> Path | None:
    """Set up the root `hearings` logger, writing sentences to `console` (stderr by default)
    unless `quiet`; returns the log file's path (None when it cannot be written, which never
    stops a run)."""
    logger = logging.getLogger("hearings")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
        _retired_handlers.append(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    path: Path | None = None
    file_handler: logging.Handler | None = None
    if log_dir is not None:
        try:
            log_dir.mkdir(parents=True, exist_ok=True)
            path = daily_log_path(log_dir)
            file_handler = logging.FileHandler(path, encoding="utf-8")
            file_handler.setLevel(min(logging.INFO, logging.getLevelName(level)))
            file_handler.setFormatter(logging.Formatter(_FORMAT))
            logger.addHandler(file_handler)
        except OSError:
            path = None
    if not quiet:
        logger.addHandler(console_handler(console or Console(stderr=True), level))
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    route_library_records(file_handler)
    return path


# The handler `route_library_records` put on the root logger, replaced at each call.
_library_handler: list[logging.Handler] = []


def route_library_records(file_handler: logging.Handler | None) -> None:
    """Send other libraries' warnings and errors to the log file (nowhere without one), never to
    the console. A record no handler takes goes to Python's last-resort handler on stderr,
    traceback and all: SQLAlchemy logs "Exception closing connection" with one when a Ctrl-C
    lands inside a connection's close, and that printed beside the command's one sentence."""
    root = logging.getLogger()
    for handler in _library_handler:
        root.removeHandler(handler)
    _retired_handlers.extend(_library_handler)
    _library_handler[:] = [file_handler or logging.NullHandler()]
    root.addHandler(_library_handler[0])


def console_handler(console: Console, level: str) -> logging.Handler:
    """Rich's handler on a terminal; elsewhere (a pipe, a cron mail) plain unwrapped lines."""
    handler: logging.Handler
    if console.is_terminal:
        handler = RichHandler(
            console=console,
            show_time=False,
            show_path=False,
            markup=False,
            rich_tracebacks=False,
        )
        handler.setFormatter(_NoTracebacks("%(message)s"))
    else:
        handler = logging.StreamHandler(console.file)
        handler.setFormatter(_NoTracebacks("%(levelname)s %(message)s"))
    handler.setLevel(logging.getLevelName(level))
    handler.addFilter(lambda record: not getattr(record, "file_only", False))
    return handler
