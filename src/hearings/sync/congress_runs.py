"""A run over several Congresses: an import takes them one at a time, an update lists them all at
once. Either way the caller holds one lock, took one backup and writes one run record, and
`metrics.congresses` carries each Congress's figures."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from hearings.congresses import describe_congresses, ordinal
from hearings.errors import HearingsError
from hearings.sync.marks import held_congresses
from hearings.sync.pipeline import (
    FATAL,
    ApiClient,
    ChangeRatioExceeded,
    ProgressFn,
    SyncOptions,
    run_pipeline,
)
from hearings.sync.runlog import RunMetrics, StageOutcome

log = logging.getLogger(__name__)


class CongressNotHeld(HearingsError):
    """An update names a Congress the database never imported: it would get no members and only
    the meetings inside the lookback window, and every later update would cover it."""


def refuse_unheld(engine: Engine, congresses: tuple[int, ...]) -> None:
    """Raise one sentence naming the Congresses in `congresses` the database does not hold."""
    missing = sorted(set(congresses) - set(held_congresses(engine)))
    if not missing:
        return
    names = [ordinal(c) for c in missing]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    noun = "Congress" if len(names) == 1 else "Congresses"
    raise CongressNotHeld(
        f"The database has never imported the {listed} {noun}: "
        f"run `hearings import --congress {describe_congresses(missing)}` first."
    )


def run_congresses(
    engine: Engine,
    client: ApiClient,
    options: SyncOptions,
    metrics: RunMetrics,
    *,
    incremental: bool,
    clock: Callable[[], datetime],
    progress: ProgressFn,
    redact: Callable[[str], str] = str,
) -> None:
    """Run the pipeline over `options.selected`: an update once, across them; an import once per
    Congress, oldest first (`import_each_congress`)."""
    run = _pipeline_runner(engine, client, metrics, incremental, clock, progress, redact)
    if incremental or not options.across_congresses:
        run(options)
        return
    import_each_congress(options, metrics, run)


def import_each_congress(
    options: SyncOptions, metrics: RunMetrics, run: Callable[[SyncOptions], None]
) -> None:
    """Import the Congresses one after another into the one run record. Each Congress's stages
    start afresh, so a stage that failed for one is still tried for the next; the run's stage
    outcome is failed when it failed for any.

    With batch processing off each Congress is one transaction: one that fails is rolled back
    (and counted so), the others keep what they committed; when none committed anything the
    run fails as a whole."""
    outcomes: dict[str, StageOutcome] = {}
    failure: Exception | None = None
    try:
        for congress in options.selected:
            metrics.stages = {}
            before = _counts(metrics)
            try:
                run(options.for_congress(congress))
            except (ChangeRatioExceeded, *FATAL):
                raise
            except Exception as exc:
                if options.batch_enabled:
                    raise
                log.error("the import of Congress %d was rolled back: %s", congress, exc)
                _rolled_back(metrics, congress, before)
                failure = exc
                continue
            finally:
                _merge_stages(outcomes, metrics.stages)
    finally:
        metrics.stages = outcomes
    if failure is not None and not any(s.committed for s in outcomes.values()):
        raise failure


# What a rolled-back Congress had counted, restored from before it started.
_COUNTERS = (
    "hearings_added",
    "hearings_updated",
    "committees_updated",
    "members_updated",
    "printed_hearings_updated",
    "witnesses_updated",
    "quarantine_resolved",
)


def _counts(metrics: RunMetrics) -> dict[str, int]:
    return {name: int(getattr(metrics, name)) for name in _COUNTERS}


def _rolled_back(metrics: RunMetrics, congress: int, before: dict[str, int]) -> None:
    for name, value in before.items():
        setattr(metrics, name, value)
    for stage in metrics.stages.values():
        stage.committed = 0
    figures = metrics.figures(congress)
    if figures is not None:
        figures.hearings_added = figures.hearings_updated = 0


def _merge_stages(into: dict[str, StageOutcome], stages: dict[str, StageOutcome]) -> None:
    for name, stage in stages.items():
        merged = into.setdefault(name, StageOutcome())
        merged.committed += stage.committed
        if stage.status == "failed" and merged.status != "failed":
            merged.status, merged.error = "failed", stage.error


def _pipeline_runner(
    engine: Engine,
    client: ApiClient,
    metrics: RunMetrics,
    incremental: bool,
    clock: Callable[[], datetime],
    progress: ProgressFn,
    redact: Callable[[str], str],
) -> Callable[[SyncOptions], None]:
    def run(options: SyncOptions) -> None:
        run_pipeline(
            engine,
            client,
            options,
            metrics,
            incremental=incremental,
            clock=clock,
            progress=progress,
            redact=redact,
        )

    return run
