"""Exports: one record per entity as JSON Lines or CSV. This is a contract other tools rely on
(field names, types and order are documented in the README); change it only additively.

Output is deterministic: the same database content gives the same bytes, on SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import IO, Any

from sqlalchemy import Connection, Engine, func, select

from hearings.errors import UsageError, quoted
from hearings.store import schema
from hearings.store.postgres import in_binary_order

FORMATS = ("jsonl", "csv")
_CHUNK = 500


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
    connection: Connection, *, since: date | datetime | None = None, congress: int | None = None
) -> Iterator[dict[str, Any]]:
    """One record per meeting, ordered by event id, children loaded a chunk at a time."""
    hearings = schema.hearings
    query = select(hearings).order_by(*_event_order(hearings))
    moment = _since_moment(since)
    if moment is not None:
        query = query.where(hearings.c.update_date >= moment)
    if congress is not None:
        query = query.where(hearings.c.congress == congress)
    rows = connection.execute(query).all()
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        children = _load_children(connection, [row.event_id for row in chunk])
        for row in chunk:
            yield _hearing_record(row, children, row.event_id)


def _load_children(connection: Connection, ids: Sequence[str]) -> dict[str, dict[str, list[Any]]]:
    children: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    r: Any  # rows of several shapes below
    links = schema.hearing_committees
    for r in connection.execute(
        select(links.c.event_id, links.c.system_code)
        .where(links.c.event_id.in_(ids))
        .order_by(links.c.event_id, links.c.ordinal)
    ):
        children[r.event_id]["committees"].append(r.system_code)
    appearances = schema.witness_appearances
    for r in connection.execute(
        select(appearances)
        .where(appearances.c.event_id.in_(ids))
        .order_by(appearances.c.event_id, appearances.c.ordinal)
    ):
        children[r.event_id]["witnesses"].append(
            {
                "witness_id": r.witness_id,
                "name": r.name_as_given,
                "organization": r.organization,
                "position": r.position,
            }
        )
    transcripts = schema.hearing_transcripts
    for r in connection.execute(
        select(transcripts.c.event_id, transcripts.c.jacket_number)
        .where(transcripts.c.event_id.in_(ids))
        .order_by(transcripts.c.event_id, transcripts.c.ordinal)
    ):
        children[r.event_id]["jackets"].append(int(r.jacket_number))
    printed = schema.printed_hearings
    for r in connection.execute(
        select(printed.c.associated_event_id, printed.c.jacket_number)
        .where(printed.c.associated_event_id.in_(ids))
        .order_by(printed.c.associated_event_id, printed.c.jacket_number)
    ):
        jackets = children[r.associated_event_id]["jackets"]
        if int(r.jacket_number) not in jackets:
            jackets.append(int(r.jacket_number))
    links_bills, bills = schema.hearing_bills, schema.bills
    for r in connection.execute(
        select(links_bills.c.event_id, bills.c.congress, bills.c.bill_type, bills.c.number)
        .join(bills, bills.c.bill_id == links_bills.c.bill_id)
        .where(links_bills.c.event_id.in_(ids))
        .order_by(links_bills.c.event_id, links_bills.c.ordinal)
    ):
        children[r.event_id]["bills"].append(
            {"congress": r.congress, "type": r.bill_type, "number": r.number}
        )
    for table in (schema.witness_documents, schema.meeting_documents):
        for r in connection.execute(
            select(table.c.event_id, func.count())
            .where(table.c.event_id.in_(ids))
            .group_by(table.c.event_id)
        ):
            children[r[0]]["documents"].append(int(r[1]))
    videos = schema.videos
    for r in connection.execute(
        select(videos.c.event_id, videos.c.url)
        .where(videos.c.event_id.in_(ids))
        .order_by(videos.c.event_id, videos.c.ordinal)
    ):
        children[r.event_id]["videos"].append(r.url)
    return children


def _hearing_record(
    row: Any, children: dict[str, dict[str, list[Any]]], event_id: str
) -> dict[str, Any]:
    kids = children.get(event_id, {})
    return {
        "event_id": row.event_id,
        "congress": int(row.congress),
        "chamber": row.chamber,
        "type": row.meeting_type,
        "status": row.status,
        "title": row.title,
        "start": iso_utc(row.start_at),
        "update_date": iso_utc(row.update_date),
        "location": {"room": row.room, "building": row.building, "address": row.address},
        "is_stub": bool(row.is_stub),
        "committees": list(kids.get("committees", [])),
        "witnesses": list(kids.get("witnesses", [])),
        "jacket_numbers": list(kids.get("jackets", [])),
        "bills": list(kids.get("bills", [])),
        "documents": sum(kids.get("documents", [])),
        "videos": list(kids.get("videos", [])),
    }


def witness_records(
    connection: Connection, *, since: date | datetime | None = None
) -> Iterator[dict[str, Any]]:
    """One record per witness entity, with its appearances (event id, as given) in date order."""
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
            )
            .join(hearings, hearings.c.event_id == appearances.c.event_id)
            .where(appearances.c.witness_id.in_([w.witness_id for w in chunk]))
            .order_by(
                appearances.c.witness_id,
                hearings.c.start_at,
                *_event_order(appearances),
            )
        ):
            by_witness[r.witness_id].append(
                {
                    "event_id": r.event_id,
                    "start": iso_utc(r.start_at),
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
    connection: Connection, *, since: date | datetime | None = None
) -> Iterator[dict[str, Any]]:
    committees = schema.committees
    counts: dict[str, int] = dict(
        connection.execute(
            select(schema.hearing_committees.c.system_code, func.count()).group_by(
                schema.hearing_committees.c.system_code
            )
        ).all()
    )
    query = select(committees).order_by(
        in_binary_order(committees.c.system_code, connection.dialect.name)
    )
    moment = _since_moment(since)
    if moment is not None:
        query = query.where(committees.c.last_changed_at >= moment)
    for c in connection.execute(query):
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
    connection: Connection, *, since: date | datetime | None = None
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
        )
        .join(hearings, hearings.c.event_id == appearances.c.event_id)
        .order_by(*_event_order(appearances), appearances.c.ordinal)
    )
    moment = _since_moment(since)
    if moment is not None:
        query = query.where(hearings.c.update_date >= moment)
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
                "start": iso_utc(r.start_at),
                "documents": linked[(r.event_id, int(r.ordinal))],
            }


EXPORTERS: dict[str, Callable[..., Iterator[dict[str, Any]]]] = {
    "hearings": hearing_records,
    "witnesses": witness_records,
    "committees": committee_records,
    "members": member_records,
    "appearances": appearance_records,
}


def register_exporter(name: str, exporter: Callable[..., Iterator[dict[str, Any]]]) -> None:
    EXPORTERS[name] = exporter


def write_export(
    engine: Engine,
    entity: str,
    output: IO[str],
    *,
    fmt: str = "jsonl",
    since: date | datetime | None = None,
) -> int:
    """Write every record of `entity` to `output`; returns how many were written."""
    if entity not in EXPORTERS:
        raise UsageError(
            f"Unknown export {quoted(entity)}; choose one of: {', '.join(sorted(EXPORTERS))}."
        )
    if fmt not in FORMATS:
        raise UsageError(f"Unknown format {quoted(fmt)}; choose jsonl or csv.")
    with engine.connect() as connection:
        records = EXPORTERS[entity](connection, since=since)
        if fmt == "jsonl":
            return _write_jsonl(records, output)
        return _write_csv(records, output)


def _write_jsonl(records: Iterable[dict[str, Any]], output: IO[str]) -> int:
    count = 0
    for record in records:
        output.write(json.dumps(record, ensure_ascii=False, sort_keys=False))
        output.write("\n")
        count += 1
    return count


# RFC 4180's line end. It also makes the csv module quote any cell holding a carriage return,
# which with "\n" alone it would leave bare, breaking the row for every reader.
CSV_LINE_END = "\r\n"
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV
# Injection"); full-width forms too, which some spreadsheets fold to ASCII.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _csv_cell(value: Any) -> str:
    # Nested values (lists, objects) are JSON in their cell; scalars as they are.
    if isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False)
    elif value is None:
        return ""
    elif isinstance(value, bool):
        return "true" if value else "false"
    else:
        text = str(value)
    return neutralize_formula(text)


def neutralize_formula(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs: one that starts (after any spaces) with a
    formula character gets a leading apostrophe, as OWASP advises. JSON exports stay exact."""
    if text.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _write_csv(records: Iterable[dict[str, Any]], output: IO[str]) -> int:
    writer: csv.DictWriter[str] | None = None
    count = 0
    for record in records:
        if writer is None:
            writer = csv.DictWriter(output, fieldnames=list(record), lineterminator=CSV_LINE_END)
            writer.writeheader()
        writer.writerow({k: _csv_cell(v) for k, v in record.items()})
        count += 1
    return count


def export_to_string(engine: Engine, entity: str, *, fmt: str = "jsonl") -> str:
    buffer = io.StringIO()
    write_export(engine, entity, buffer, fmt=fmt)
    return buffer.getvalue()
