"""The meeting export (`hearings export hearings`): one record per meeting, in the contract's
field names, types and order (documented in the README); change it only additively."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select

from hearings.reports.export_query import CHUNK, Congresses, event_order, since_moment
from hearings.store import schema
from hearings.store.meeting_record import (
    MEETING_COLUMNS,
    SCALAR_FIELDS,
    Meeting,
    meetings_of_rows,
    scalar_values,
)
from hearings.store.meeting_start import start_iso


def hearing_records(
    connection: Connection,
    *,
    since: date | datetime | None = None,
    congress: int | None = None,
    congresses: Congresses = None,
) -> Iterator[dict[str, Any]]:
    """One record per meeting, ordered by event id, children loaded a chunk at a time;
    `congresses` keeps the meetings of those Congresses."""
    hearings = schema.hearings
    query = select(*MEETING_COLUMNS).order_by(*event_order(hearings))
    moment = since_moment(since)
    if moment is not None:
        query = query.where(hearings.c.update_date >= moment)
    if congress is not None:
        query = query.where(hearings.c.congress == congress)
    if congresses is not None:
        query = query.where(hearings.c.congress.in_(congresses))
    rows = connection.execute(query).all()
    for start in range(0, len(rows), CHUNK):
        for meeting in meetings_of_rows(connection, rows[start : start + CHUNK]):
            yield hearing_record(meeting)


# The meeting fields the contract places first, by their exported names, in order.
_LEADING = ("event_id", "congress", "chamber", "type", "status", "title", "start", "update_date")
# When this database first saw and last changed a meeting: its own bookkeeping, not the meeting's.
_NOT_EXPORTED = frozenset(("first_seen_at", "last_changed_at"))
_PLACED = frozenset((*_LEADING, "is_stub")) | _NOT_EXPORTED
# The read model's other scalar fields follow the contract's own, so the export grows only
# additively as the model gains fields.
_LATER = tuple(f.shown_as for f in SCALAR_FIELDS if f.shown_as not in _PLACED)


def _exported(value: Any) -> Any:
    # A `date` is the start of a meeting whose date came without a time: `2025-06-24`.
    return start_iso(value) if isinstance(value, date) else value


def hearing_record(meeting: Meeting) -> dict[str, Any]:
    """The export record of a meeting (the contract: field names, types and order)."""
    scalars = scalar_values(meeting)
    record = {name: _exported(scalars[name]) for name in _LEADING}
    record["location"] = {
        "room": meeting.room,
        "building": meeting.building,
        "address": meeting.address,
    }
    record["is_stub"] = scalars["is_stub"]
    record["committees"] = [c.system_code for c in meeting.committees]
    record["witnesses"] = [
        {
            "witness_id": w.witness_id,
            "name": w.name,
            "organization": w.organization,
            "position": w.position,
        }
        for w in meeting.witnesses
    ]
    record["jacket_numbers"] = meeting.jacket_numbers
    record["bills"] = [
        {"congress": b.congress, "type": b.bill_type, "number": b.number} for b in meeting.bills
    ]
    record["documents"] = meeting.document_count
    record["videos"] = [v.url for v in meeting.videos]
    for name in _LATER:
        record[name] = _exported(scalars[name])
    return record


HEARING_FIELDS = (
    *_LEADING,
    "location",
    "is_stub",
    "committees",
    "witnesses",
    "jacket_numbers",
    "bills",
    "documents",
    "videos",
    *_LATER,
)
