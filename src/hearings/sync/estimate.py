"""What an import will cost from here: the records it must still fetch, one request each, and
the time those requests take within the rate limit's rolling window (`sync.backfill`)."""

from __future__ import annotations

from dataclasses import dataclass

from hearings.congresses import describe_congresses

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
        rate = rate_words(self.rate_limit, self.window)
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


def rate_words(rate_limit: int, window: float) -> str:
    if window == 3600:
        return f"{rate_limit:,} an hour"
    return f"{rate_limit:,} per {window:g} s"
