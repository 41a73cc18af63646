"""Exports: one record per entity as JSON Lines or CSV. This is a contract other tools rely on
(field names, types and order are documented in the README); change it only additively.

Output is deterministic: the same database content gives the same bytes, on SQLite and
PostgreSQL alike. The meeting records are made in `meeting_export`, the witness and appearance
records in `witness_export`; the committee and member records, a row each, are made here.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import IO, Any

from sqlalchemy import Connection, Engine, func, select

from hearings.errors import UsageError, quoted
from hearings.reports.export_formats import FORMATS, write_csv, write_jsonl
from hearings.reports.export_query import Congresses, since_moment
from hearings.reports.meeting_export import HEARING_FIELDS, hearing_records
from hearings.reports.witness_export import (
    APPEARANCE_FIELDS,
    WITNESS_FIELDS,
    appearance_records,
    witness_records,
)
from hearings.store import schema
from hearings.store.postgres import in_binary_order


def iso_utc(moment: datetime | None) -> str | None:
    """`YYYY-MM-DDTHH:MM:SSZ`, or None."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


COMMITTEE_FIELDS = (
    "system_code",
    "name",
    "chamber",
    "type",
    "parent",
    "is_current",
    "update_date",
    "hearing_count",
)
MEMBER_FIELDS = (
    "bioguide_id",
    "name",
    "first_name",
    "last_name",
    "party",
    "state",
    "district",
    "chamber",
    "image_url",
    "update_date",
)


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
    moment = since_moment(since)
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
    moment = since_moment(since)
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


EXPORTERS: dict[str, Callable[..., Iterator[dict[str, Any]]]] = {
    "hearings": hearing_records,
    "witnesses": witness_records,
    "committees": committee_records,
    "members": member_records,
    "appearances": appearance_records,
}

# Each export's columns, in order: a CSV's header, written even when no record follows.
EXPORT_FIELDS: dict[str, tuple[str, ...]] = {
    "hearings": HEARING_FIELDS,
    "witnesses": WITNESS_FIELDS,
    "committees": COMMITTEE_FIELDS,
    "members": MEMBER_FIELDS,
    "appearances": APPEARANCE_FIELDS,
}

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
        return write_csv(records, output, EXPORT_FIELDS.get(entity))


def export_to_string(engine: Engine, entity: str, *, fmt: str = "jsonl") -> str:
    buffer = io.StringIO()
    write_export(engine, entity, buffer, fmt=fmt)
    return buffer.getvalue()
