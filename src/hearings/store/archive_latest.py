"""What a rebuild reads from the payload archive: each record's newest version still compressed
(for its parsing workers to unpack), and the times the archive first saw each record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Text, cast, func, select

from hearings.store import schema
from hearings.store.archive import decode_json, newest_version_ids


@dataclass(frozen=True, slots=True)
class PackedVersion:
    """A record's newest version still compressed, its locator still JSON text: what a rebuild
    ships to its parsing workers, which decode them (on the writing process, decoding a locator
    cost as much as writing a meeting's rows)."""

    identifier: str
    content_hash: str
    packed: bytes
    update_date: datetime | None
    locator_text: str | None

    @property
    def locator(self) -> dict[str, Any] | None:
        value = decode_json(self.locator_text) if self.locator_text else None
        return value if isinstance(value, dict) else None


def latest_packed_versions(connection: Connection, entity: str) -> Iterable[PackedVersion]:
    """Like `latest_versions`, without unpacking the payloads."""
    table = schema.payload_archive
    newest = newest_version_ids(entity)
    rows = connection.execute(
        select(
            table.c.identifier,
            table.c.content_hash,
            table.c.payload,
            table.c.update_date,
            cast(table.c.locator, Text).label("locator"),
        )
        .join(newest, newest.c.version_id == table.c.version_id)
        .order_by(table.c.identifier)
    )
    for row in rows:
        yield PackedVersion(
            row.identifier, row.content_hash, bytes(row.payload), row.update_date, row.locator
        )


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
