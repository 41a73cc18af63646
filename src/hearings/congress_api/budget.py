"""A budget of requests for one run (`hearings import --max-requests N`): the client takes one
unit before every HTTP attempt, retries included, and the attempt that would exceed the budget
raises `BudgetSpent` instead of going out, so the API never sees more than N requests."""

from __future__ import annotations

import threading

from hearings.errors import HearingsError


class BudgetSpent(HearingsError):
    """The run used the requests it was allowed; the pipeline stops cleanly, keeping what it
    fetched, and the next run resumes."""

    exit_code = 4


class RequestBudget:
    """At most `limit` requests in this run; thread-safe."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a request budget must allow at least one request")
        self.limit = limit
        self.used = 0
        #: Whether a request was refused: the run stopped short of what it meant to do.
        self.refused = False
        self._lock = threading.Lock()

    @property
    def spent(self) -> bool:
        with self._lock:
            return self.used >= self.limit

    def take(self) -> None:
        """Take one request from the budget, or raise `BudgetSpent` when none is left."""
        with self._lock:
            if self.used >= self.limit:
                self.refused = True
                raise BudgetSpent(
                    f"The budget of {self.limit:,} request{'s' if self.limit != 1 else ''} "
                    "(--max-requests) is used up."
                )
            self.used += 1
