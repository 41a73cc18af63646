"""A budgeted backfill: before an import fetches any record, it reads every list it needs (kept
by `StoredLists`, so the pipeline and any rerun read them from the database), counts the records
it must fetch, and estimates the requests and the time they take within the hourly rate limit.

`--max-requests N` is a `RequestBudget` the client consults before each request; when it runs out
the pipeline stops cleanly (see `BudgetSpent`), and the next import resumes from the kept lists
and the records already stored.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from hearings.congress_api.budget import BudgetSpent
from hearings.congress_api.limiter import Limiter, seconds_to_send
from hearings.congress_api.models import chamber_path
from hearings.congresses import describe_congresses
from hearings.store import schema
from hearings.sync import quarantine as quarantine_store
from hearings.sync.committees import committee_chambers
from hearings.sync.gate import Request
from hearings.sync.listing import Listing, admit_entries, stored_differs, update_dates
from hearings.sync.options import ProgressFn, SyncOptions, no_progress
from hearings.sync.runlog import RunMetrics
from hearings.sync.stored_lists import StoredLists, forget_lists

log = logging.getLogger(__name__)

#: Seconds one request takes when this run has timed none (every list was kept): a cautious
#: figure for api.congress.gov.
ASSUMED_SECONDS_PER_REQUEST = 0.5


@dataclass
class RecordsToFetch:
    """One Congress's records an import must still fetch, one request each."""

    congress: int
    meetings: int = 0
    printed_hearings: int = 0
    committees: int = 0

    @property
    def total(self) -> int:
        return self.meetings + self.printed_hearings + self.committees


@dataclass
class BackfillEstimate:
    """What an import will cost from here: requests, and the time they take at the rate limit."""

    congresses: list[int]
    records: list[RecordsToFetch]
    list_requests: int  # spent reading the lists in this run
    rate_limit: int
    window: float
    per_second: float
    seconds: float
    budget: int | None = None
    budget_seconds: float | None = None

    @property
    def requests(self) -> int:
        """Every request of the import still to make (a few more may go to parent committees
        and to retries)."""
        return sum(r.total for r in self.records)

    def sentence(self) -> str:
        """`Importing 113-119: about 14,200 requests, about 2 h 51 min at 5,000 an hour.`"""
        rate = _rate_words(self.rate_limit, self.window)
        line = (
            f"Importing {describe_congresses(self.congresses)}: about {self.requests:,} "
            f"request{'s' if self.requests != 1 else ''} to go"
            + (f" after {self.list_requests:,} to list" if self.list_requests else "")
            + f", about {span(self.seconds)} at {rate}"
        )
        if self.budget is not None and self.budget_seconds is not None:
            left = max(self.budget - self.list_requests, 0)
            if left < self.requests:
                runs = -(-(self.requests - left) // max(self.budget, 1))
                line += (
                    f"; this run stops after {self.budget:,} (--max-requests), in about "
                    f"{span(self.budget_seconds)}, and about {runs:,} more "
                    f"run{'s' if runs != 1 else ''} finish{'' if runs != 1 else 'es'} it"
                )
        return line + "."


def span(seconds: float) -> str:
    """`45 s`, `12 min`, `2 h 51 min`."""
    whole = int(seconds + 0.5)
    if whole < 60:
        return f"{whole} s"
    hours, rest = divmod(whole, 3600)
    minutes = (rest + 30) // 60 if hours else rest // 60
    if not hours:
        secs = rest % 60
        return f"{minutes} min {secs} s" if minutes < 10 and secs else f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def _rate_words(rate_limit: int, window: float) -> str:
    if window == 3600:
        return f"{rate_limit:,} an hour"
    return f"{rate_limit:,} per {window:g} s"


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
        before, started = self.client.request_count, self.timer()
        committees_seen: set[str] = set()
        records = []
        for done, congress in enumerate(self.congresses, start=1):
            records.append(self._records(congress, committees_seen))
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
        return self.client.current_congress if len(self.congresses) > 1 else None

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
        budget = self.limiter.budget
        if budget is None or not budget.refused:
            if metrics.success:
                forget_lists(self.engine, self.congresses)
            return
        metrics.success = False
        metrics.exit_code = BudgetSpent.exit_code
        metrics.errors.append(self.stop_sentence(budget.limit))

    def stop_sentence(self, limit: int) -> str:
        where = f"Stopped at the --max-requests budget of {limit:,} requests"
        resume = "rerun the same command to resume where this run stopped."
        if self.estimate is None:
            return f"{where} while reading the lists (those read to the end are kept); {resume}"
        made = self.client.request_count - self.requests_at_estimate
        total = self.estimate.requests
        left = max(total - made, 0)
        rate = _rate_words(self.estimate.rate_limit, self.estimate.window)
        return (
            f"{where}: about {total - left:,} of {total:,} records fetched, about {left:,} to go "
            f"(about {span(self._seconds_for(left))} at {rate}); {resume}"
        )

    # ---- one Congress ---------------------------------------------------------------------

    def _records(self, congress: int, committees_seen: set[str]) -> RecordsToFetch:
        # The lists exactly as the import of this one Congress reads them.
        options, client, now = self.options.for_congress(congress), self.client, self.clock()
        chamber = chamber_path(options.chamber) if options.chamber else None
        meetings = admit_entries(
            Request("meeting", congress, chamber), client.list_meetings(congress, chamber), now
        )
        committees = Listing()
        printed = Listing()
        if options.include_reference_data:
            for committee_chamber in committee_chambers(options):
                committees.extend(
                    admit_entries(
                        Request("committee", None, committee_chamber),
                        client.list_committees(congress, committee_chamber),
                        now,
                    )
                )
            printed = admit_entries(
                Request("printed_hearing", congress, chamber),
                client.list_printed_hearings(congress, chamber),
                now,
            )
            if options.include_members:
                list(client.list_members(congress))  # the entries are the records: no fetch
        with self.engine.connect() as connection:
            return RecordsToFetch(
                congress,
                meetings=_changed(connection, meetings, schema.hearings, "event_id", options)
                + _retries(connection, "meeting", congress, meetings),
                printed_hearings=_changed(
                    connection, printed, schema.printed_hearings, "jacket_number", options
                )
                + _retries(connection, "printed_hearing", congress, printed),
                committees=_committees(connection, committees, options, committees_seen),
            )


def _changed(connection: Any, listing: Listing, table: Any, key: str, options: SyncOptions) -> int:
    listed = listing.by_identifier()
    stored = update_dates(connection, table, key, list(listed))
    convert: Callable[[str], Any] = int if key == "jacket_number" else str
    return sum(
        stored_differs(entry, stored, convert(ident), options.full_refresh)
        for ident, entry in listed.items()
    )


def _retries(connection: Any, entity: str, congress: int, listing: Listing) -> int:
    listed = {entry.identifier for entry in listing.listed}
    items = quarantine_store.open_items(connection, entity=entity, congress=congress)
    return sum(item.identifier not in listed for item in items)


def _committees(connection: Any, listing: Listing, options: SyncOptions, seen: set[str]) -> int:
    """Committees are one record across Congresses: each code counts once in a run."""
    wanted: set[str] = set()
    for entry in listing.listed:
        wanted.add(entry.identifier)
        wanted.update(entry.nested)
    dated = listing.by_identifier()
    stored = update_dates(connection, schema.committees, "system_code", sorted(wanted))
    chosen = {
        code
        for code in wanted - seen
        if code not in dated or stored_differs(dated[code], stored, code, options.full_refresh)
    }
    seen.update(wanted)
    return len(chosen)


def resumable_import(
    engine: Engine,
    client: Any,
    options: SyncOptions,
    limiter: Limiter,
    *,
    clock: Callable[[], datetime],
    progress: ProgressFn = no_progress,
) -> tuple[StoredLists, Backfill]:
    """The client an import runs with (its lists kept until it completes) and its backfill."""
    lists = StoredLists(client, engine, clock=clock)
    backfill = Backfill(
        engine, lists, limiter, options, options.selected, clock=clock, progress=progress
    )
    return lists, backfill
