"""Deriving tables from the archive for `hearings rebuild`: each record's newest version passes
the gate again (today's parser and checks), meetings on worker processes that ship back rows, not
models, while this process writes them in large units. First-seen and last-changed times are the
database's own where it still has them, else the archive's."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain, islice
from typing import Any

from sqlalchemy import Connection, delete

from hearings.store import schema
from hearings.store.archive import decode_json, unpack_text, version_name
from hearings.store.archive_latest import PackedVersion, latest_packed_versions
from hearings.store.meeting_tables import MeetingTables, write_new_meetings
from hearings.store.records import Row
from hearings.store.reference_rows import committee_row, member_row, printed_hearing_row
from hearings.store.search_documents import IndexNames, stored_index_names
from hearings.store.search_index import hearing_search, merges_deferred
from hearings.store.writer import upsert
from hearings.sync.beside import exit_with_parent
from hearings.sync.failpoints import failpoint
from hearings.sync.gate import Admitted, Entity, Quarantined, Request, admit_item, key_parts
from hearings.sync.rebuild_stamps import Stamps, kept_stamps, restore_stamps

# Printed hearings before meetings: a meeting's index row holds its printed hearing's title.
ENTITY_ORDER: tuple[Entity, ...] = ("committee", "member", "printed_hearing", "meeting")
# The tables each entity derives, children before parents.
ENTITY_TABLES: dict[Entity, tuple[Any, ...]] = {
    "committee": (schema.committees,),
    "member": (schema.members,),
    "meeting": (
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
    ),
    "printed_hearing": (schema.printed_hearings,),
}
_KEYS: dict[Entity, list[str]] = {
    "committee": ["system_code"],
    "member": ["bioguide_id"],
    "printed_hearing": ["congress", "jacket_number"],
}
_ROWS: dict[Entity, Callable[[Any, str, datetime], Row]] = {
    "committee": committee_row,
    "member": member_row,
    "printed_hearing": printed_hearing_row,
}
# Workers forked, where the system can: they start with the modules this process has imported,
# where a fresh interpreter (Python 3.14's default on Linux) spends half a second importing them.
_CAN_FORK = "fork" in multiprocessing.get_all_start_methods()
_FORKED = multiprocessing.get_context("fork") if _CAN_FORK else None
# Meetings a worker parses per task, and written per apply.
_PARSE_CHUNK = 250
_WRITE_CHUNK = 2_000


@dataclass
class Derived:
    counts: dict[str, int] = field(default_factory=dict)
    # What today's gate refuses, to be quarantined as an import of the same payloads would.
    refused: dict[str, list[Quarantined]] = field(default_factory=dict)


def derive_entities(
    connection: Connection, entities: Sequence[Entity], now: datetime, *, previous: Connection
) -> Derived:
    """Re-derive the tables of `entities` from the archive, in the caller's transaction.
    `previous` reads the database as it was (on PostgreSQL, `connection` itself)."""
    moment = now.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    derived = Derived()
    for entity in ENTITY_ORDER:
        if entity not in entities:
            continue
        if entity == "meeting":
            stamps = _derive_meetings(connection, moment, derived, previous=previous)
            restore_stamps(connection, stamps)
        else:
            _derive_reference(connection, entity, moment, derived)
    return derived


def _derive_reference(
    connection: Connection, entity: Entity, moment: datetime, derived: Derived
) -> None:
    """Committees, members, printed hearings: each row rewritten from its newest version, its
    first-seen and last-changed times kept."""
    build = _ROWS[entity]
    rows = []
    for version in latest_packed_versions(connection, entity):
        verdict = _admit(entity, version, moment)
        if isinstance(verdict, Admitted):
            rows.append(build(verdict.record, verdict.content_hash, moment))
        else:
            derived.refused.setdefault(entity, []).append(verdict)
    table = ENTITY_TABLES[entity][0]
    for start in range(0, len(rows), _WRITE_CHUNK):
        chunk = rows[start : start + _WRITE_CHUNK]
        upsert(connection, table, chunk, _KEYS[entity], keep=["first_seen_at", "last_changed_at"])
    derived.counts[entity] = len(rows)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while meetings are parsed and written: they make
    millions of short-lived objects and almost no cycles, and each collection walks every live
    object, so it cost a third of the parse (CPython frees the rest by reference counts)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _derive_meetings(
    connection: Connection, moment: datetime, derived: Derived, *, previous: Connection
) -> Stamps:
    """Meetings, their children and their index rows; returns the times the rows kept. The
    workers parse while this process reads the archive and the times to keep (a second or so
    at 50,000 meetings), and empties the tables."""
    names = stored_index_names(connection)
    versions = _batched(latest_packed_versions(connection, "meeting"), _PARSE_CHUNK)
    with _collector_paused(), _parsing(versions, moment, names) as parsed:
        # On PostgreSQL `previous` is `connection`: the times are read before the rows go.
        stamps = kept_stamps(previous)
        connection.execute(delete(hearing_search))
        for table in ENTITY_TABLES["meeting"]:
            connection.execute(delete(table))
        with merges_deferred(connection) if connection.dialect.name == "sqlite" else nullcontext():
            _write_all_meetings(connection, parsed, moment, derived, stamps)
    return stamps


def _write_all_meetings(
    connection: Connection,
    parsed_chunks: Iterable[ParsedChunk],
    moment: datetime,
    derived: Derived,
    stamps: Stamps,
) -> None:
    first_names: dict[tuple[str, str], str | None] = {}
    count = 0
    pending = MeetingTables()
    for parsed in parsed_chunks:
        pending.extend(parsed.tables)
        if parsed.refused:
            derived.refused.setdefault("meeting", []).extend(parsed.refused)
        if len(pending) >= _WRITE_CHUNK:
            count += _write_meetings(connection, pending, moment, stamps, first_names)
            pending = MeetingTables()
    count += _write_meetings(connection, pending, moment, stamps, first_names)
    derived.counts["meeting"] = count


def _write_meetings(
    connection: Connection,
    tables: MeetingTables,
    moment: datetime,
    stamps: Stamps,
    first_names: dict[tuple[str, str], str | None],
) -> int:
    """Write meetings, with the times they keep, and their index rows (the index was emptied:
    there are no old rows to delete)."""
    if tables:
        tables.keep_times(stamps.meetings)
        write_new_meetings(connection, tables, moment, first_names)
    return len(tables)


@dataclass
class ParsedChunk:
    """What a parsing worker ships back: the rows of the meetings the gate admitted, and the
    others as the gate refused them."""

    tables: MeetingTables
    refused: list[Quarantined]


@contextmanager
def _parsing(
    chunks: Iterator[list[PackedVersion]], moment: datetime, names: IndexNames
) -> Iterator[Iterator[ParsedChunk]]:
    """Start parsing `chunks` and give their rows, chunk by chunk in order. With two chunks or
    more and a second core, every chunk goes to the worker processes as it is read, before this
    returns; otherwise each is parsed here when asked for."""
    first, second = next(chunks, None), next(chunks, None)
    if first is None or second is None or (os.cpu_count() or 1) < 2:
        # Every chunk read now, as the workers' are: the caller writes on the connection next.
        here = [c for c in (first, second) if c is not None] + list(chunks)
        yield (parse_meeting_chunk(c, moment, names) for c in here)
        return
    with ProcessPoolExecutor(
        max_workers=os.cpu_count(),
        mp_context=_FORKED,
        initializer=_worker_started,
        initargs=(os.getpid(),),
    ) as pool:
        futures = deque(
            pool.submit(parse_meeting_chunk, chunk, moment, names)
            for chunk in chain((first, second), chunks)
        )
        try:
            yield _in_order(futures)
        finally:  # on an error, the pool's exit waits only for the chunks being parsed
            for future in futures:
                future.cancel()


def _worker_started(parent: int) -> None:
    """(On a worker) Ctrl-C reaches the whole process group, workers included: the rebuild
    stops them itself (it cancels what they have not begun and waits for what they have), and
    a worker interrupted as well could leave the pool stuck between them, with the rebuild
    waiting on it for good. SIGTERM, which the pool sends a worker it gives up on, ends one at
    once (it inherited the command's own handler, which unwinds instead)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    exit_with_parent(parent)


def _in_order(futures: deque[Future[ParsedChunk]]) -> Iterator[ParsedChunk]:
    """Each chunk's rows, its future dropped once they are taken: kept, every meeting's rows
    stayed in memory to the end (660 MB at 50,000 meetings), and were freed after the last."""
    while futures:
        parsed = futures.popleft().result()
        failpoint("rebuild_parsed_chunk")
        yield parsed


def parse_meeting_chunk(
    versions: Sequence[PackedVersion], moment: datetime, names: IndexNames
) -> ParsedChunk:
    """(On a worker) the rows and index rows of each version the gate admits, as tuples ready
    to write, and the others as the gate refused them."""
    parsed = ParsedChunk(MeetingTables(), [])
    with _collector_paused():
        for version in versions:
            verdict = _admit("meeting", version, moment)
            if isinstance(verdict, Quarantined):
                parsed.refused.append(verdict)
            elif verdict.rows is not None:  # a meeting admitted always has them
                parsed.tables.add(verdict.rows, names)
    return parsed


def _admit(entity: Entity, version: PackedVersion, moment: datetime) -> Admitted | Quarantined:
    locator = version.locator or {}
    # A printed hearing's key names its Congress (`118/51692`); the API's identifier follows.
    keyed_congress, identifier = key_parts(entity, version.identifier)
    congress = locator.get("congress", keyed_congress)
    chamber = locator.get("chamber")
    request = Request(
        entity,
        int(congress) if congress is not None else None,
        str(chamber) if chamber else None,
        identifier,
    )
    encoded = unpack_text(version.packed, version_name(entity, version.identifier))
    payload = decode_json(encoded)
    if version.update_date is not None:
        # The version as last seen: with the newest `updateDate` it was seen with (a plain
        # timestamp, which leaves the text's checks as they were).
        payload["updateDate"] = _api_timestamp(version.update_date)
    return admit_item(
        request,
        payload,
        now=moment.replace(tzinfo=UTC),
        known_hash=version.content_hash,
        encoded=encoded,
    )


def _api_timestamp(moment: datetime) -> str:
    """`2025-05-22T14:30:00Z` for a naive UTC moment: `strftime`'s text, by `isoformat` at a
    fraction of its cost, for the years the two write alike."""
    if moment.year < 1000:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.isoformat(timespec="seconds") + "Z"


def _batched(items: Iterable[PackedVersion], size: int) -> Iterator[list[PackedVersion]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
