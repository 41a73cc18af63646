"""Adaptive commit units: on a long run, consecutive clean batches commit together, so a run of
50,000 meetings does not pay for 1,000 commits. Each batch is still checkpointed and validated on
its own; a unit that fails is rolled back and its batches are applied one by one, each bisected as
usual, so a bad record still costs only itself.

A run commits batch by batch until `limit` records have committed; only then does a unit grow,
doubling after each clean unit up to `limit` records. A failure shrinks it back to one batch. A
daily run (fewer changes than `limit`) therefore commits batch by batch, as without units: grouping
pays only where commits are many (measured in bench/RESULTS.md, section 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hearings.sync.batches import Change

# The default bound on the records one commit may hold (ADAPTIVE_COMMIT_UNITS=true).
COMMIT_UNIT_RECORDS = 1_000


@dataclass(frozen=True)
class PendingBatch:
    """A validated batch waiting for its unit to commit."""

    number: int
    changes: list[Change]


@dataclass
class CommitUnit:
    """The batches of the unit being gathered, and how many the next unit may group."""

    limit: int
    batch_size: int
    batches: list[PendingBatch] = field(default_factory=list)
    span: int = 1
    # Records committed so far in the run: units grow only once `limit` of them have.
    committed: int = 0

    @property
    def records(self) -> int:
        return sum(len(b.changes) for b in self.batches)

    @property
    def full(self) -> bool:
        """Whether the unit must commit before another batch joins it."""
        return len(self.batches) >= self.span or self.records + self.batch_size > self.limit

    def take(self) -> list[PendingBatch]:
        batches, self.batches = self.batches, []
        return batches

    def grow(self, records: int) -> None:
        """After a clean unit of `records`: once the run has committed `limit` records, the next
        unit may group twice as many batches, up to the bound."""
        self.committed += records
        if self.committed >= self.limit:
            self.span = min(self.span * 2, max(1, self.limit // max(1, self.batch_size)))

    def shrink(self) -> None:
        """After a failure: back to one batch per commit."""
        self.span = 1


def grouping_enabled(limit: int, batch_size: int) -> bool:
    """Grouping needs room for two batches in one unit."""
    return limit >= 2 * batch_size
