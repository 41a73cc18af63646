"""A batch's accounting: inside its transaction, the payloads archived, the quarantine entries
resolved, the high-water mark moved and the requests so far recorded; after it, the run's counts
(by Congress too) and its figures saved for a run killed later."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from hearings.store.archive import Version, archive_versions
from hearings.sync import quarantine as quarantine_store
from hearings.sync.batches import BatchOutcome, Change
from hearings.sync.interrupted_runs import record_progress, record_requests
from hearings.sync.marks import advance_high_water_mark
from hearings.sync.run_state import RunState


def after_apply(state: RunState, connection: Connection, applied: Sequence[Change]) -> None:
    """Inside the batch's transaction: archive the payloads of what applied, resolve their
    quarantine entries, and move the meetings' high-water mark, so state commits with the data it
    describes."""
    now = state.now()
    ids = [c.event_id for c in applied]
    archive_versions(
        connection,
        [
            Version(
                "meeting",
                c.event_id,
                c.rows.hearing["content_hash"],
                c.payload,
                c.meeting.update_date,
                c.locator,
            )
            for c in applied
        ],
        run_id=state.metrics.run_id,
        now=now,
    )
    resolved = quarantine_store.resolve(connection, "meeting", ids, now)
    state.metrics.quarantine_resolved += resolved
    # Retried quarantine records were listed in an earlier window: they say nothing of this one.
    listed = [
        c.meeting.update_date for c in applied if c.meeting.update_date and not c.from_quarantine
    ]
    # A list read short: the meetings it did not reach are older than those applied (lists come
    # newest first), so a mark moved to these would pass them.
    if listed and "meetings" not in state.lists_not_whole:
        advance_high_water_mark(
            connection,
            state.options,
            "meetings",
            max(d for d in listed if d is not None),
            run_id=state.metrics.run_id,
            run_started=state.started,
            now=now,
        )
    # The requests so far commit with the batch: a run stopped before its figures are written
    # (just below, after the commit) still shows them; its meetings are counted from checkpoints.
    record_requests(connection, state.metrics, state.requests_made())


def record_outcome(state: RunState, outcome: BatchOutcome, *, progress: bool = True) -> None:
    """Count a batch's meetings into the run; with `progress`, save the run's figures too."""
    metrics = state.metrics
    metrics.hearings_added += len(outcome.added)
    metrics.hearings_updated += len(outcome.updated)
    metrics.hearings_unchanged += len(outcome.unchanged)
    metrics.witnesses_updated += outcome.witnesses_added
    _count_by_congress(state, outcome)
    stage = metrics.stages.get("meetings")
    if stage is not None:
        stage.committed += len(outcome.added) + len(outcome.updated)
    if progress and outcome.committed:
        record_run_progress(state)


def record_run_progress(state: RunState) -> None:
    """The run's figures so far into its row, for a run killed after this commit."""
    if state.single is None:  # one transaction for the run keeps nothing
        with state.transaction() as connection:
            record_progress(connection, state.metrics, state.requests_made())


def _count_by_congress(state: RunState, outcome: BatchOutcome) -> None:
    """Each Congress's share of the batch, for a run that covers several."""
    if not state.metrics.congresses:
        return
    congress_of = {c.event_id: c.meeting.congress for c in outcome.committed}
    for ids, counter in (
        (outcome.added, "hearings_added"),
        (outcome.updated, "hearings_updated"),
        (outcome.unchanged, "hearings_unchanged"),
    ):
        for event_id in ids:
            figures = state.metrics.figures(congress_of.get(event_id))
            if figures is not None:
                setattr(figures, counter, getattr(figures, counter) + 1)
