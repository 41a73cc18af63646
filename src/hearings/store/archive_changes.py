"""The archive read as a record of changes: each later version of a record with the version
before it (the changes feed, `/changes`, `hearings report`), how many versions each record has
(an iCalendar SEQUENCE), and versions' payloads by id. Nothing here writes."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, func, select

from hearings.store import schema
from hearings.store.archive import CHUNK, DamagedPayload, stored_payload, unpack
from hearings.store.records import utc_naive

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class VersionStep:
    """A later version of a record and the version before it: one change, not yet unpacked."""

    version_id: int
    previous_id: int
    identifier: str
    number: int
    first_seen_at: datetime
    run_id: int | None
    # The two versions' content hashes: what names their payloads beyond this database.
    content_hash: str
    previous_hash: str


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
    previous_hash = (
        select(earlier.c.content_hash)
        .where(
            earlier.c.entity == table.c.entity,
            earlier.c.identifier == table.c.identifier,
            earlier.c.version_id < table.c.version_id,
        )
        .order_by(earlier.c.version_id.desc())
        .limit(1)
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
            table.c.content_hash,
            previous_hash.label("previous_hash"),
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
            content_hash=row.content_hash,
            previous_hash=row.previous_hash,
        )
        for row in connection.execute(query)
    ]
    return total, steps


def payloads_of(connection: Connection, version_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The unpacked payloads of the given versions, by version id; a damaged one is left out."""
    table = schema.payload_archive
    wanted = sorted(set(version_ids))
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        rows = connection.execute(
            select(table.c.version_id, stored_payload()).where(table.c.version_id.in_(chunk))
        )
        for row in rows:
            try:
                named = f"archive version {row.version_id}"
                found[int(row.version_id)] = unpack(row.payload, named)
            except DamagedPayload as exc:
                log.warning("%s", exc)  # left out: the callers say what they cannot show
    return found


def version_counts(
    connection: Connection, entity: str, identifiers: Iterable[str]
) -> dict[str, int]:
    """How many versions of each record the archive holds (records without any are left out)."""
    table = schema.payload_archive
    wanted = sorted(set(identifiers))
    counts: dict[str, int] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        rows = connection.execute(
            select(table.c.identifier, func.count())
            .where(table.c.entity == entity, table.c.identifier.in_(chunk))
            .group_by(table.c.identifier)
        )
        counts.update((identifier, int(count)) for identifier, count in rows)
    return counts
