"""The read model of a meeting: one record, built here from the database, that the export, the
JSON API, the pages, the feeds and the report all map from.

A new scalar field of a meeting (tried end to end with the API's meeting `description`, not
merged) touches: the API model (congress_api/models.py), the column (store/schema.py) and its
migration, a field of `Meeting` and a line of SCALAR_FIELDS here (the export and the JSON API
follow), the hearing page (hearing.html), history's sentence (reports/history.py), the README's
export table and a test: 6 source files, 8 in all. Before SCALAR_FIELDS and records.hearing_row
it was 9 and 11 (store/records.py, reports/export.py and web/detail.py too).

Records are built for many meetings at once, one query per part (no query per meeting).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from functools import cache
from typing import Any, Literal

from sqlalchemy import Connection, Row, bindparam, select

from hearings.store import schema
from hearings.store.meeting_parts import (
    Appearance,
    Bill,
    CommitteeLink,
    Document,
    PrintedHearingLink,
    Video,
    bills_by_event,
    committees_by_event,
    printed_hearings_by_event,
    videos_by_event,
    witnesses_by_event,
)
from hearings.store.meeting_start import Start, shown_start

Part = Literal["committees", "witnesses", "documents", "videos", "bills", "printed_hearings"]
ALL_PARTS: frozenset[Part] = frozenset(
    ("committees", "witnesses", "documents", "videos", "bills", "printed_hearings")
)
# What a list of meetings shows: committees and the witnesses (for their count).
LIST_PARTS: frozenset[Part] = frozenset(("committees", "witnesses"))
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Meeting:
    """A meeting: the `hearings` row (fields named as its columns) and what hangs off it. Parts
    not asked for when loading are left empty."""

    event_id: str
    congress: int
    chamber: str
    meeting_type: str | None
    status: str | None
    title: str | None
    # The moment lists sort and filter on; `start` is what to show (a day has no time).
    start_at: datetime | None
    room: str | None
    building: str | None
    address: str | None
    is_stub: bool
    update_date: datetime | None
    content_hash: str
    first_seen_at: datetime
    last_changed_at: datetime
    # True when the API gave a day without a time (store/meeting_start.py).
    start_date_only: bool = False
    committees: tuple[CommitteeLink, ...] = ()
    witnesses: tuple[Appearance, ...] = ()
    # Witness documents no appearance's name matches: they stay on the meeting.
    unmatched_witness_documents: tuple[Document, ...] = ()
    meeting_documents: tuple[Document, ...] = ()
    videos: tuple[Video, ...] = ()
    bills: tuple[Bill, ...] = ()
    printed_hearings: tuple[PrintedHearingLink, ...] = ()

    @property
    def start(self) -> Start | None:
        """The start as given: a UTC moment, or the Eastern day when the API gave no time."""
        return shown_start(self.start_at, self.start_date_only)

    @property
    def witness_count(self) -> int:
        return len(self.witnesses)

    @property
    def document_count(self) -> int:
        """Every document: the meeting's and its witnesses'."""
        matched = sum(len(w.documents) for w in self.witnesses)
        return matched + len(self.unmatched_witness_documents) + len(self.meeting_documents)

    @property
    def jacket_numbers(self) -> list[int]:
        return [p.jacket_number for p in self.printed_hearings]

    @property
    def is_canceled(self) -> bool:
        return (self.status or "").lower() in ("canceled", "cancelled")

    @property
    def is_postponed(self) -> bool:
        return (self.status or "").lower() == "postponed"


@dataclass(frozen=True, slots=True)
class ScalarField:
    """A field of `Meeting` that the export and the JSON API show as one value, and the name
    they show it under."""

    attribute: str
    shown_as: str


# The meeting's own values as the outputs show them, in order. Each output places those its
# contract fixes and shows the rest after its own fields, so a field added here (at the end)
# reaches the export and the JSON API without a line in either.
SCALAR_FIELDS: tuple[ScalarField, ...] = (
    ScalarField("event_id", "event_id"),
    ScalarField("congress", "congress"),
    ScalarField("chamber", "chamber"),
    ScalarField("meeting_type", "type"),
    ScalarField("status", "status"),
    ScalarField("title", "title"),
    ScalarField("start", "start"),
    ScalarField("update_date", "update_date"),
    ScalarField("is_stub", "is_stub"),
    ScalarField("first_seen_at", "first_seen_at"),
    ScalarField("last_changed_at", "last_changed_at"),
)


def scalar_values(meeting: Meeting) -> dict[str, Any]:
    """The meeting's SCALAR_FIELDS by the names they are shown under, in order, as stored (each
    output writes date-times its own way)."""
    return {shown_as: getattr(meeting, attribute) for attribute, shown_as in _SHOWN}


_SHOWN = tuple((f.attribute, f.shown_as) for f in SCALAR_FIELDS)


_FIELDS = tuple(f.name for f in fields(Meeting))
_ROW_FIELDS = tuple(f.name for f in fields(Meeting) if f.name in schema.hearings.c)
# The `hearings` columns a record reads: every one the record has a field for.
MEETING_COLUMNS = tuple(schema.hearings.c[name] for name in _ROW_FIELDS)
_FIELD_INDEX = {name: index for index, name in enumerate(_FIELDS)}
_CONGRESS = _ROW_FIELDS.index("congress")
_FLAGS = (_ROW_FIELDS.index("is_stub"), _ROW_FIELDS.index("start_date_only"))
_ONE = select(*MEETING_COLUMNS).where(schema.hearings.c.event_id == bindparam("event_id"))
_SOME = select(*MEETING_COLUMNS).where(
    schema.hearings.c.event_id.in_(bindparam("ids", expanding=True))
)


def meeting_of_row(row: Row[Any]) -> Meeting:
    """The record of one `hearings` row (any select that includes MEETING_COLUMNS), no parts."""
    return _meeting(row, _positions(row))


def _positions(row: Row[Any]) -> tuple[int, ...]:
    # Reading a row by position is several times cheaper than through `row._mapping`.
    return _positions_of(row._fields)


@cache
def _positions_of(names: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(names.index(name) for name in _ROW_FIELDS)


def _meeting(
    row: Row[Any], positions: tuple[int, ...], parts: dict[str, Any] | None = None
) -> Meeting:
    values = [row[i] for i in positions]
    values[_CONGRESS] = int(values[_CONGRESS])
    for flag in _FLAGS:
        values[flag] = bool(values[flag])
    return Meeting(*values, **parts) if parts else Meeting(*values)


def load_meeting(
    connection: Connection, event_id: str, parts: Collection[Part] = ALL_PARTS
) -> Meeting | None:
    """One meeting with `parts`, or None."""
    row = connection.execute(_ONE, {"event_id": event_id}).first()
    if row is None:
        return None
    return meetings_of_rows(connection, [row], parts)[0]


def meetings_of_rows(
    connection: Connection, rows: Iterable[Row[Any]], parts: Collection[Part] = ALL_PARTS
) -> list[Meeting]:
    """The records of `hearings` rows, in their order, with `parts` loaded."""
    listed = list(rows)
    if not listed:
        return []
    positions = _positions(listed[0])
    event_id = positions[_ROW_FIELDS.index("event_id")]
    found: list[Meeting] = []
    for start in range(0, len(listed), _CHUNK):
        chunk = listed[start : start + _CHUNK]
        by_event = _parts(connection, [row[event_id] for row in chunk], parts)
        # Each record is built once, with its parts (records are frozen).
        found += [_meeting(row, positions, by_event.get(row[event_id])) for row in chunk]
    return found


def load_meetings(
    connection: Connection, event_ids: Iterable[str], parts: Collection[Part] = ALL_PARTS
) -> dict[str, Meeting]:
    """The meetings of `event_ids` the database holds, by event id."""
    found: list[Meeting] = []
    for chunk in _chunks(sorted(set(event_ids))):
        rows = connection.execute(_SOME, {"ids": chunk})
        found += meetings_of_rows(connection, rows, parts)
    return {m.event_id: m for m in found}


def with_parts(
    connection: Connection, meetings: Sequence[Meeting], parts: Collection[Part]
) -> list[Meeting]:
    """`meetings` with `parts` loaded: one query per part for each 500 meetings."""
    if not parts or not meetings:
        return list(meetings)
    loaded: list[Meeting] = []
    for start in range(0, len(meetings), _CHUNK):
        chunk = meetings[start : start + _CHUNK]
        found = _parts(connection, [m.event_id for m in chunk], parts)
        loaded += [_with(m, found[m.event_id]) if m.event_id in found else m for m in chunk]
    return loaded


def _parts(
    connection: Connection, ids: list[str], parts: Collection[Part]
) -> dict[str, dict[str, Any]]:
    """The `parts` of up to 500 meetings, one query each: {event id: {field: tuple}}."""
    found: dict[str, dict[str, Any]] = defaultdict(dict)
    if "committees" in parts:
        _put(found, "committees", committees_by_event(connection, ids))
    if "witnesses" in parts or "documents" in parts:
        witnesses = witnesses_by_event(connection, ids, documents="documents" in parts)
        _put(found, "witnesses", witnesses.appearances)
        _put(found, "unmatched_witness_documents", witnesses.unmatched)
        _put(found, "meeting_documents", witnesses.meeting_documents)
    if "videos" in parts:
        _put(found, "videos", videos_by_event(connection, ids))
    if "bills" in parts:
        _put(found, "bills", bills_by_event(connection, ids))
    if "printed_hearings" in parts:
        _put(found, "printed_hearings", printed_hearings_by_event(connection, ids))
    return found


def _with(meeting: Meeting, parts: dict[str, Any]) -> Meeting:
    # What `dataclasses.replace` does, at a third of its cost (it runs for every meeting).
    values = [getattr(meeting, name) for name in _FIELDS]
    for name, value in parts.items():
        values[_FIELD_INDEX[name]] = value
    return Meeting(*values)


def _put(found: dict[str, dict[str, Any]], part: str, by_event: Mapping[str, list[Any]]) -> None:
    for event_id, items in by_event.items():
        found[event_id][part] = tuple(items)


def _chunks(items: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield list(items[start : start + _CHUNK])
