"""The first and last start of a group of meetings, given as a single meeting's start is: a day
without a time stays that day (`2025-06-24`), never its midnight Eastern as a UTC moment.

A day's `start_at` is its midnight Eastern, so a plain MIN/MAX finds the right meeting but loses
whether it was a day. Aggregating the days' and the moments' starts apart tells: a day sorts
ahead of a moment at the same instant (store/meeting_start.py), so the first is a day when a day
holds the earliest start, and the last is a day when no moment holds the latest."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Label, case, func

from hearings.store import schema
from hearings.store.meeting_start import Start, shown_start


def span_columns() -> tuple[Label[Any], ...]:
    """The aggregate columns `span_of` reads, for a SELECT over `hearings` (grouped or not)."""
    start = schema.hearings.c.start_at
    day_only: ColumnElement[bool] = schema.hearings.c.start_date_only.is_(True)
    return (
        func.min(start).label("first_start"),
        func.min(case((day_only, start))).label("first_day_start"),
        func.max(start).label("last_start"),
        func.max(case((~day_only, start))).label("last_moment_start"),
    )


def span_of(row: Any) -> tuple[Start | None, Start | None]:
    """(first, last) start of a row selected with `span_columns`: a moment, or a day."""
    first, last = row.first_start, row.last_start
    first_is_day = first is not None and first == row.first_day_start
    last_is_day = last is not None and last != row.last_moment_start
    return shown_start(first, first_is_day), shown_start(last, last_is_day)
