"""A meeting's history as one JSON object, the same from `/api/hearings/{event_id}/history` and
`hearings history --json`. Import-light (no web framework): the CLI imports it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hearings.reports.history import HistoryEntry, as_json
from hearings.web.timefmt import format_eastern


def seen_moment(stamp: str) -> datetime:
    """A history entry's `first_seen` (`2025-06-11T14:00:00Z`) as an aware UTC time."""
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def history_document(event_id: str, entries: list[HistoryEntry]) -> dict[str, Any]:
    """The versions oldest first, each with its time in Eastern Time too, and the page's URL."""
    return {
        "event_id": event_id,
        "version_count": len(entries),
        "versions": [
            {**shape, "first_seen_eastern": format_eastern(seen_moment(entry.first_seen))}
            for entry, shape in zip(entries, as_json(entries), strict=True)
        ],
        "url": f"/hearings/{event_id}",
    }
