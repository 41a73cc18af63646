"""Deriving tables from the archive for `hearings rebuild`: each record's newest version passes
the gate again (today's parser and checks), meetings on worker processes that ship back rows, not
models, while this process writes them in large units. First-seen and last-changed times are the
database's own where it still has them, else the archive's."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Connection, DateTime, bindparam, delete, func, select, update

from hearings.store import schema
from hearings.store.archive import unpack
from hearings.store.archive_latest import PackedVersion, first_seen_times, latest_packed_versions
from hearings.store.records import (
    MeetingRows,
    Row,
    committee_row,
    member_row,
    printed_hearing_row,
)
from hearings.store.search_index import hearing_search, index_new_meetings
from hearings.store.writer import apply_meetings, upsert
from hearings.sync.gate import Admitted, Entity, Request, admit_item, key_parts

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
# Meetings a worker parses per task, and written per apply.
_PARSE_CHUNK = 250
_WRITE_CHUNK = 2_000


@dataclass
class Derived:
    counts: dict[str, int] = field(default_factory=dict)
    refused: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Stamps:
    """The first-seen and last-changed times a rebuilt row keeps."""

    meetings: dict[str, tuple[datetime, datetime]]
    witnesses: dict[str, datetime]


def derive_entities(
    connection: Connection, entities: Sequence[Entity], now: datetime, *, previous: Connection
) -> Derived:
    """Re-derive the tables of `entities` from the archive, in the caller's transaction.
    `previous` reads the database as it was (on PostgreSQL, `connection` itself)."""
    moment = now.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    derived = Derived()
    stamps = _stamps(previous) if "meeting" in entities else None
    for entity in ENTITY_ORDER:
        if entity not in entities:
            continue
        if entity == "meeting":
            connection.execute(delete(hearing_search))
            for table in ENTITY_TABLES["meeting"]:
                connection.execute(delete(table))
            _derive_meetings(connection, moment, derived, stamps or _Stamps({}, {}))
        else:
            _derive_reference(connection, entity, moment, derived)
    if stamps is not None:
        _restore_stamps(connection, stamps)
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
    connection: Connection, moment: datetime, derived: Derived, stamps: _Stamps
) -> None:
    with _collector_paused():
        _write_all_meetings(connection, moment, derived, stamps)


def _write_all_meetings(
    connection: Connection, moment: datetime, derived: Derived, stamps: _Stamps
) -> None:
    versions = list(latest_packed_versions(connection, "meeting"))
    count = 0
    pending: list[MeetingRows] = []
    for parsed in _parse_meetings(versions, moment):
        for rows_or_reason in parsed:
            if isinstance(rows_or_reason, MeetingRows):
                pending.append(rows_or_reason)
            else:
                derived.refused.setdefault("meeting", []).append(rows_or_reason)
        if len(pending) >= _WRITE_CHUNK:
            count += _write_meetings(connection, pending, moment, stamps)
            pending = []
    count += _write_meetings(connection, pending, moment, stamps)
    derived.counts["meeting"] = count


def _write_meetings(
    connection: Connection, batch: list[MeetingRows], moment: datetime, stamps: _Stamps
) -> int:
    """Write meetings, with the times they keep, and their index rows, built from the rows in
    memory (the index was emptied: there are no old rows to delete)."""
    for rows in batch:
        kept = stamps.meetings.get(rows.event_id)
        if kept is not None:
            rows.hearing["first_seen_at"], rows.hearing["last_changed_at"] = kept
    if batch:
        apply_meetings(connection, batch, moment)
        index_new_meetings(connection, batch)
    return len(batch)


def _parse_meetings(
    versions: Sequence[PackedVersion], moment: datetime
) -> Iterator[list[MeetingRows | str]]:
    """The rows of each version, in order; on worker processes when there are enough of them
    and a second core to run them on."""
    chunks = [list(c) for c in _batched(versions, _PARSE_CHUNK)]
    workers = min(len(chunks), max(1, (os.cpu_count() or 1)))
    if workers < 2:
        yield from (parse_meeting_chunk(chunk, moment) for chunk in chunks)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(parse_meeting_chunk, chunks, [moment] * len(chunks))


def parse_meeting_chunk(
    versions: Sequence[PackedVersion], moment: datetime
) -> list[MeetingRows | str]:
    """(On a worker) each version's rows, or the sentence the gate refused it with."""
    with _collector_paused():
        return [_parsed(version, moment) for version in versions]


def _parsed(version: PackedVersion, moment: datetime) -> MeetingRows | str:
    verdict = _admit("meeting", version, moment)
    if isinstance(verdict, Admitted) and verdict.rows is not None:
        verdict.rows.title_bills  # noqa: B018 -- worked out here, on the worker
        return verdict.rows
    return verdict if isinstance(verdict, str) else f"{version.identifier}: no rows"


def _admit(entity: Entity, version: PackedVersion, moment: datetime) -> Admitted | str:
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
    payload = unpack(version.packed)
    if version.update_date is not None:
        # The version as last seen: with the newest `updateDate` it was seen with.
        payload["updateDate"] = version.update_date.strftime("%Y-%m-%dT%H:%M:%SZ")
    verdict = admit_item(request, payload, now=moment.replace(tzinfo=UTC))
    if isinstance(verdict, Admitted):
        return verdict
    return f"{verdict.identifier}: {verdict.reason}"


def _batched(items: Sequence[PackedVersion], size: int) -> Iterable[Sequence[PackedVersion]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# ---- first-seen and last-changed times -----------------------------------------------------


def _stamps(previous: Connection) -> _Stamps:
    hearings, witnesses = schema.hearings, schema.witnesses
    archived = first_seen_times(previous, "meeting")
    stored = {
        row.event_id: (row.first_seen_at, row.last_changed_at)
        for row in previous.execute(
            select(hearings.c.event_id, hearings.c.first_seen_at, hearings.c.last_changed_at)
        )
    }
    witness_stamps = dict(
        previous.execute(select(witnesses.c.witness_id, witnesses.c.first_seen_at)).all()
    )
    return _Stamps({**archived, **stored}, witness_stamps)


def _restore_stamps(connection: Connection, stamps: _Stamps) -> None:
    """Witnesses keep their first-seen time (else their first meeting's, which the meeting
    kept as it was written)."""
    hearings, witnesses = schema.hearings, schema.witnesses
    appearances = schema.witness_appearances
    earliest = (
        select(func.min(hearings.c.first_seen_at))
        .select_from(appearances.join(hearings, hearings.c.event_id == appearances.c.event_id))
        .where(appearances.c.witness_id == witnesses.c.witness_id)
        .scalar_subquery()
    )
    connection.execute(
        update(witnesses).values(first_seen_at=func.coalesce(earliest, witnesses.c.first_seen_at))
    )
    if stamps.witnesses:
        connection.execute(
            update(witnesses)
            .where(witnesses.c.witness_id == bindparam("b_witness_id"))
            .values(first_seen_at=bindparam("b_first", type_=DateTime)),
            [
                {"b_witness_id": witness_id, "b_first": first}
                for witness_id, first in stamps.witnesses.items()
            ],
        )
