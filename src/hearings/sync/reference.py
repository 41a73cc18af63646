"""Loading the reference records (committees, members, printed hearings) that passed the gate:
each becomes a row, rows are upserted in the stage's own transaction, and their payloads are
archived and their quarantine entries resolve with them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, select, tuple_

from hearings.store import schema
from hearings.store.archive import Version, archive_versions
from hearings.store.reference_rows import committee_row, member_row, printed_hearing_row
from hearings.store.search_index import refresh_search_index
from hearings.store.writer import (
    UpsertCounts,
    upsert_committees,
    upsert_members,
    upsert_printed_hearings,
)
from hearings.sync import quarantine as quarantine_store
from hearings.sync.gate import Admitted, Entity
from hearings.sync.run_state import RunState

Upsert = Callable[[Connection, Sequence[dict[str, Any]]], UpsertCounts]

_ROWS: dict[Entity, tuple[Callable[..., dict[str, Any]], Upsert, str]] = {
    "committee": (committee_row, upsert_committees, "committees"),
    "member": (member_row, upsert_members, "members"),
    "printed_hearing": (printed_hearing_row, upsert_printed_hearings, "printed hearings"),
}


def load_records(state: RunState, entity: Entity, admitted: Sequence[Admitted]) -> int:
    """Upsert admitted records of one entity in one transaction; returns how many were added or
    changed."""
    if not admitted or not state.writes:
        return 0
    build, upsert_rows, stage_name = _ROWS[entity]
    now = state.now()
    rows = [build(a.record, a.content_hash, now) for a in admitted]
    versions = [
        Version(
            entity,
            a.request.key or "",
            a.content_hash,
            a.payload,
            a.record.update_date,
            a.request.locator,
        )
        for a in admitted
    ]
    with state.transaction() as connection:
        counts = upsert_rows(connection, rows)
        if entity == "printed_hearing":
            # A meeting's index row holds its printed hearing's title and citation.
            refresh_search_index(connection, _meetings_of(connection, admitted))
        archive_versions(connection, versions, run_id=state.metrics.run_id, now=now)
        resolved = quarantine_store.resolve(
            connection, entity, [a.request.key or "" for a in admitted], now
        )
    state.metrics.quarantine_resolved += resolved
    changed = counts.added + counts.updated
    if entity == "committee":
        state.metrics.committees_updated += changed
    elif entity == "member":
        state.metrics.members_updated += changed
    else:
        state.metrics.printed_hearings_updated += changed
    stage = state.metrics.stages.get(stage_name)
    if stage is not None:
        stage.committed += changed
    return changed


def _meetings_of(connection: Connection, admitted: Sequence[Admitted]) -> set[str]:
    """The meetings whose printed hearing is among `admitted`: named by the printed hearing, or
    naming it (its Congress and jacket number) as their transcript."""
    printed = sorted({(a.record.congress, a.record.jacket_number) for a in admitted})
    named = {
        a.record.associated_meeting.event_id
        for a in admitted
        if a.record.associated_meeting is not None and a.record.associated_meeting.event_id
    }
    transcripts = schema.hearing_transcripts
    key = tuple_(transcripts.c.congress, transcripts.c.jacket_number)
    for start in range(0, len(printed), 500):
        named.update(
            connection.execute(
                select(transcripts.c.event_id).where(key.in_(printed[start : start + 500]))
            ).scalars()
        )
    return named
