"""A dry run's load step: count, and name, what an update would do, writing nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hearings.store import schema
from hearings.sync.batches import Change
from hearings.sync.run_state import RunState


def classify_dry_run(state: RunState, changes: list[Change]) -> None:
    """Count, and name, what an update would do; write nothing."""
    hearings = schema.hearings
    with state.engine.connect() as connection:
        stored = {
            row.event_id: row
            for row in connection.execute(
                select(
                    hearings.c.event_id,
                    hearings.c.content_hash,
                    hearings.c.status,
                    hearings.c.title,
                ).where(hearings.c.event_id.in_([c.event_id for c in changes]))
            )
        }
    metrics = state.metrics
    for change in changes:
        row = stored.get(change.event_id)
        if row is None:
            metrics.hearings_added += 1
            title = change.meeting.title or "(no title)"
            metrics.planned_changes.append(f"add {change.event_id}: {title}")
        elif row.content_hash != change.rows.hearing["content_hash"]:
            metrics.hearings_updated += 1
            metrics.planned_changes.append(f"update {change.event_id}: {_describe(row, change)}")
        else:
            metrics.hearings_unchanged += 1


def _describe(row: Any, change: Change) -> str:
    parts = []
    if row.status != change.meeting.status:
        parts.append(f"status {row.status} → {change.meeting.status}")
    if row.title != change.meeting.title:
        parts.append("title changed")
    return ", ".join(parts) or "witnesses, documents or other details changed"
