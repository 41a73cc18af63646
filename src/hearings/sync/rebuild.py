"""`hearings rebuild`: re-derive every derived table from the payload archive, with no API request.

Each record's newest archived version passes through the gate again (today's parser, today's
checks), in the order an import stores them: committees, members, meetings, printed hearings; the
search index is rebuilt from the result. What is not derived — the run log, checkpoints, the
quarantine, high-water marks and the archive itself — is kept as it is.

On SQLite the new tables are built in a shadow file beside the database, which then replaces it
atomically (the replaced file is kept, as a restore keeps it), so a crash at any moment leaves the
old database whole. On PostgreSQL the rebuild is one transaction.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, String, cast, delete, func, insert, select

from hearings.errors import HearingsError
from hearings.store import schema
from hearings.store.archive import ArchivedVersion, latest_versions
from hearings.store.engine import open_database, sqlite_file
from hearings.store.records import committee_row, member_row, printed_hearing_row
from hearings.store.search_index import rebuild_search_index
from hearings.store.writer import (
    apply_meetings,
    upsert_committees,
    upsert_members,
    upsert_printed_hearings,
)
from hearings.sync.failpoints import failpoint
from hearings.sync.gate import Admitted, Entity, Request, admit_item
from hearings.sync.sqlite_backups import restore_backup

log = logging.getLogger(__name__)

# Children before parents, so deleting in this order never breaks a foreign key.
DERIVED_TABLES = (
    schema.witness_documents,
    schema.witness_appearances,
    schema.meeting_documents,
    schema.videos,
    schema.hearing_bills,
    schema.hearing_transcripts,
    schema.hearing_committees,
    schema.hearings,
    schema.witnesses,
    schema.bills,
    schema.printed_hearings,
    schema.members,
    schema.committees,
)
KEPT_TABLES = (
    schema.update_logs,
    schema.batch_checkpoints,
    schema.import_errors,
    schema.sync_state,
    schema.payload_archive,
)
# Entity → the table whose rows it derives, and that table's key.
_STORED: dict[Entity, tuple[Any, str]] = {
    "committee": (schema.committees, "system_code"),
    "member": (schema.members, "bioguide_id"),
    "meeting": (schema.hearings, "event_id"),
    "printed_hearing": (schema.printed_hearings, "jacket_number"),
}
_CHUNK = 500


class RebuildRefused(HearingsError):
    """The archive cannot stand in for what the database holds."""


@dataclass
class RebuildResult:
    derived: dict[str, int] = field(default_factory=dict)
    refused: dict[str, list[str]] = field(default_factory=dict)
    replaced: Path | None = None


def check_archive_covers(connection: Connection) -> None:
    """Refuse, before anything changes, a rebuild that would drop records the archive lacks
    (a database imported before the archive existed, say)."""
    missing: list[str] = []
    table = schema.payload_archive
    for entity, (stored, key) in _STORED.items():
        archived = select(table.c.identifier).where(table.c.entity == entity)
        # A committee without a content hash is a placeholder its meetings made; they make it
        # again.
        lacking = connection.execute(
            select(func.count())
            .select_from(stored)
            .where(cast(stored.c[key], String).not_in(archived), stored.c.content_hash.is_not(None))
        ).scalar_one()
        if lacking:
            missing.append(f"{lacking} {entity.replace('_', ' ')}s")
    if missing:
        raise RebuildRefused(
            f"The archive has no payload for {', '.join(missing)} that the database holds, so a "
            "rebuild would drop them; nothing was changed. Run `hearings import --congress N "
            "--full-refresh` once to archive them, then rebuild."
        )


def derive(connection: Connection, now: datetime) -> RebuildResult:
    """Fill the derived tables (empty) from the archive, in the caller's transaction."""
    result = RebuildResult()
    for entity in ("committee", "member", "meeting", "printed_hearing"):
        admitted = []
        for version in latest_versions(connection, entity):
            verdict = admit_item(_request(entity, version), _payload(version), now=now)
            if isinstance(verdict, Admitted):
                admitted.append(verdict)
            else:
                result.refused.setdefault(entity, []).append(
                    f"{verdict.identifier}: {verdict.reason}"
                )
        _store(connection, entity, admitted, now)
        result.derived[entity] = len(admitted)
    rebuild_search_index(connection)
    return result


def rebuild_postgres(engine: Engine, now: datetime) -> RebuildResult:
    with engine.begin() as connection:
        check_archive_covers(connection)
        for table in DERIVED_TABLES:
            connection.execute(delete(table))
        return derive(connection, now)


def rebuild_sqlite(engine: Engine, database: Path, now: datetime) -> RebuildResult:
    """Build the new database beside the old one, then swap it in."""
    with engine.connect() as connection:
        check_archive_covers(connection)
    # A rebuild killed before its swap leaves its shadow: the caller holds the lock, so none of
    # these is in use.
    for stale in database.parent.glob(f".{database.name}.rebuild-*"):
        stale.unlink(missing_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{database.name}.rebuild-", dir=database.parent)
    os.close(handle)
    shadow = Path(name)
    shadow.unlink()
    try:
        built = open_database(f"sqlite:///{shadow}")
        try:
            with built.begin() as connection:
                _copy_kept_tables(engine, connection)
                result = derive(connection, now)
            failpoint("rebuild_built")
            with built.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            built.dispose()
        engine.dispose()
        result.replaced = restore_backup(shadow, database, now=now)
        return result
    finally:
        for leftover in (shadow, *(shadow.with_name(shadow.name + s) for s in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)


def rebuild_database(database_url: str, *, now: datetime) -> RebuildResult:
    """Rebuild the derived tables of the database at `database_url` (the caller holds the
    writer lock and has taken a backup)."""
    engine = open_database(database_url)
    try:
        path = sqlite_file(database_url)
        if path is None:
            return rebuild_postgres(engine, now)
        return rebuild_sqlite(engine, path, now)
    finally:
        engine.dispose()


def _copy_kept_tables(source: Engine, target: Connection) -> None:
    with source.connect() as reading:
        for table in KEPT_TABLES:
            rows = reading.execute(select(table)).mappings()
            while chunk := [dict(row) for row in rows.fetchmany(_CHUNK)]:
                target.execute(insert(table), chunk)


def _request(entity: Entity, version: ArchivedVersion) -> Request:
    locator = version.locator or {}
    congress = locator.get("congress")
    chamber = locator.get("chamber")
    return Request(
        entity,
        int(congress) if congress is not None else None,
        str(chamber) if chamber else None,
        version.identifier,
    )


def _payload(version: ArchivedVersion) -> dict[str, Any]:
    """The version as last seen: its content, with the newest `updateDate` it was seen with."""
    payload = dict(version.payload)
    if version.update_date is not None:
        payload["updateDate"] = version.update_date.replace(tzinfo=UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    return payload


def _store(connection: Connection, entity: Entity, admitted: list[Admitted], now: datetime) -> None:
    moment = now.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    for start in range(0, len(admitted), _CHUNK):
        chunk = admitted[start : start + _CHUNK]
        if entity == "meeting":
            apply_meetings(connection, [a.rows for a in chunk if a.rows is not None], moment)
        elif entity == "committee":
            upsert_committees(
                connection, [committee_row(a.record, a.content_hash, moment) for a in chunk]
            )
        elif entity == "member":
            upsert_members(
                connection, [member_row(a.record, a.content_hash, moment) for a in chunk]
            )
        else:
            upsert_printed_hearings(
                connection, [printed_hearing_row(a.record, a.content_hash, moment) for a in chunk]
            )
