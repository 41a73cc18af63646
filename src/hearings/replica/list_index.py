"""The order and windows of the list endpoints: a kind's records newest first (as Congress.gov
lists them), and the page of them inside a `fromDateTime`/`toDateTime` window."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from hearings.replica.records import Record


@dataclass(slots=True)
class ListIndex:
    records: list[Record]  # newest first
    neg_updated: list[float] = field(default_factory=list)  # ascending, for bisect

    @classmethod
    def of(cls, records: Iterable[Record], congress: int | None, chamber: str | None) -> ListIndex:
        """The records in `congress` and `chamber` (any when None), newest first."""
        chosen = [
            r
            for r in records
            if (congress is None or congress in r.congresses)
            and (chamber is None or r.chamber == chamber)
        ]
        chosen.sort(key=lambda r: r.sort_key)
        return cls(chosen, [-r.updated for r in chosen])

    def page(
        self, offset: int, limit: int, *, since: datetime | None, until: datetime | None
    ) -> tuple[list[Record], int]:
        """The records on one list page and the total count in the window."""
        start = 0 if until is None else bisect_left(self.neg_updated, -until.timestamp())
        stop = len(self.records)
        if since is not None:
            stop = bisect_right(self.neg_updated, -since.timestamp())
        count = max(0, stop - start)
        first = start + max(offset, 0)
        return self.records[first : min(stop, first + max(limit, 0))], count
