"""What a rebuild reads from the payload archive: each record's newest version still compressed
(for its parsing workers to unpack), and the times the archive first saw each record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from hearings.store import schema
from hearings.store.archive import newest_version_ids


@dataclass(frozen=True, slots=True)
class PackedVersion:
    """A record's newest version still compressed: what a rebuild ships to its parsing workers."""

    identifier: str
    packed: bytes
    update_date: datetime | None
    locator: dict[str, Any] | None


def latest_packed_versions(connection: Connection, entity: str) -> Iterable[PackedVersion]:
    """Like `latest_versions`, without unpacking the payloads."""
    table = schema.payload_archive
    newest = newest_version_ids(entity)
    rows = connection.execute(
        select(table.c.identifier, table.c.payload, table.c.update_date, table.c.locator)
        .join(newest, newest.c.version_id == table.c.version_id)
        .order_by(table.c.identifier)
    )
    for row in rows:
        yield PackedVersion(row.identifier, bytes(row.payload), row.update_date, row.locator)


def first_seen_times(connection: Connection, entity: str) -> dict[str, tuple[datetime, datetime]]:
    """Each record's first sighting and when its newest version was first seen: its first-seen
    and last-changed times, as the archive knows them."""
    table = schema.payload_archive
    newest = newest_version_ids(entity)
    first = (
        select(table.c.identifier, func.min(table.c.first_seen_at).label("first_seen_at"))
        .where(table.c.entity == entity)
        .group_by(table.c.identifier)
        .subquery()
    )
    rows = connection.execute(
        select(table.c.identifier, first.c.first_seen_at, table.c.first_seen_at.label("changed"))
        .join(newest, newest.c.version_id == table.c.version_id)
        .join(first, first.c.identifier == table.c.identifier)
    )
    return {row.identifier: (row.first_seen_at, row.changed) for row in rows}
