"""What a run was asked to do, and how it reports progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from hearings.sync.commit_units import COMMIT_UNIT_RECORDS
from hearings.sync.failpoints import FailureInjector

# Progress callback: (stage, done, total or None when unknown). A stage's last call has
# done == total.
ProgressFn = Callable[[str, int, int | None], None]


def no_progress(stage: str, done: int, total: int | None) -> None:
    return None


@dataclass
class SyncOptions:
    # The Congress a single-Congress step works on (for several, the newest of them).
    congress: int
    chamber: str | None = None
    batch_enabled: bool = True
    batch_size: int = 50
    # Most records consecutive clean batches may commit together (sync/commit_units.py); 0 turns
    # the grouping off (ADAPTIVE_COMMIT_UNITS=false): every batch commits alone.
    commit_unit_limit: int = COMMIT_UNIT_RECORDS
    concurrency: int = 8
    lookback_days: int = 7
    failure_injector: FailureInjector = field(default_factory=FailureInjector)
    dry_run: bool = False
    max_change_ratio: float | None = None
    force: bool = False
    full_refresh: bool = False
    include_members: bool = True
    include_reference_data: bool = True
    # SUSPICIOUS_CHANGES: flag (apply degraded versions and flag them) or hold (quarantine them).
    suspicious_changes: str = "flag"
    # Every Congress the run covers; empty means just `congress`.
    congresses: tuple[int, ...] = ()

    @property
    def selected(self) -> tuple[int, ...]:
        """The Congresses the run covers, ascending."""
        return tuple(sorted(set(self.congresses))) if self.congresses else (self.congress,)

    @property
    def across_congresses(self) -> bool:
        """Whether lists are read once across Congresses (`/committee-meeting?fromDateTime=…`)
        rather than under one Congress's path."""
        return len(self.selected) > 1

    @property
    def list_congress(self) -> int | None:
        """The Congress a list path names: none for a list across Congresses."""
        return None if self.across_congresses else self.congress

    def for_congress(self, congress: int) -> SyncOptions:
        """The same run, narrowed to one Congress (an import of a range runs each in turn)."""
        return replace(self, congress=congress, congresses=(congress,))

    @property
    def chamber_key(self) -> str:
        """The chamber a high-water mark is kept under: the run's, or `all`."""
        return self.chamber.lower() if self.chamber else ALL_CHAMBERS


ALL_CHAMBERS = "all"
