"""Work run beside the caller, in a forked process: the backup a rebuild takes while it builds
its shadow file, which changes nothing the backup reads until the swap that waits for it.

A process, not a thread: a rebuild forks its parsing workers after the backup has started, and a
fork while another thread is inside SQLite or holds a lock can leave the child stuck on it."""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from hearings.errors import HearingsError

T = TypeVar("T")


class Beside(Generic[T]):
    """The outcome of work running beside the caller, waited for with `result()`."""

    def __init__(self, work: Callable[[], T], stopped: str) -> None:
        self._stopped = stopped
        self._outcome: tuple[str, Any] | None = None
        if (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            # One core gains nothing by it, and without fork the work cannot share our state:
            # it is done here and now, as if nothing ran beside.
            self._process = None
            try:
                self._outcome = ("done", work())
            except HearingsError as exc:
                self._outcome = ("refused", exc)
            return
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_run, args=(work, sender, os.getpid()), name="beside", daemon=True
        )
        self._process.start()
        sender.close()  # ours closed, the pipe ends when the child's does: a death reads as EOF

    def result(self) -> T:
        """Wait for the work and give its result, or raise what it refused with."""
        if self._outcome is None and self._process is not None:
            try:
                self._outcome = self._receiver.recv()
            except EOFError:  # killed, or stopped by a signal, before it could answer
                self._outcome = ("refused", HearingsError(self._stopped))
            finally:
                self._receiver.close()
                self._process.join()
        assert self._outcome is not None
        kind, value = self._outcome
        if kind == "done":
            return value
        if kind == "refused":
            raise value
        raise RuntimeError(f"The work beside this process failed:\n{value}")

    def abandon(self) -> None:
        """Stop the work, the caller having failed first (its own error is the one to tell)."""
        if self._process is None or self._outcome is not None:
            return
        self._process.terminate()
        self._process.join(5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._receiver.close()
        self._outcome = ("refused", HearingsError(self._stopped))


@contextmanager
def running_beside(work: Callable[[], T], *, stopped: str) -> Iterator[Beside[T]]:
    """Start `work` beside the caller; `stopped` is the sentence for work that ends without an
    answer. Leaving the block waits for it, unless the block raised: then it is stopped."""
    beside = Beside(work, stopped)
    try:
        yield beside
    except BaseException:
        beside.abandon()
        raise
    beside.result()


def _run(work: Callable[[], Any], sender: Connection, parent: int) -> None:
    """(In the child) do the work and send its outcome; exit once the parent is gone."""
    # Every object the parent had is here too, its database connections among them: a collection
    # could finalize one, and SQLite must never close a connection its parent still uses.
    gc.disable()
    exit_with_parent(parent)
    outcome: tuple[str, Any]
    try:
        outcome = ("done", work())
    except HearingsError as exc:
        outcome = ("refused", exc)
    except KeyboardInterrupt:  # Ctrl-C reached the whole process group: the parent tells it
        return
    except BaseException:
        outcome = ("bug", traceback.format_exc())
    try:
        pickle.loads(pickle.dumps(outcome))  # what the parent could not read, it never gets
    except Exception:
        if outcome[0] == "refused":  # an error that does not pickle back: its sentence does
            error = HearingsError(str(outcome[1]))
            error.exit_code = getattr(outcome[1], "exit_code", 1)
            outcome = ("refused", error)
        else:
            outcome = ("bug", f"its result could not be sent back:\n{traceback.format_exc()}")
    sender.send(outcome)
    sender.close()


def exit_with_parent(parent: int) -> None:
    """Exit once `parent` is gone: a child outliving a `kill -9` of its parent would hold what
    the parent held (the writer lock's file among them)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
