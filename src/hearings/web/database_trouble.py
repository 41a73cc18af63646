"""When the database cannot answer: a PostgreSQL server down or restarting, a SQLite file gone,
unreadable or damaged, every connection of the pool in use. Such a failure is no bug of the app:
every route answers 503 with one sentence and Retry-After, and the log gets one line when the
outage begins and one when the database answers again, never a traceback per request."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from hearings.errors import NOT_UTF8_TEXT, error_text

log = logging.getLogger(__name__)

# The app answers again on the first request after the database does, without a restart, and a
# restore or a server restart takes seconds: promising "30 seconds" kept readers (and clients
# honouring Retry-After) away for most of that after it was over.
RETRY_AFTER_SECONDS = 5
UNAVAILABLE_MESSAGE = (
    "The database is not answering at the moment (it may be restarting or being restored); "
    "this site answers again as soon as it does, so please try again in a few seconds."
)

# SQLite's result codes (extended codes begin with these) that say the file cannot be used,
# whatever the statement: missing or not readable, damaged, not a database, busy, disk trouble.
_SQLITE_TROUBLE = (
    "SQLITE_CANTOPEN",
    "SQLITE_PERM",
    "SQLITE_IOERR",
    "SQLITE_CORRUPT",
    "SQLITE_NOTADB",
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_FULL",
)
_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def trouble(error: BaseException) -> str | None:
    """What is wrong with the database, in a clause for the operator's log, when `error` (or an
    error it was raised from) says the database cannot answer; None for anything else."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        cause = _direct_trouble(current)
        if cause is not None:
            return cause
        current = current.__cause__ or current.__context__
    return None


def _direct_trouble(error: BaseException) -> str | None:
    if isinstance(error, PoolTimeout):
        return "every connection to it is in use, and none came free in time"
    if not isinstance(error, DBAPIError):
        return None
    driver = error.orig
    lines = error_text(error).strip().splitlines()
    said = lines[0].rstrip(".") if lines else type(driver).__name__
    if isinstance(driver, sqlite3.Error):
        name = getattr(driver, "sqlite_errorname", "") or ""
        if said.startswith(NOT_UTF8_TEXT):  # Python's sqlite3 reading a damaged text value
            name = "SQLITE_CORRUPT"
        if not name.startswith(_SQLITE_TROUBLE):
            return None
        if name.startswith(_DAMAGED):
            return f"{said} (`hearings verify` checks it; `hearings backup restore` replaces it)"
        if name.startswith("SQLITE_CANTOPEN"):
            return f"{said} (it is missing, or this process may not read it)"
        return said
    # psycopg's OperationalError is "an error related to the database's operation": a refused
    # or lost connection, a server shutting down or starting up, too many connections.
    if isinstance(error, OperationalError) or error.connection_invalidated:
        return said
    return None


class Outage:
    """Whether the database is failing now, so that each outage is logged once, however many
    requests meet it, and its end is logged too."""

    def __init__(self, label: str, secret: str | None, clock: Callable[[], float]):
        self._label = label
        self._secret = secret or None
        self._clock = clock
        self._lock = threading.Lock()
        self._cause: str | None = None
        self._since = 0.0
        self._refused = 0

    def failed(self, cause: str, *, refused: bool = True) -> None:
        """The database failed (and a request `refused` for it); the first failure of an outage,
        or one with a new cause, logs."""
        if self._secret:
            cause = cause.replace(self._secret, "***")
        with self._lock:
            self._refused += refused
            if cause == self._cause:
                return
            if self._cause is None:
                self._since = self._clock()
            self._cause = cause
        log.warning(
            "The database %s is unavailable: %s. Requests get 503 until it answers again.",
            self._label,
            cause,
        )

    def answered(self) -> None:
        """A statement succeeded: an outage in progress is over."""
        if self._cause is None:  # the common case, without taking the lock
            return
        with self._lock:
            if self._cause is None:
                return
            lasted = self._clock() - self._since
            refused, self._cause, self._refused = self._refused, None, 0
        log.warning(
            "The database %s answers again after %.0f s; %d request%s got 503 meanwhile.",
            self._label,
            lasted,
            refused,
            "" if refused == 1 else "s",
        )


_OUTAGES: weakref.WeakKeyDictionary[Engine, Outage] = weakref.WeakKeyDictionary()
_OUTAGES_LOCK = threading.Lock()


def outage_of(engine: Engine, label: str) -> Outage:
    """The one outage tracker of `engine`, which every app over it shares: a successful
    statement on any of its connections ends an outage."""
    with _OUTAGES_LOCK:
        outage = _OUTAGES.get(engine)
        if outage is None:
            secret = engine.url.password or engine.url.query.get("password")
            outage = Outage(label, str(secret) if secret else None, time.monotonic)
            _OUTAGES[engine] = outage
            tracker = outage

            def statement_succeeded(*_args: object) -> None:
                tracker.answered()

            event.listen(engine, "after_cursor_execute", statement_succeeded)
        return outage
