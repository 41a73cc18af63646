"""The members stage's lists. An import reads its Congress's member list; an update reads a
Congress's member list again only when an earlier run could not read it to its end.

Members are not updated day to day (the list has no `fromDateTime`, and members change a few
times a Congress), so a list read short would otherwise wait for the next `hearings import`,
which a completed import never has: the members it did not reach would be missing for good. A
run that reads the list short holds it (`members.relist` for that Congress), and every update
lists it again, whole (three pages), until one reads it to its end."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, delete, select

from hearings.congress_api.paging import ListShortfall
from hearings.store import schema
from hearings.store.writer import upsert
from hearings.sync.listing import ApiClient
from hearings.sync.marks import EVERYTHING, HELD
from hearings.sync.options import ALL_CHAMBERS, ProgressFn, SyncOptions
from hearings.sync.run_state import RunState
from hearings.sync.stages import members_stage

MEMBERS = "members"

MemberLists = list[tuple[int, list[object]]]


def member_congresses(engine: Engine, options: SyncOptions, incremental: bool) -> list[int]:
    """The Congresses whose member list this run reads: an import's own, or those an update
    covers whose list an earlier run could not read to its end."""
    if not options.include_members:
        return []
    if not incremental:
        return [options.congress]
    state = schema.sync_state
    with engine.connect() as connection:
        held = set(
            connection.execute(
                select(state.c.congress).where(
                    state.c.entity == MEMBERS + HELD, state.c.congress.in_(options.selected)
                )
            ).scalars()
        )
    return sorted(held)


def read_member_lists(client: ApiClient, congresses: Sequence[int]) -> MemberLists:
    return [(congress, list(client.list_members(congress))) for congress in congresses]


def member_lists_stage(state: RunState, lists: MemberLists, progress: ProgressFn) -> None:
    """Store each Congress's members, and hold the list of each one read short for the next run
    (releasing those read whole)."""
    for congress, entries in lists:
        members_stage(state, entries, progress)
        if state.writes:
            whole = not any(isinstance(e, ListShortfall) for e in entries)
            _note(state, congress, whole)


def _note(state: RunState, congress: int, whole: bool) -> None:
    """The member list has no window and no chamber: one row per Congress says it is held."""
    table = schema.sync_state
    with state.transaction() as connection:
        connection.execute(
            delete(table).where(table.c.congress == congress, table.c.entity == MEMBERS + HELD)
        )
        if not whole:
            row = {
                "congress": congress,
                "chamber": ALL_CHAMBERS,
                "entity": MEMBERS + HELD,
                "high_water_mark": EVERYTHING,
                "last_run_id": None,
                "updated_at": state.now(),
            }
            upsert(connection, table, [row], ["congress", "chamber", "entity"])
