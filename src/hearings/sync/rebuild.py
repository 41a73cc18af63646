"""`hearings rebuild [--entity …]`: re-derive the derived tables from the payload archive, with no
API request.

Each record's newest archived version passes through the gate again (today's parser, today's
checks), in the order an import stores them: committees, members, meetings, printed hearings; the
search index is rebuilt from the result. `entities` narrows it to some of them; the other tables,
and what is not derived (the run log, checkpoints, the quarantine, high-water marks and the archive
itself) are kept as they are.

On SQLite the new tables are built in a shadow file beside the database, which then replaces it
atomically (the replaced file is kept, as a restore keeps it), so a crash at any moment leaves the
old database whole. On PostgreSQL the rebuild is one transaction.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, String, cast, func, select

from hearings.errors import HearingsError
from hearings.store import schema
from hearings.store.archive import DamagedPayload
from hearings.store.engine import sqlite_file
from hearings.store.opening import open_database
from hearings.store.search_index import optimize_search_index, rebuild_search_index
from hearings.store.sqlite_shadow import make_shadow, unjournaled
from hearings.sync.backup_files import fsync_dir, fsync_file, utc
from hearings.sync.beside import Beside, running_beside
from hearings.sync.failpoints import failpoint
from hearings.sync.gate import Entity
from hearings.sync.leftovers import remove_leftovers
from hearings.sync.quarantine import quarantine
from hearings.sync.rebuild_derive import ENTITY_ORDER, ENTITY_TABLES, derive_entities
from hearings.sync.set_aside import set_aside
from hearings.sync.sqlite_backups import not_restorable
from hearings.sync.sqlite_verify import diagnose

log = logging.getLogger(__name__)

# Children before parents, so deleting in this order never breaks a foreign key.
DERIVED_TABLES = (
    *ENTITY_TABLES["meeting"],
    *ENTITY_TABLES["printed_hearing"],
    *ENTITY_TABLES["member"],
    *ENTITY_TABLES["committee"],
)
KEPT_TABLES = (
    schema.update_logs,
    schema.batch_checkpoints,
    schema.import_errors,
    schema.sync_state,
    schema.payload_archive,
)
_printed = schema.printed_hearings
# Entity → the table whose rows it derives, and each row's identifier in the archive.
_STORED: dict[Entity, tuple[Any, Any]] = {
    "committee": (schema.committees, schema.committees.c.system_code),
    "member": (schema.members, schema.members.c.bioguide_id),
    "meeting": (schema.hearings, schema.hearings.c.event_id),
    # `118/51692`: the archive names a printed hearing by Congress and jacket number.
    "printed_hearing": (
        _printed,
        cast(_printed.c.congress, String) + "/" + cast(_printed.c.jacket_number, String),
    ),
}


_BACKUP_STOPPED = (
    "The backup taken before the rebuild was stopped before it finished, so {database} was not "
    "changed; run the rebuild again."
)


class RebuildRefused(HearingsError):
    """The archive cannot stand in for what the database holds."""


@dataclass
class RebuildResult:
    derived: dict[str, int] = field(default_factory=dict)
    # "identifier: reason" for each record today's checks refused, now in the quarantine.
    refused: dict[str, list[str]] = field(default_factory=dict)
    replaced: Path | None = None
    backup: Path | None = None


def check_archive_covers(connection: Connection) -> None:
    """Refuse, before anything changes, a rebuild that would drop records the archive lacks
    (a database imported before the archive existed, say)."""
    missing: list[str] = []
    total = 0
    table = schema.payload_archive
    for entity, (stored, key) in _STORED.items():
        archived = select(table.c.identifier).where(table.c.entity == entity)
        # A committee without a content hash is a placeholder its meetings made; they make it
        # again.
        lacking = connection.execute(
            select(func.count())
            .select_from(stored)
            .where(cast(key, String).not_in(archived), stored.c.content_hash.is_not(None))
        ).scalar_one()
        if lacking:
            total += lacking
            missing.append(f"{lacking} {entity.replace('_', ' ')}{'s' if lacking > 1 else ''}")
    if missing:
        them = "it" if total == 1 else "them"
        raise RebuildRefused(
            f"The archive has no payload for {', '.join(missing)} that the database holds, so a "
            f"rebuild would drop {them}; nothing was changed. Run `hearings import --congress N "
            f"--full-refresh` once to archive {them}, then rebuild."
        )


def derive(
    connection: Connection, now: datetime, entities: Sequence[Entity], *, previous: Connection
) -> RebuildResult:
    """Re-derive the tables of `entities` and the search index, in the caller's transaction.
    A record whose newest version today's checks refuse is quarantined, in the same transaction,
    as an import of the same payloads would quarantine it: left out of the tables, it is
    reported, and the next update fetches it again."""
    derived = derive_entities(connection, entities, now, previous=previous)
    if "meeting" not in entities:
        # Meetings index themselves as they are written; other entities' names are in their rows.
        rebuild_search_index(connection)
    elif connection.dialect.name == "sqlite":
        optimize_search_index(connection)
    moment = now.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    refused: dict[str, list[str]] = {}
    for entity, verdicts in derived.refused.items():
        for verdict in verdicts:
            quarantine(
                connection,
                entity=verdict.entity,
                identifier=verdict.identifier,
                stage=verdict.stage,
                reason=verdict.reason,
                raw_payload=verdict.raw_payload,
                locator=verdict.locator,
                now=moment,
            )
            refused.setdefault(entity, []).append(f"{verdict.identifier}: {verdict.reason}")
    return RebuildResult(derived=derived.counts, refused=refused)


def rebuild_postgres(engine: Engine, now: datetime, entities: Sequence[Entity]) -> RebuildResult:
    with engine.begin() as connection:
        return derive(connection, now, entities, previous=connection)


def rebuild_sqlite(
    engine: Engine,
    database: Path,
    now: datetime,
    entities: Sequence[Entity],
    *,
    backup: Callable[[], Path | None] = lambda: None,
) -> RebuildResult:
    """Build the new database beside the old one, then swap it in. `backup` is taken meanwhile,
    in a process of its own: the old file is only read until the swap, which waits for the
    backup to be verified and synced, and is refused if it failed."""
    # A rebuild killed before its swap left its shadow: the caller holds the lock, so none of
    # these is in use.
    remove_leftovers(database)
    handle, name = tempfile.mkstemp(prefix=f".{database.name}.rebuild-", dir=database.parent)
    os.close(handle)
    shadow = Path(name)
    shadow.unlink()
    try:
        with running_beside(backup, stopped=_BACKUP_STOPPED.format(database=database)) as taken:
            return _build_and_swap(engine, database, shadow, now, entities, taken)
    finally:
        for leftover in (shadow, *(shadow.with_name(shadow.name + s) for s in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)


def _build_and_swap(
    engine: Engine,
    database: Path,
    shadow: Path,
    now: datetime,
    entities: Sequence[Entity],
    backup: Beside[Path | None],
) -> RebuildResult:
    # Parents first, so every foreign key finds its row.
    rebuilt = {t.name for e in entities if e == "meeting" for t in ENTITY_TABLES[e]}
    copied = [t for t in reversed(DERIVED_TABLES) if t.name not in rebuilt]
    make_shadow(database, shadow, (*KEPT_TABLES, *copied))
    built = open_database(f"sqlite:///{shadow}")
    try:
        with built.connect() as connection, engine.connect() as previous:
            unjournaled(connection.connection.driver_connection)
            with connection.begin():
                result = derive(connection, now, entities, previous=previous)
            _check_whole(connection.connection.driver_connection, shadow, database)
        failpoint("rebuild_built")
        with closing(sqlite3.connect(shadow)) as raw:
            raw.execute("PRAGMA journal_mode=WAL")  # as every database of ours is
    finally:
        built.dispose()
    engine.dispose()
    result.backup = backup.result()  # nothing is replaced without it
    result.replaced = _swap_in(shadow, database, now)
    return result


def rebuild_database(
    database_url: str,
    *,
    now: datetime,
    entities: Sequence[Entity] = ENTITY_ORDER,
    backup: Callable[[], Path | None] = lambda: None,
) -> RebuildResult:
    """Rebuild the derived tables of `entities` in the database at `database_url`, under the
    caller's writer lock: refused before `backup` is taken when the archive cannot stand in for
    the database, so a refusal changes nothing, not even the backup folder."""
    engine = open_database(database_url)
    try:
        with engine.connect() as connection:
            check_archive_covers(connection)
        path = sqlite_file(database_url)
        try:
            if path is None:
                taken = backup()
                result = rebuild_postgres(engine, now, entities)
                result.backup = taken
            else:
                result = rebuild_sqlite(engine, path, now, entities, backup=backup)
        except DamagedPayload as exc:  # the newest version of a record cannot be read
            damage = str(exc)
            raise RebuildRefused(f"Nothing was changed: {damage[:1].lower()}{damage[1:]}") from None
        return result
    finally:
        engine.dispose()


def _check_whole(raw: Any, shadow: Path, database: Path) -> None:
    """Before the finished shadow may replace the database: its references checked and every
    page read (SQLite's quick check), the two at once on the two cores, then the file synced
    (not beside them: reads of pages the disk is being written from wait for it)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The quick check: 0.4 s against the full check's 1.4 for 50,000 meetings. What it
        # leaves out, each index holding exactly its table's rows, only a bug in SQLite could
        # break in a file it has just written.
        quick = pool.submit(diagnose, shadow, quick=True)
        _check_references(raw, database)
        problem = quick.result()
    if problem:
        raise RebuildRefused(f"The rebuilt database {problem}; {database} was not changed.")
    fsync_file(shadow)


def _swap_in(shadow: Path, database: Path, now: datetime) -> Path | None:
    """Put the finished shadow, checked whole, in the database's place as a restore does (synced,
    the replaced file kept and its path returned), but moved rather than copied: it is ours,
    beside the database, and used by nothing else."""
    problem = not_restorable(shadow)
    if problem:
        raise RebuildRefused(f"The rebuilt database {problem}; {database} was not changed.")
    try:
        fsync_file(shadow)
        if database.exists():
            shutil.copymode(database, shadow)  # mkstemp made it private
        replaced = set_aside(database, utc(now))
        os.replace(shadow, database)
    except OSError as exc:
        raise RebuildRefused(
            f"Putting the rebuilt database in place of {database} failed "
            f"({exc.strerror or exc}); the database was not replaced."
        ) from None
    fsync_dir(database.parent)
    return replaced


def _check_references(raw: Any, database: Path) -> None:
    """The shadow is built without foreign-key checks (each costs an index lookup a row), so it
    is checked once, whole, before it may replace the database."""
    broken = raw.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, _, parent, _ = broken[0]
        raise RebuildRefused(
            f"The rebuilt database has {len(broken):,} broken reference(s) (the first: a row of "
            f"{table} names a row of {parent} that does not exist); {database} was not changed."
        )
