"""What a rebuild reads from the payload archive: each record's newest version still compressed
(for its parsing workers to unpack), and the times the archive first saw each record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Text, cast, func, select

from hearings.store import schema
from hearings.store.archive import decode_json, newest_version_ids, stored_payload


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
            stored_payload(),
            table.c.update_date,
            cast(table.c.locator, Text).label("locator"),
        )
        .join(newest, newest.c.version_id == table.c.version_id)
        .order_by(table.c.identifier)
    )
    # Fetched 500 rows at a time: row by row cost a third more (0.3 s at 50,000 meetings).
    for rows_read in rows.partitions(500):
        for identifier, content_hash, payload, update_date, locator in rows_read:
            packed = payload if type(payload) is bytes else bytes(payload)
            yield PackedVersion(identifier, content_hash, packed, update_date, locator)


def first_seen_times(
    connection: Connection, entity: str, *, unless_in: Any = None
) -> dict[str, tuple[datetime, datetime]]:
    """Each record's first sighting and when its newest version was first seen: its first-seen
    and last-changed times, as the archive knows them. `unless_in`, a column of identifiers,
    leaves out the records it holds (a rebuild keeps the times a table holds, and needs the
    archive's only for the rest: 0.05 s against 0.4 s for 50,000 meetings)."""
    table = schema.payload_archive
    narrowing = [] if unless_in is None else [table.c.identifier.not_in(select(unless_in))]
    newest = newest_version_ids(entity, *narrowing)
    first = (
        select(table.c.identifier, func.min(table.c.first_seen_at).label("first_seen_at"))
        .where(table.c.entity == entity, *narrowing)
        .group_by(table.c.identifier)
        .subquery()
    )
    rows = connection.execute(
        select(table.c.identifier, first.c.first_seen_at, table.c.first_seen_at.label("changed"))
        .join(newest, newest.c.version_id == table.c.version_id)
        .join(first, first.c.identifier == table.c.identifier)
    )
    return {row.identifier: (row.first_seen_at, row.changed) for row in rows}
