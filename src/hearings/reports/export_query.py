"""What every export query shares: the moment `since` means, the Congresses it keeps, the
numeric order of event ids and the chunk it loads children by."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func

CHUNK = 500

# The Congresses an export keeps; None keeps every one.
Congresses = Sequence[int] | None


def since_moment(since: date | datetime | None) -> datetime | None:
    """`since` as the naive UTC moment the database stores; a date is its midnight."""
    if since is None:
        return None
    if isinstance(since, datetime):
        return since.astimezone(UTC).replace(tzinfo=None) if since.tzinfo else since
    return datetime(since.year, since.month, since.day)


def event_order(table: Any) -> list[Any]:
    # Numeric order for numeric ids ("99999" before "100000"), text order among equals.
    return [func.length(table.c.event_id), table.c.event_id]


def in_congresses(hearings: Any, congresses: Congresses) -> list[Any]:
    return [] if congresses is None else [hearings.c.congress.in_(congresses)]
