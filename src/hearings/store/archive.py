"""The payload archive (`payload_archive`): every distinct version of every record the gate
admitted, as the API sent it, compressed. Written in the transaction of the rows derived from it,
so the archive and the tables never disagree; read by history and by a rebuild without the API.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic_core import from_json
from sqlalchemy import (
    ColumnElement,
    Connection,
    DateTime,
    LargeBinary,
    Subquery,
    bindparam,
    cast,
    func,
    insert,
    select,
    tuple_,
    update,
)

from hearings.errors import DatabaseUnreadable
from hearings.store import schema
from hearings.store.records import utc_naive

log = logging.getLogger(__name__)

# zlib's fastest level: 3-4% larger than the default level 6 on these payloads, at half the
# cost (the archive write is on every batch's path). Keys keep the API's order: nothing compares
# the stored bytes, only the unpacked payloads.
_LEVEL = 1
# Versions one statement names at most (well within every backend's bound-parameter limit).
CHUNK = 400


@dataclass(frozen=True, slots=True)
class Version:
    """One version of one record, as admitted."""

    entity: str
    identifier: str
    content_hash: str
    payload: dict[str, Any]
    update_date: datetime | None
    locator: dict[str, Any] | None = None


class DamagedPayload(DatabaseUnreadable):
    """An archived payload that cannot be read back. SQLite's integrity check reads a file's
    structure, not the values it holds, so a damaged value passes it."""


@dataclass(frozen=True, slots=True)
class ArchivedVersion:
    version_id: int
    entity: str
    identifier: str
    content_hash: str
    # None when the stored payload cannot be read back (`DamagedPayload`).
    payload: dict[str, Any] | None
    update_date: datetime | None
    locator: dict[str, Any] | None
    first_seen_at: datetime
    last_seen_at: datetime
    run_id: int | None


def version_name(entity: str, identifier: str, version_id: int | None = None) -> str:
    """`meeting 115446 (archive version 12)`, as sentences about the archive name a version."""
    record = f"{entity.replace('_', ' ')} {identifier}"
    return record if version_id is None else f"{record} (archive version {version_id})"


def pack(payload: dict[str, Any]) -> bytes:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode("utf-8"), _LEVEL)


def unpack(blob: bytes, of: str = "an archived version") -> dict[str, Any]:
    """The payload `pack` wrote; `DamagedPayload`, naming it as `of`, when it cannot be read."""
    try:
        value = decode_json(unpack_text(blob, of))
    except (ValueError, RecursionError) as exc:
        raise DamagedPayload(_damaged(of, f"not JSON: {str(exc)[:80]}")) from None
    if not isinstance(value, dict):
        raise DamagedPayload(_damaged(of, "it is not a JSON object"))
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


def unpack_text(blob: bytes, of: str = "an archived version") -> str:
    """The stored payload as the JSON text `pack` wrote; `DamagedPayload` when it cannot be read
    (zlib's checksum catches a changed byte)."""
    try:
        return zlib.decompress(blob).decode("utf-8")
    except (zlib.error, UnicodeDecodeError, TypeError) as exc:  # TypeError: a value not bytes
        raise DamagedPayload(_damaged(of, str(exc).splitlines()[0][:120])) from None


def _damaged(of: str, reason: str) -> str:
    return (
        f"The payload archive's copy of {of} is damaged ({reason}); restore a backup "
        "(`hearings backup list`, then `hearings backup restore PATH`)."
    )


def archive_versions(
    connection: Connection, versions: Sequence[Version], *, run_id: int | None, now: datetime
) -> int:
    """Keep each version that is not its record's newest archived one, and mark the others seen
    again; in the caller's transaction. Returns how many versions were new. A record that goes
    back to an earlier content gets a row of its own: its newest row is its current version."""
    if not versions:
        return 0
    table = schema.payload_archive
    unique = list({(v.entity, v.identifier, v.content_hash): v for v in versions}.values())
    newest: dict[tuple[str, str], tuple[int, str]] = {}
    for start in range(0, len(unique), CHUNK):
        records = list({(v.entity, v.identifier) for v in unique[start : start + CHUNK]})
        latest = (
            select(func.max(table.c.version_id).label("version_id"))
            .where(tuple_(table.c.entity, table.c.identifier).in_(records))
            .group_by(table.c.entity, table.c.identifier)
            .subquery()
        )
        found = connection.execute(
            select(
                table.c.entity, table.c.identifier, table.c.version_id, table.c.content_hash
            ).join(latest, latest.c.version_id == table.c.version_id)
        )
        newest.update({(r.entity, r.identifier): (r.version_id, r.content_hash) for r in found})
    seen_again = []
    new = []
    for v in unique:
        held = newest.get((v.entity, v.identifier))
        if held is not None and held[1] == v.content_hash:
            seen_again.append((held[0], v))
        else:
            new.append(v)
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
            .where(table.c.version_id == bindparam("b_version_id"))
            .values(
                last_seen_at=now,
                update_date=func.coalesce(
                    bindparam("b_update_date", type_=DateTime), table.c.update_date
                ),
            ),
            [
                {"b_version_id": version_id, "b_update_date": utc_naive(v.update_date)}
                for version_id, v in seen_again
            ],
        )
    return len(new)


def stored_payload() -> ColumnElement[bytes]:
    """The payload column read as bytes whatever it holds: a text value that is not UTF-8 (a
    damaged or altered row) failed in the driver, for the whole query, instead of as one
    damaged payload."""
    return cast(schema.payload_archive.c.payload, LargeBinary).label("payload")


_ROW_COLUMNS = (
    *(c for c in schema.payload_archive.c if c.name != "payload"),
    stored_payload(),
)


def versions_of(connection: Connection, entity: str, identifier: str) -> list[ArchivedVersion]:
    """Every archived version of one record, oldest first."""
    table = schema.payload_archive
    rows = connection.execute(
        select(*_ROW_COLUMNS)
        .where(table.c.entity == entity, table.c.identifier == identifier)
        .order_by(table.c.first_seen_at, table.c.version_id)
    )
    return [_archived(row) for row in rows]


def newest_version_ids(entity: str, *narrowing: ColumnElement[bool]) -> Subquery:
    """A subquery of each `entity` record's identifier and its newest version's id (of the
    records `narrowing` selects, if given)."""
    table = schema.payload_archive
    return (
        select(table.c.identifier, func.max(table.c.version_id).label("version_id"))
        .where(table.c.entity == entity, *narrowing)
        .group_by(table.c.identifier)
        .subquery()
    )


def latest_versions(connection: Connection, entity: str) -> Iterable[ArchivedVersion]:
    """The newest archived version of each record of `entity`, by identifier."""
    table = schema.payload_archive
    newest = newest_version_ids(entity)
    rows = connection.execute(
        select(*_ROW_COLUMNS)
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
    try:
        payload = unpack(row.payload, version_name(row.entity, row.identifier, row.version_id))
    except DamagedPayload as exc:
        log.warning("%s", exc)  # history says what it cannot show; verify names the version
        payload = None
    return ArchivedVersion(
        version_id=int(row.version_id),
        entity=row.entity,
        identifier=row.identifier,
        content_hash=row.content_hash,
        payload=payload,
        update_date=row.update_date,
        locator=row.locator,
        first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at,
        run_id=row.run_id,
    )
