"""The members and printed-hearings stages, each list → select → fetch → gate → load, and what
every stage shares. (Committees are in `committees`, meetings, which load in batches, in
`meetings`.)

A stage that cannot go on raises; the pipeline records that as the stage's failure and moves on.
Data never makes a stage raise: the gate turns it into quarantine entries.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from hearings.congress_api.errors import NotFound
from hearings.store import schema
from hearings.sync import quarantine as quarantine_store
from hearings.sync.fetching import fetch_in_order
from hearings.sync.gate import (
    Admitted,
    Listed,
    Quarantined,
    Request,
    admit_item,
    admit_record_entry,
)
from hearings.sync.listing import (
    ApiClient,
    Listing,
    combined,
    read_list,
    record_refusals,
    stored_differs,
    stored_update_dates,
)
from hearings.sync.marks import advance_high_water_mark
from hearings.sync.options import ProgressFn, SyncOptions
from hearings.sync.reference import load_records
from hearings.sync.run_state import RunState

log = logging.getLogger(__name__)

# ---- members -------------------------------------------------------------------------------


def members_stage(state: RunState, entries: Sequence[object], progress: ProgressFn) -> None:
    """Store the Congress's members: each member-list entry is the whole record."""
    request = Request("member", None, None)
    admitted: list[Admitted] = []
    total = len(entries)
    for done, entry in enumerate(entries, start=1):
        outcome = admit_record_entry(request, entry, now=state.clock(), redact=state.redact)
        if isinstance(outcome, Admitted):
            admitted.append(outcome)
        elif isinstance(outcome, Quarantined):
            state.quarantine(outcome)
        else:
            state.reject(outcome)
        if done % 50 == 0 or done == total:
            progress("members", done, total)
    if not entries:
        progress("members", 0, 0)
    load_records(state, "member", last_per_id(admitted))


# ---- printed hearings ----------------------------------------------------------------------


def list_printed_hearings(
    client: ApiClient,
    options: SyncOptions,
    chamber: str | None,
    since: datetime | None,
    now: datetime,
) -> Listing:
    """Printed hearings are listed under each Congress, even in a run across Congresses: the API
    documents no `fromDateTime` for `/hearing`, and were it ignored there, the list across
    Congresses would be every printed hearing ever (34,000), not one Congress's."""
    return combined(
        read_list(
            "printed_hearing",
            client.list_printed_hearings,
            options.for_congress(congress),
            chamber,
            since,
            now,
        )
        for congress in options.selected
    )


def printed_hearings_stage(
    state: RunState,
    client: ApiClient,
    listing: Listing,
    since: datetime | None,
    progress: ProgressFn,
) -> None:
    """Store the listed printed hearings that changed, and retry the quarantined ones."""
    options = state.options
    record_refusals(state, listing, "printed_hearings", since)
    listed = listing.by_identifier()
    _quarantine_second_congresses(state, listing, listed)
    stored = stored_update_dates(state, schema.printed_hearings, "jacket_number", list(listed))
    wanted = {
        jacket: entry.request
        for jacket, entry in listed.items()
        if stored_differs(entry, stored, int(jacket), options.full_refresh)
    }
    # A jacket number stored under another Congress is not this record, however equal the dates.
    held = _held_congresses(state, [int(jacket) for jacket in listed if jacket not in wanted])
    for jacket, entry in listed.items():
        if held.get(int(jacket), entry.congress) != entry.congress:
            wanted[jacket] = entry.request
    unlisted: set[str] = set()
    if state.writes:
        with state.transaction() as connection:
            retry = quarantine_store.open_items(connection, entity="printed_hearing")
        for item in retry:
            chamber = item.locator.get("chamber")
            located = item.locator.get("congress")
            if located is not None and located not in options.selected:
                continue
            if chamber and item.identifier.isdigit() and item.identifier not in listing.refused_ids:
                congress = int(located or options.congress)
                request = Request("printed_hearing", congress, str(chamber), item.identifier)
                wanted.setdefault(item.identifier, request)
    fetched = fetch_in_order(
        lambda r: client.get_printed_hearing(
            r.congress or 0, r.chamber or "", int(r.identifier or 0)
        ),
        list(wanted.values()),
        concurrency=options.concurrency,
    )
    admitted: list[Admitted] = []
    for done, (request, result) in enumerate(fetched, start=1):
        progress("printed hearings", done, len(wanted))
        if request.identifier in unlisted and close_if_gone(state, request, result):
            continue
        outcome = admit_item(request, result, now=state.clock(), redact=state.redact)
        if isinstance(outcome, Admitted):
            admitted.append(outcome)
        else:
            state.quarantine(outcome)
        if len(admitted) >= 500:
            load_records(state, "printed_hearing", _one_congress_per_jacket(state, admitted))
            admitted = []
    load_records(state, "printed_hearing", _one_congress_per_jacket(state, admitted))
    progress("printed hearings", len(wanted), len(wanted))
    mark_stage_done(state, "printed_hearings")


# The store keys printed hearings by jacket number alone, and GPO reuses jacket numbers across
# Congresses (they wrap at 99,999). A second Congress's printed hearing under a jacket number
# already held is kept in the quarantine, with its payload, rather than written over the first.


def _jacket_taken(jacket: object, held_by: int, congress: object) -> str:
    return (
        f"jacket number {jacket} is already held by a printed hearing of Congress {held_by}, and "
        f"printed hearings are stored by jacket number alone, so this one (Congress {congress}) "
        "is kept here rather than written over it"
    )


def _quarantine_second_congresses(
    state: RunState, listing: Listing, chosen: dict[str, Listed]
) -> None:
    """A list across Congresses that names one jacket number under two of them: the entry
    `by_identifier` did not choose is quarantined, not silently dropped."""
    for entry in listing.listed:
        winner = chosen.get(entry.identifier)
        if winner is None or winner.congress is None or entry.congress in (None, winner.congress):
            continue
        reason = _jacket_taken(entry.identifier, winner.congress, entry.congress)
        state.quarantine(
            Quarantined(
                "printed_hearing", entry.identifier, "list", reason, None, entry.request.locator
            )
        )


def _held_congresses(state: RunState, jackets: Sequence[int]) -> dict[int, int]:
    """The Congress whose printed hearing holds each stored jacket number."""
    table = schema.printed_hearings
    held: dict[int, int] = {}
    with state.transaction() as connection:
        for start in range(0, len(jackets), 500):
            chunk = jackets[start : start + 500]
            query = select(table.c.jacket_number, table.c.congress)
            for jacket, congress in connection.execute(
                query.where(table.c.jacket_number.in_(chunk))
            ):
                held[jacket] = congress
    return held


def _one_congress_per_jacket(state: RunState, admitted: Sequence[Admitted]) -> list[Admitted]:
    """The admitted records whose jacket number is free or held by their own Congress; the
    others are quarantined."""
    records = last_per_id(admitted)
    if not records:
        return records
    held = _held_congresses(state, [int(a.record.jacket_number) for a in records])
    kept: list[Admitted] = []
    for item in records:
        jacket, congress = int(item.record.jacket_number), int(item.record.congress)
        owner = held.get(jacket, congress)
        if owner == congress:
            kept.append(item)
            continue
        reason = _jacket_taken(jacket, owner, congress)
        state.quarantine(
            Quarantined(
                "printed_hearing",
                item.request.identifier or str(jacket),
                "apply",
                reason,
                item.payload,
                item.request.locator,
            )
        )
    return kept


# ---- shared --------------------------------------------------------------------------------


def close_if_gone(state: RunState, request: Request, result: object) -> bool:
    """A quarantined record that no list names any more and that the API answers 404 for is gone
    upstream: its quarantine entry is closed (the stored row, if any, is kept), rather than
    quarantined again on every run. Returns whether it was."""
    if not isinstance(result, NotFound) or not state.writes:
        return False
    with state.transaction() as connection:
        closed = quarantine_store.resolve(
            connection, request.entity, [request.identifier or ""], state.now()
        )
    if closed:
        log.warning(
            "%s %s is no longer served by the API (404); its quarantine entry is closed",
            request.entity.replace("_", " "),
            request.identifier,
        )
    return True


def mark_stage_done(state: RunState, entity: str) -> None:
    """A reference stage lists its whole window, so when it ends the run's start is its mark."""
    if not state.writes and state.single is None:
        return
    with state.transaction() as connection:
        advance_high_water_mark(
            connection,
            state.options,
            entity,
            state.started,
            run_id=state.metrics.run_id,
            run_started=state.started,
            now=state.now(),
        )


def last_per_id(admitted: Sequence[Admitted]) -> list[Admitted]:
    """One record per identifier: a list may name a record twice."""
    return list({a.request.identifier: a for a in admitted}.values())
