"""Exports: one record per entity as JSON Lines or CSV. This is a contract other tools rely on
(field names, types and order are documented in the README); change it only additively.

Output is deterministic: the same database content gives the same bytes, on SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import IO, Any

from sqlalchemy import Connection, Engine, func, select

from hearings.errors import UsageError, quoted
from hearings.reports.export_formats import FORMATS, write_csv, write_jsonl
from hearings.store import schema
from hearings.store.meeting_record import (
    MEETING_COLUMNS,
    SCALAR_FIELDS,
    Meeting,
    meetings_of_rows,
    scalar_values,
)
from hearings.store.meeting_start import shown_start, start_iso
from hearings.store.postgres import in_binary_order

_CHUNK = 500


# The Congresses an export keeps; None keeps every one.
Congresses = Sequence[int] | None


def iso_utc(moment: datetime | None) -> str | None:
    """`YYYY-MM-DDTHH:MM:SSZ`, or None."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _since_moment(since: date | datetime | None) -> datetime | None:
    if since is None:
        return None
    if isinstance(since, datetime):
        return since.astimezone(UTC).replace(tzinfo=None) if since.tzinfo else since
    return datetime(since.year, since.month, since.day)


def _event_order(table: Any) -> list[Any]:
    # Numeric order for numeric ids ("99999" before "100000"), text order among equals.
    return [func.length(table.c.event_id), table.c.event_id]


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
    query = select(*MEETING_COLUMNS).order_by(*_event_order(hearings))
    moment = _since_moment(since)
    if moment is not None:
        query = query.where(hearings.c.update_date >= moment)
    if congress is not None:
        query = query.where(hearings.c.congress == congress)
    if congresses is not None:
        query = query.where(hearings.c.congress.in_(congresses))
    rows = connection.execute(query).all()
    for start in range(0, len(rows), _CHUNK):
        for meeting in meetings_of_rows(connection, rows[start : start + _CHUNK]):
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


def witness_records(
    connection: Connection, *, since: date | datetime | None = None, congresses: Congresses = None
) -> Iterator[dict[str, Any]]:
    """One record per witness entity, with its appearances (event id, as given) in date order;
    `congresses` keeps the witnesses who appeared in those Congresses, with those appearances."""
    witnesses, appearances, hearings = (
        schema.witnesses,
        schema.witness_appearances,
        schema.hearings,
    )
    moment = _since_moment(since)
    query = select(witnesses).order_by(
        in_binary_order(witnesses.c.witness_id, connection.dialect.name)
    )
    if moment is not None:
        query = query.where(witnesses.c.first_seen_at >= moment)
    if congresses is not None:
        query = query.where(
            witnesses.c.witness_id.in_(
                select(appearances.c.witness_id)
                .join(hearings, hearings.c.event_id == appearances.c.event_id)
                .where(hearings.c.congress.in_(congresses))
            )
        )
    entity_rows = connection.execute(query).all()
    for start in range(0, len(entity_rows), _CHUNK):
        chunk = entity_rows[start : start + _CHUNK]
        by_witness: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in connection.execute(
            select(
                appearances.c.witness_id,
                appearances.c.event_id,
                appearances.c.name_as_given,
                appearances.c.organization,
                appearances.c.position,
                hearings.c.start_at,
                hearings.c.start_date_only,
            )
            .join(hearings, hearings.c.event_id == appearances.c.event_id)
            .where(
                appearances.c.witness_id.in_([w.witness_id for w in chunk]),
                *_in_congresses(hearings, congresses),
            )
            .order_by(
                appearances.c.witness_id,
                hearings.c.start_at,
                *_event_order(appearances),
            )
        ):
            by_witness[r.witness_id].append(
                {
                    "event_id": r.event_id,
                    "start": start_iso(shown_start(r.start_at, r.start_date_only)),
                    "name": r.name_as_given,
                    "organization": r.organization,
                    "position": r.position,
                }
            )
        for w in chunk:
            yield {
                "witness_id": w.witness_id,
                "name": w.display_name,
                "normalized_name": w.normalized_name,
                "honorific": w.honorific,
                "first_name": w.first_name,
                "last_name": w.last_name,
                "suffix": w.suffix,
                "organization": w.organization,
                "appearance_count": len(by_witness[w.witness_id]),
                "appearances": by_witness[w.witness_id],
            }


def committee_records(
    connection: Connection, *, since: date | datetime | None = None, congresses: Congresses = None
) -> Iterator[dict[str, Any]]:
    """One record per committee, by system code; `congresses` keeps the committees that met in
    those Congresses, and counts only those meetings."""
    committees, links = schema.committees, schema.hearing_committees
    counted = select(links.c.system_code, func.count()).group_by(links.c.system_code)
    if congresses is not None:
        counted = counted.join(
            schema.hearings, schema.hearings.c.event_id == links.c.event_id
        ).where(schema.hearings.c.congress.in_(congresses))
    counts: dict[str, int] = dict(connection.execute(counted).all())
    query = select(committees).order_by(
        in_binary_order(committees.c.system_code, connection.dialect.name)
    )
    moment = _since_moment(since)
    if moment is not None:
        query = query.where(committees.c.last_changed_at >= moment)
    for c in connection.execute(query):
        if congresses is not None and c.system_code not in counts:
            continue
        yield {
            "system_code": c.system_code,
            "name": c.name,
            "chamber": c.chamber,
            "type": c.committee_type,
            "parent": c.parent_code,
            "is_current": c.is_current,
            "update_date": iso_utc(c.update_date),
            "hearing_count": int(counts.get(c.system_code, 0)),
        }


def member_records(
    connection: Connection, *, since: date | datetime | None = None
) -> Iterator[dict[str, Any]]:
    """One record per member, by bioguide id; `since` keeps those changed on or after it."""
    members = schema.members
    query = select(members).order_by(
        in_binary_order(members.c.bioguide_id, connection.dialect.name)
    )
    moment = _since_moment(since)
    if moment is not None:
        query = query.where(members.c.last_changed_at >= moment)
    for m in connection.execute(query):
        yield {
            "bioguide_id": m.bioguide_id,
            "name": m.name,
            "first_name": m.first_name,
            "last_name": m.last_name,
            "party": m.party,
            "state": m.state,
            "district": m.district,
            "chamber": m.chamber,
            "image_url": m.image_url,
            "update_date": iso_utc(m.update_date),
        }


def appearance_records(
    connection: Connection, *, since: date | datetime | None = None, congresses: Congresses = None
) -> Iterator[dict[str, Any]]:
    """One record per witness appearance, by meeting (numerically) and place in its list; `since`
    keeps the appearances of meetings whose `update_date` is on or after it, like `hearings`."""
    appearances, hearings = schema.witness_appearances, schema.hearings
    query = (
        select(
            appearances,
            hearings.c.congress,
            hearings.c.chamber,
            hearings.c.start_at,
            hearings.c.start_date_only,
        )
        .join(hearings, hearings.c.event_id == appearances.c.event_id)
        .order_by(*_event_order(appearances), appearances.c.ordinal)
    )
    moment = _since_moment(since)
    if moment is not None:
        query = query.where(hearings.c.update_date >= moment)
    query = query.where(*_in_congresses(hearings, congresses))
    rows = connection.execute(query).all()
    documents = schema.witness_documents
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        linked: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
        for d in connection.execute(
            select(documents)
            .where(
                documents.c.event_id.in_({r.event_id for r in chunk}),
                documents.c.appearance_ordinal.isnot(None),
            )
            .order_by(documents.c.event_id, documents.c.ordinal)
        ):
            linked[(d.event_id, int(d.appearance_ordinal))].append(
                {"type": d.document_type, "format": d.format, "url": d.url}
            )
        for r in chunk:
            yield {
                "event_id": r.event_id,
                "ordinal": int(r.ordinal),
                "witness_id": r.witness_id,
                "name": r.name_as_given,
                "organization": r.organization,
                "position": r.position,
                "congress": int(r.congress),
                "chamber": r.chamber,
                "start": start_iso(shown_start(r.start_at, r.start_date_only)),
                "documents": linked[(r.event_id, int(r.ordinal))],
            }


EXPORTERS: dict[str, Callable[..., Iterator[dict[str, Any]]]] = {
    "hearings": hearing_records,
    "witnesses": witness_records,
    "committees": committee_records,
    "members": member_records,
    "appearances": appearance_records,
}


def _in_congresses(hearings: Any, congresses: Congresses) -> list[Any]:
    return [] if congresses is None else [hearings.c.congress.in_(congresses)]


# The exports `--congress` narrows (members belong to no one Congress in the database).
BY_CONGRESS = ("hearings", "witnesses", "committees", "appearances")


def register_exporter(name: str, exporter: Callable[..., Iterator[dict[str, Any]]]) -> None:
    EXPORTERS[name] = exporter


def write_export(
    engine: Engine,
    entity: str,
    output: IO[str],
    *,
    fmt: str = "jsonl",
    since: date | datetime | None = None,
    congresses: Congresses = None,
) -> int:
    """Write every record of `entity` to `output` (of `congresses` only, when given); returns
    how many were written."""
    if entity not in EXPORTERS:
        raise UsageError(
            f"Unknown export {quoted(entity)}; choose one of: {', '.join(sorted(EXPORTERS))}."
        )
    if fmt not in FORMATS:
        raise UsageError(f"Unknown format {quoted(fmt)}; choose jsonl or csv.")
    if congresses is not None and entity not in BY_CONGRESS:
        raise UsageError(
            f"{entity.capitalize()} are not stored by Congress: export them without --congress."
        )
    with engine.connect() as connection:
        narrowed = {} if congresses is None else {"congresses": congresses}
        records = EXPORTERS[entity](connection, since=since, **narrowed)
        if fmt == "jsonl":
            return write_jsonl(records, output)
        return write_csv(records, output)


def export_to_string(engine: Engine, entity: str, *, fmt: str = "jsonl") -> str:
    buffer = io.StringIO()
    write_export(engine, entity, buffer, fmt=fmt)
    return buffer.getvalue()
