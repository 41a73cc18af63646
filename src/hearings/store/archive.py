"""The payload archive (`payload_archive`): every distinct version of every record the gate
admitted, as the API sent it, compressed. Written in the transaction of the rows derived from it,
so the archive and the tables never disagree; read by history and by a rebuild without the API.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic_core import from_json
from sqlalchemy import (
    Connection,
    DateTime,
    Select,
    Subquery,
    bindparam,
    func,
    insert,
    select,
    tuple_,
    update,
)

from hearings.store import schema
from hearings.store.records import utc_naive

# zlib's fastest level: 3-4% larger than the default level 6 on these payloads, at half the
# cost (the archive write is on every batch's path). Keys keep the API's order: nothing compares
# the stored bytes, only the unpacked payloads.
_LEVEL = 1
_CHUNK = 400


@dataclass(frozen=True, slots=True)
class Version:
    """One version of one record, as admitted."""

    entity: str
    identifier: str
    content_hash: str
    payload: dict[str, Any]
    update_date: datetime | None
    locator: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ArchivedVersion:
    version_id: int
    entity: str
    identifier: str
    content_hash: str
    payload: dict[str, Any]
    update_date: datetime | None
    locator: dict[str, Any] | None
    first_seen_at: datetime
    last_seen_at: datetime
    run_id: int | None


def pack(payload: dict[str, Any]) -> bytes:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode("utf-8"), _LEVEL)


def unpack(blob: bytes) -> dict[str, Any]:
    value: dict[str, Any] = decode_json(unpack_text(blob))
    return value


def decode_json(text: str) -> Any:
    """`json.loads(text)` at half its cost (a rebuild decodes every archived payload): pydantic-
    core's parser gives the same value for every text both accept. What only Python's accepts (a
    lone surrogate, escaped or not; nesting deeper than 200 levels) it refuses, and `json.loads`
    takes it."""
    try:
        return from_json(text)
    except (ValueError, TypeError):  # TypeError: a lone surrogate that UTF-8 cannot encode
        return json.loads(text)


def unpack_text(blob: bytes) -> str:
    """The stored payload as the JSON text `pack` wrote."""
    return zlib.decompress(blob).decode("utf-8")


def archive_versions(
    connection: Connection, versions: Sequence[Version], *, run_id: int | None, now: datetime
) -> int:
    """Keep each version not archived yet, and mark the others seen again; in the caller's
    transaction. Returns how many versions were new."""
    if not versions:
        return 0
    table = schema.payload_archive
    unique = list({(v.entity, v.identifier, v.content_hash): v for v in versions}.values())
    known: set[tuple[str, str, str]] = set()
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        keys = [(v.entity, v.identifier, v.content_hash) for v in chunk]
        key_columns = tuple_(table.c.entity, table.c.identifier, table.c.content_hash)
        found = connection.execute(
            select(table.c.entity, table.c.identifier, table.c.content_hash).where(
                key_columns.in_(keys)
            )
        )
        known.update((r.entity, r.identifier, r.content_hash) for r in found)
    seen_again = [v for v in unique if (v.entity, v.identifier, v.content_hash) in known]
    new = [v for v in unique if (v.entity, v.identifier, v.content_hash) not in known]
    if new:
        connection.execute(
            insert(table),
            [
                {
                    "entity": v.entity,
                    "identifier": v.identifier,
                    "content_hash": v.content_hash,
                    "payload": pack(v.payload),
                    "update_date": utc_naive(v.update_date),
                    "locator": v.locator,
                    "first_seen_at": now,
                    "last_seen_at": now,
                    "run_id": run_id,
                }
                for v in new
            ],
        )
    if seen_again:
        # Touched upstream without changing: the same version, seen again with a newer date.
        connection.execute(
            update(table)
            .where(
                table.c.entity == bindparam("b_entity"),
                table.c.identifier == bindparam("b_identifier"),
                table.c.content_hash == bindparam("b_content_hash"),
            )
            .values(
                last_seen_at=now,
                update_date=func.coalesce(
                    bindparam("b_update_date", type_=DateTime), table.c.update_date
                ),
            ),
            [
                {
                    "b_entity": v.entity,
                    "b_identifier": v.identifier,
                    "b_content_hash": v.content_hash,
                    "b_update_date": utc_naive(v.update_date),
                }
                for v in seen_again
            ],
        )
    return len(new)


def versions_of(connection: Connection, entity: str, identifier: str) -> list[ArchivedVersion]:
    """Every archived version of one record, oldest first."""
    table = schema.payload_archive
    rows = connection.execute(
        select(table)
        .where(table.c.entity == entity, table.c.identifier == identifier)
        .order_by(table.c.first_seen_at, table.c.version_id)
    )
    return [_archived(row) for row in rows]


def newest_version_ids(entity: str) -> Subquery:
    """A subquery of each `entity` record's identifier and its newest version's id."""
    table = schema.payload_archive
    return (
        select(table.c.identifier, func.max(table.c.version_id).label("version_id"))
        .where(table.c.entity == entity)
        .group_by(table.c.identifier)
        .subquery()
    )


def latest_versions(connection: Connection, entity: str) -> Iterable[ArchivedVersion]:
    """The newest archived version of each record of `entity`, by identifier."""
    table = schema.payload_archive
    newest = newest_version_ids(entity)
    rows = connection.execute(
        select(table)
        .join(newest, newest.c.version_id == table.c.version_id)
        .order_by(table.c.identifier)
    )
    for row in rows:
        yield _archived(row)


def archived_record_counts(connection: Connection) -> dict[str, int]:
    """How many records of each entity have at least one archived version."""
    table = schema.payload_archive
    rows = connection.execute(
        select(table.c.entity, func.count(func.distinct(table.c.identifier))).group_by(
            table.c.entity
        )
    )
    return {entity: int(count) for entity, count in rows}


def _archived(row: Any) -> ArchivedVersion:
    return ArchivedVersion(
        version_id=int(row.version_id),
        entity=row.entity,
        identifier=row.identifier,
        content_hash=row.content_hash,
        payload=unpack(row.payload),
        update_date=row.update_date,
        locator=row.locator,
        first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at,
        run_id=row.run_id,
    )


@dataclass(frozen=True, slots=True)
class VersionStep:
    """A later version of a record and the version before it: one change, not yet unpacked."""

    version_id: int
    previous_id: int
    identifier: str
    number: int
    first_seen_at: datetime
    run_id: int | None


def version_steps(
    connection: Connection,
    entity: str,
    *,
    since: datetime | None = None,
    among: Select[Any] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[int, list[VersionStep]]:
    """The versions of `entity` first seen at or after `since` that have an earlier version,
    newest first, with how many there are in all. `among` is a select of the identifiers to
    keep (None: every record). Nothing is unpacked."""
    table = schema.payload_archive
    earlier = table.alias("earlier")
    previous_id = (
        select(func.max(earlier.c.version_id))
        .where(
            earlier.c.entity == table.c.entity,
            earlier.c.identifier == table.c.identifier,
            earlier.c.version_id < table.c.version_id,
        )
        .scalar_subquery()
    )
    number = (
        select(func.count())
        .select_from(earlier)
        .where(
            earlier.c.entity == table.c.entity,
            earlier.c.identifier == table.c.identifier,
            earlier.c.version_id <= table.c.version_id,
        )
        .scalar_subquery()
    )
    clauses = [table.c.entity == entity, previous_id.is_not(None)]
    if since is not None:
        clauses.append(table.c.first_seen_at >= utc_naive(since))
    if among is not None:
        clauses.append(table.c.identifier.in_(among))
    total = int(
        connection.execute(select(func.count()).select_from(table).where(*clauses)).scalar_one()
    )
    query = (
        select(
            table.c.version_id,
            previous_id.label("previous_id"),
            table.c.identifier,
            number.label("number"),
            table.c.first_seen_at,
            table.c.run_id,
        )
        .where(*clauses)
        .order_by(table.c.first_seen_at.desc(), table.c.version_id.desc())
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    steps = [
        VersionStep(
            version_id=int(row.version_id),
            previous_id=int(row.previous_id),
            identifier=row.identifier,
            number=int(row.number),
            first_seen_at=row.first_seen_at,
            run_id=row.run_id,
        )
        for row in connection.execute(query)
    ]
    return total, steps


def payloads_of(connection: Connection, version_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The unpacked payloads of the given versions, by version id."""
    table = schema.payload_archive
    wanted = sorted(set(version_ids))
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = connection.execute(
            select(table.c.version_id, table.c.payload).where(table.c.version_id.in_(chunk))
        )
        found.update((int(row.version_id), unpack(row.payload)) for row in rows)
    return found


def version_counts(
    connection: Connection, entity: str, identifiers: Iterable[str]
) -> dict[str, int]:
    """How many versions of each record the archive holds (records without any are left out)."""
    table = schema.payload_archive
    wanted = sorted(set(identifiers))
    counts: dict[str, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = connection.execute(
            select(table.c.identifier, func.count())
            .where(table.c.entity == entity, table.c.identifier.in_(chunk))
            .group_by(table.c.identifier)
        )
        counts.update((identifier, int(count)) for identifier, count in rows)
    return counts
