"""A budgeted backfill: before an import fetches any record, it reads every list it needs (kept
by `StoredLists`, so the pipeline and any rerun read them from the database), counts the records
it must fetch (`sync.backfill_lists`), and estimates the requests and the time they take within
the hourly rate limit.

`--max-requests N` is a `RequestBudget` the client consults before each request; when it runs out
the pipeline stops cleanly (see `BudgetSpent`), and the next import resumes from the kept lists
and the records already stored.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from hearings.congress_api.budget import BudgetSpent
from hearings.congress_api.limiter import Limiter, seconds_to_send
from hearings.store import schema
from hearings.store.engine import writing
from hearings.store.meeting_start import utc_naive_moment
from hearings.store.records import utc_naive
from hearings.sync.backfill_lists import records_to_fetch
from hearings.sync.estimate import (
    ASSUMED_SECONDS_PER_REQUEST,
    BackfillEstimate,
    rate_words,
    span,
)
from hearings.sync.marks import OVERLAP, hold_window
from hearings.sync.options import ProgressFn, SyncOptions, no_progress
from hearings.sync.runlog import RunMetrics
from hearings.sync.stored_lists import StoredLists, forget_lists

# How the sentence of a stop at --max-requests begins, so the summary can tell it from a failure.
BUDGET_STOP = "Stopped at the --max-requests budget"

log = logging.getLogger(__name__)


class Backfill:
    """Reads an import's lists for each Congress before any record, then estimates the rest."""

    def __init__(
        self,
        engine: Engine,
        client: StoredLists,
        limiter: Limiter,
        options: SyncOptions,
        congresses: Sequence[int],
        *,
        clock: Callable[[], datetime],
        timer: Callable[[], float] = time.monotonic,
        progress: ProgressFn = no_progress,
    ) -> None:
        self.engine = engine
        self.client = client
        self.limiter = limiter
        self.options = options
        self.congresses = list(congresses)
        self.clock = clock
        self.budget = limiter.budget.limit if limiter.budget is not None else None
        self.timer = timer
        self.progress = progress
        self.estimate: BackfillEstimate | None = None
        self.estimated_at: float | None = None
        self.requests_at_estimate = 0

    def prepare(self) -> BackfillEstimate:
        """Read every list the import needs (kept ones cost nothing) and estimate the rest.
        Raises `BudgetSpent` when the budget runs out while listing; the lists read are kept."""
        # Earlier runs on this database (the last slice, the daily update) share the key's hour.
        self.limiter.remember(earlier_request_ages(self.engine, self.clock(), self.limiter.window))
        before, started = self.client.request_count, self.timer()
        committees_seen: set[str] = set()
        records = []
        for done, congress in enumerate(self.congresses, start=1):
            records.append(
                records_to_fetch(
                    self.engine,
                    self.client,
                    self.options,
                    congress,
                    committees_seen,
                    clock=self.clock,
                )
            )
            self.progress("lists", done, len(self.congresses))
        list_requests = self.client.request_count - before
        elapsed = self.timer() - started
        per_request = elapsed / list_requests if list_requests else ASSUMED_SECONDS_PER_REQUEST
        per_second = self.limiter.concurrency / max(per_request, 1e-3)
        to_go = sum(r.total for r in records)
        rate, window = self.limiter.rate_limit_per_hour, self.limiter.window
        ages = self.limiter.stamp_ages()
        estimate = BackfillEstimate(
            congresses=self.congresses,
            records=records,
            list_requests=list_requests,
            rate_limit=rate,
            window=window,
            per_second=per_second,
            seconds=seconds_to_send(
                to_go, rate_limit=rate, window=window, per_second=per_second, stamp_ages=ages
            ),
            budget=self.budget,
        )
        if self.budget is not None:
            allowed = max(min(self.budget - list_requests, to_go), 0)
            estimate.budget_seconds = seconds_to_send(
                allowed, rate_limit=rate, window=window, per_second=per_second, stamp_ages=ages
            )
        self.estimate, self.estimated_at = estimate, self.timer()
        self.requests_at_estimate = self.client.request_count
        log.info("%s", estimate.sentence())
        return estimate

    @property
    def congress(self) -> int | None:
        """The Congress the import is at (the latest one whose lists it read), when it imports
        several."""
        if self.estimate is None or len(self.congresses) == 1:
            return None  # the lists of every Congress are read first, as one stage
        return self.client.current_congress

    def seconds_left(self) -> float | None:
        """The time the rest takes, waits for the window included, at the pace seen so far."""
        if self.estimate is None:
            return None
        made = self.client.request_count - self.requests_at_estimate
        left = max(self.estimate.requests - made, 0)
        if self.budget is not None:
            left = min(left, max(self.budget - self.client.request_count, 0))
        return self._seconds_for(left)

    def _seconds_for(self, requests: int) -> float:
        if self.estimate is None or self.estimated_at is None:
            return 0.0
        per_second = self.estimate.per_second
        made = self.client.request_count - self.requests_at_estimate
        elapsed = self.timer() - self.estimated_at
        if made >= 20 and self.limiter.waited_seconds == 0 and elapsed > 0:
            per_second = made / elapsed  # no wait yet: the pace seen is the pace
        return seconds_to_send(
            requests,
            rate_limit=self.limiter.rate_limit_per_hour,
            window=self.limiter.window,
            per_second=per_second,
            stamp_ages=self.limiter.stamp_ages(),
        )

    def settle(self, metrics: RunMetrics) -> None:
        """A run the budget stopped is partial (exit 4): what it fetched is kept, and the next
        import resumes from the kept lists and the stored records. A run that completed no
        longer needs its lists: the next import reads them afresh."""
        self._hold_windows_of_kept_lists(metrics)
        budget = self.limiter.budget
        if budget is None or not budget.refused:
            if metrics.success:
                forget_lists(self.engine, self.congresses)
            return
        metrics.success = False
        metrics.exit_code = BudgetSpent.exit_code
        metrics.errors.append(self.stop_sentence(budget.limit))
        _mark_stopped(metrics, self.client.stopped_in)

    def _hold_windows_of_kept_lists(self, metrics: RunMetrics) -> None:
        """Committees and printed hearings are marked current at the run's start when their
        stage ends, as if their lists were read then; a list kept by an earlier slice was read
        when that slice ran, maybe days ago, and a record changed upstream since is in none of
        them. The next update lists those stages from the oldest kept list read (less the
        marks' overlap), so it fetches such a change whatever its lookback."""
        oldest: dict[str, datetime] = {}
        run_started = utc_naive_moment(metrics.start_time)
        for key, listed_at in self.client.served.items():
            if utc_naive_moment(listed_at) >= run_started:
                continue  # read by this run's own backfill: the mark at its start covers it
            stage, entity = _MARKED_AT_RUN_START.get(key.partition("/")[0], (None, ""))
            ran = metrics.stages.get(stage or "")
            if ran is not None and ran.status == "completed":  # it marked its entity current
                oldest[entity] = min(listed_at, oldest.get(entity, listed_at))
        if not oldest:
            return
        now = self.clock().astimezone(UTC).replace(tzinfo=None, microsecond=0)
        with writing(self.engine).begin() as connection:
            for entity, listed_at in oldest.items():
                hold_window(connection, self.options, entity, listed_at - OVERLAP, now)

    def stop_sentence(self, limit: int) -> str:
        plural = "" if limit == 1 else "s"
        where = f"{BUDGET_STOP} of {limit:,} request{plural}"
        resume = "rerun the same command to resume where this run stopped."
        if self.estimate is None:
            return f"{where} while reading the lists (those read to the end are kept); {resume}"
        made = self.client.request_count - self.requests_at_estimate
        total = self.estimate.requests
        left = max(total - made, 0)
        rate = rate_words(self.estimate.rate_limit, self.estimate.window)
        return (
            f"{where}: about {total - left:,} of {total:,} records fetched, about {left:,} to go "
            f"(about {span(self._seconds_for(left))} at {rate}); {resume}"
        )


# The kept lists whose stage marks its entity current at the run's start: list entity → (stage,
# marked entity). Meetings are marked by the newest entry listed, which a kept list dates right;
# members have no mark.
_MARKED_AT_RUN_START = {
    "committee": ("committees", "committees"),
    "printed_hearing": ("printed hearings", "printed_hearings"),
}

# The stages that fetch records, in the order they run: the one the budget stopped in, and
# those after it, left records unfetched. (Members come whole in their lists, read first.)
_FETCHING_ORDER = ("committees", "meetings", "printed hearings")


def _mark_stopped(metrics: RunMetrics, stopped_in: str | None) -> None:
    if stopped_in not in _FETCHING_ORDER:
        return
    for name in _FETCHING_ORDER[_FETCHING_ORDER.index(stopped_in) :]:
        stage = metrics.stages.get(name)
        if stage is not None and stage.status == "completed":
            stage.status = "stopped"


def resumable_import(
    engine: Engine,
    client: Any,
    options: SyncOptions,
    limiter: Limiter,
    *,
    clock: Callable[[], datetime],
    progress: ProgressFn = no_progress,
    redact: Callable[[str], str] = str,
) -> tuple[StoredLists, Backfill]:
    """The client an import runs with (its lists kept until it completes, without the API key
    should upstream echo it: `redact`) and its backfill."""
    lists = StoredLists(client, engine, clock=clock, redact=redact)
    backfill = Backfill(
        engine, lists, limiter, options, options.selected, clock=clock, progress=progress
    )
    return lists, backfill


def earlier_request_ages(engine: Engine, now: datetime, window: float) -> list[float]:
    """How many seconds ago each request of the runs that ended inside the window went out. The
    run log keeps a count per run, not times, so a run's requests are spread evenly over it."""
    log_table = schema.update_logs
    horizon = utc_naive(now - timedelta(seconds=window))
    query = select(log_table.c.start_time, log_table.c.end_time, log_table.c.api_requests).where(
        log_table.c.end_time >= horizon, log_table.c.api_requests > 0
    )
    with engine.connect() as connection:
        runs = connection.execute(query).all()
    moment = utc_naive(now) or datetime.min
    ages: list[float] = []
    for started, ended, requests in runs:
        if not isinstance(requests, int):
            # SQLite keeps text in the column ('many', which compares above 0): range() of it
            # failed every import until the run left the window. `hearings verify` names it.
            continue
        length = max((ended - started).total_seconds(), 0.0)
        for n in range(requests):
            age = (moment - started).total_seconds() - length * (n + 0.5) / requests
            if 0 <= age < window:
                ages.append(age)
    return ages
