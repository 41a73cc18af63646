"""A dry run's load step: count, and name, what an update would do, writing nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hearings.store import schema
from hearings.sync.batches import Change
from hearings.sync.run_state import RunState

# What a dry run compares, by stored column: the fields `hearings history` names first.
_NAMED = (("status", "status"), ("start_at", "date or time"), ("title", "title"))
_PLACE = ("room", "building", "address")


def classify_dry_run(state: RunState, changes: list[Change]) -> None:
    """Count, and name, what an update would do; write nothing."""
    hearings = schema.hearings
    columns = ("event_id", "content_hash", *(c for c, _ in _NAMED), *_PLACE)
    with state.engine.connect() as connection:
        stored = {
            row.event_id: row
            for row in connection.execute(
                select(*(hearings.c[name] for name in columns)).where(
                    hearings.c.event_id.in_([c.event_id for c in changes])
                )
            )
        }
    metrics = state.metrics
    for change in changes:
        row = stored.get(change.event_id)
        if row is None:
            counter = "hearings_added"
            title = change.meeting.title or "(no title)"
            metrics.planned_changes.append(f"add {change.event_id}: {title}")
        elif row.content_hash != change.rows.hearing["content_hash"]:
            counter = "hearings_updated"
            metrics.planned_changes.append(f"update {change.event_id}: {_describe(row, change)}")
        else:
            counter = "hearings_unchanged"
        setattr(metrics, counter, getattr(metrics, counter) + 1)
        # As a real run counts them: each Congress's share too.
        figures = metrics.figures(change.meeting.congress)
        if figures is not None:
            setattr(figures, counter, getattr(figures, counter) + 1)


def _describe(row: Any, change: Change) -> str:
    new = change.rows.hearing
    parts = []
    if row.status != new["status"]:
        parts.append(f"status {row.status} → {new['status']}")
    was = row._mapping
    parts += [f"{label} changed" for column, label in _NAMED[1:] if was[column] != new[column]]
    if any(was[column] != new[column] for column in _PLACE):
        parts.append("room changed")
    return ", ".join(parts) or "witnesses, documents or other details changed"
