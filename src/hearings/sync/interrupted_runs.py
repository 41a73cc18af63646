"""Runs that never record an outcome (killed, Ctrl-C) stay `interrupted` (success NULL), and what
their committed batches applied stays visible: the run writes its figures as each batch commits,
and the next run closes it, counting from its checkpoints where they show more (a kill between a
commit and the figures written after it)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select, update

from hearings.store import schema

if TYPE_CHECKING:  # runlog closes interrupted runs with this module
    from hearings.sync.runlog import RunMetrics


def close_interrupted_runs(connection: Connection) -> list[int]:
    """Give each open run an end time (its last committed batch, else its start) and at least the
    meetings its committed batches added and updated. Returns their ids.
    The caller holds the writer lock, so none of them is still running."""
    logs = schema.update_logs
    open_runs = connection.execute(
        select(
            logs.c.run_id, logs.c.start_time, logs.c.hearings_added, logs.c.hearings_updated
        ).where(logs.c.success.is_(None), logs.c.end_time.is_(None))
    ).all()
    for run in open_runs:
        added, updated, last_commit = _committed_meetings(connection, run.run_id)
        end = max(last_commit or run.start_time, run.start_time)
        values: dict[str, object] = {
            "end_time": end,
            "duration_seconds": (end - run.start_time).total_seconds(),
        }
        # The run writes its figures just after each commit, so a kill in between leaves them a
        # batch behind its checkpoints, which commit with the rows: the larger count stands.
        values.update(
            hearings_added=max(run.hearings_added or 0, added),
            hearings_updated=max(run.hearings_updated or 0, updated),
        )
        connection.execute(update(logs).where(logs.c.run_id == run.run_id).values(**values))
    return [run.run_id for run in open_runs]


def _committed_meetings(connection: Connection, run_id: int) -> tuple[int, int, datetime | None]:
    """Meetings the run's committed batches added (no before-image) and updated, and when its
    last one committed."""
    checkpoints = schema.batch_checkpoints
    rows = connection.execute(
        select(
            checkpoints.c.event_ids, checkpoints.c.before_images, checkpoints.c.finished_at
        ).where(checkpoints.c.run_id == run_id, checkpoints.c.status == "committed")
    ).all()
    added: set[str] = set()
    updated: set[str] = set()
    for row in rows:
        images = row.before_images if isinstance(row.before_images, dict) else {}
        for event_id in row.event_ids or []:
            (updated if event_id in images else added).add(str(event_id))
    finished = [row.finished_at for row in rows if row.finished_at is not None]
    return len(added), len(updated - added), max(finished, default=None)


def record_progress(connection: Connection, metrics: RunMetrics, api_requests: int) -> None:
    """Write the run's figures so far into its row (the outcome columns stay NULL), so a run
    killed after this batch still shows what it committed and the requests it made."""
    _write_figures(
        connection,
        metrics,
        hearings_checked=metrics.hearings_checked,
        hearings_added=metrics.hearings_added,
        hearings_updated=metrics.hearings_updated,
        hearings_unchanged=metrics.hearings_unchanged,
        witnesses_updated=metrics.witnesses_updated,
        quarantined=metrics.quarantined,
        api_requests=api_requests,
    )
    _write_congress_figures(connection, metrics)


def record_quarantined(connection: Connection, metrics: RunMetrics) -> None:
    """Write how many records the run has quarantined, in the transaction that writes them."""
    _write_figures(connection, metrics, quarantined=metrics.quarantined)


def record_requests(connection: Connection, metrics: RunMetrics, api_requests: int) -> None:
    """Write the requests the run has made into its row, inside a batch's own transaction."""
    _write_figures(connection, metrics, api_requests=api_requests)


def _write_figures(connection: Connection, metrics: RunMetrics, **figures: int) -> None:
    if metrics.run_id is None:
        return
    logs = schema.update_logs
    connection.execute(
        update(logs)
        .where(logs.c.run_id == metrics.run_id, logs.c.success.is_(None))
        .values(**figures)
    )


def _write_congress_figures(connection: Connection, metrics: RunMetrics) -> None:
    """A run over several Congresses: each one's figures so far into its stored metrics, so a
    run killed later names the Congresses it worked on with what it did in each. Only these
    counts are written: the rest of the metrics (errors among them) is stored once the run has
    scrubbed it of any API key upstream echoed back."""
    if metrics.run_id is None or not metrics.congresses:
        return
    logs = schema.update_logs
    stored = connection.execute(
        select(logs.c.metrics).where(logs.c.run_id == metrics.run_id, logs.c.success.is_(None))
    ).scalar()
    if not isinstance(stored, dict):
        return
    figures = {str(c): asdict(f) for c, f in sorted(metrics.congresses.items())}
    connection.execute(
        update(logs)
        .where(logs.c.run_id == metrics.run_id)
        .values(metrics={**stored, "congresses": figures})
    )
