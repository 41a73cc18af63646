"""The orders a list of meetings can be sorted in."""

from __future__ import annotations

from typing import Any

from hearings.store import schema

hearings = schema.hearings


def meeting_order(dialect: str, sort: str, *, bounded_below: bool) -> list[Any]:
    start = hearings.c.start_at
    if sort == "date":
        # SQLite sorts NULL first ascending; a lower bound already excludes them and keeps the
        # index usable, so only add NULLS LAST when there is none.
        first = start.asc().nulls_last() if dialect == "sqlite" and not bounded_below else start
        return [first, hearings.c.event_id]
    if sort == "updated":
        changed = hearings.c.last_changed_at.desc()
        return [changed if dialect == "sqlite" else changed.nulls_last(), hearings.c.event_id]
    newest = start.desc()
    return [newest if dialect == "sqlite" else newest.nulls_last(), hearings.c.event_id.desc()]
