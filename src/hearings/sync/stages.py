"""The four stages of a run, each list → select → fetch → gate → load, for the reference records:
committees, members and printed hearings. (Meetings, which load in batches, are in `meetings`.)

A stage that cannot go on raises; the pipeline records that as the stage's failure and moves on.
Data never makes a stage raise: the gate turns it into quarantine entries.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from hearings.congress_api.errors import NotFound
from hearings.store import schema
from hearings.store.writer import known_committee_codes
from hearings.sync import quarantine as quarantine_store
from hearings.sync.fetching import fetch_in_order
from hearings.sync.gate import (
    Admitted,
    Quarantined,
    Request,
    admit_item,
    admit_record_entry,
)
from hearings.sync.listing import (
    ApiClient,
    Listing,
    record_refusals,
    stored_differs,
    stored_update_dates,
    update_dates,
)
from hearings.sync.marks import advance_high_water_mark
from hearings.sync.options import ProgressFn, SyncOptions
from hearings.sync.reference import load_records
from hearings.sync.run_state import RunState

log = logging.getLogger(__name__)

COMMITTEE_CHAMBERS = ("house", "senate", "joint")


def committee_chambers(options: SyncOptions) -> list[str]:
    """The committee lists a run reads: its chamber's and the joint committees, or all three."""
    if options.chamber:
        return [options.chamber.lower(), "joint"]
    return list(COMMITTEE_CHAMBERS)


# ---- committees ----------------------------------------------------------------------------


@dataclass
class CommitteeFetch:
    """Committees listed, chosen and fetched ahead on a background thread, for the run's own
    thread to gate and store."""

    listing: Listing
    results: list[tuple[Request, object]]


def prefetch_committees(
    engine: Engine, client: ApiClient, options: SyncOptions, listing: Listing
) -> CommitteeFetch:
    """Choose the listed committees whose record must be fetched, and fetch them (on a
    background thread, with a connection of its own)."""
    wanted: dict[str, str] = {}
    for entry in listing.listed:
        wanted.setdefault(entry.identifier, entry.chamber or "house")
        for code, chamber in entry.nested.items():
            wanted.setdefault(code, chamber)
    dated = listing.by_identifier()
    with engine.connect() as connection:
        stored = update_dates(connection, schema.committees, "system_code", sorted(wanted))
        retry = quarantine_store.open_items(connection, entity="committee")
    chosen = {
        code: chamber
        for code, chamber in wanted.items()
        if code not in dated or stored_differs(dated[code], stored, code, options.full_refresh)
    }
    for item in retry:
        chosen.setdefault(item.identifier, str(item.locator.get("chamber") or "house"))
    requests = [
        Request("committee", None, chamber, code) for code, chamber in sorted(chosen.items())
    ]
    return CommitteeFetch(listing, fetch_committees(client, requests, options.concurrency))


def fetch_committees(
    client: ApiClient, requests: Sequence[Request], concurrency: int
) -> list[tuple[Request, object]]:
    fetched = fetch_in_order(
        lambda r: client.get_committee(r.chamber or "house", r.identifier or ""),
        requests,
        concurrency=concurrency,
    )
    return list(fetched)


def store_committees(
    state: RunState,
    client: ApiClient,
    fetched: Sequence[tuple[Request, object]],
    progress: ProgressFn,
    *,
    parents: bool = True,
) -> set[str]:
    """Gate and store fetched committees, then their parents the database lacks. Returns the
    codes stored."""
    admitted: list[Admitted] = []
    total = len(fetched)
    for done, (request, result) in enumerate(fetched, start=1):
        outcome = admit_item(request, result, now=state.clock(), redact=state.redact)
        if isinstance(outcome, Admitted):
            admitted.append(outcome)
        else:
            state.quarantine(outcome)
        progress("committees", done, total)
    load_records(state, "committee", _last_per_id(admitted))
    stored = {a.record.system_code for a in admitted}
    parent_refs = {
        a.record.parent.system_code: a.request.chamber or "house"
        for a in admitted
        if a.record.parent is not None
    }
    if parents and parent_refs and state.writes:
        with state.transaction() as connection:
            known = known_committee_codes(connection, parent_refs)
        missing = [
            Request("committee", None, chamber, code)
            for code, chamber in sorted(parent_refs.items())
            if code not in known and code not in stored
        ]
        if missing:
            more = fetch_committees(client, missing, state.options.concurrency)
            stored |= store_committees(state, client, more, progress, parents=False)
    return stored


def committees_stage(
    state: RunState, client: ApiClient, prefetched: CommitteeFetch, progress: ProgressFn
) -> None:
    record_refusals(state, prefetched.listing)
    store_committees(state, client, prefetched.results, progress)
    progress("committees", len(prefetched.results), len(prefetched.results))
    _mark_stage_done(state, "committees")


def load_committees_by_code(
    state: RunState, client: ApiClient, codes: Mapping[str, str], progress: ProgressFn
) -> None:
    """Committees that meetings name but the database lacks (code → path chamber). One the API
    does not have is no bad record: the meeting's own reference stands in as a placeholder."""
    requests = [Request("committee", None, ch, code) for code, ch in sorted(codes.items())]
    fetched = []
    for request, result in fetch_committees(client, requests, 4):
        if isinstance(result, NotFound):
            log.warning("committee %s is not served by the API: %s", request.identifier, result)
        else:
            fetched.append((request, result))
    store_committees(state, client, fetched, progress)


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
    load_records(state, "member", _last_per_id(admitted))


# ---- printed hearings ----------------------------------------------------------------------


def printed_hearings_stage(
    state: RunState, client: ApiClient, listing: Listing, progress: ProgressFn
) -> None:
    """Store the listed printed hearings that changed, and retry the quarantined ones."""
    options = state.options
    record_refusals(state, listing)
    listed = listing.by_identifier()
    stored = stored_update_dates(state, schema.printed_hearings, "jacket_number", list(listed))
    wanted = {
        jacket: entry.request
        for jacket, entry in listed.items()
        if stored_differs(entry, stored, int(jacket), options.full_refresh)
    }
    if state.writes:
        with state.transaction() as connection:
            retry = quarantine_store.open_items(
                connection, entity="printed_hearing", congress=options.congress
            )
        for item in retry:
            chamber = item.locator.get("chamber")
            if chamber and item.identifier.isdigit():
                request = Request(
                    "printed_hearing", options.congress, str(chamber), item.identifier
                )
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
        outcome = admit_item(request, result, now=state.clock(), redact=state.redact)
        if isinstance(outcome, Admitted):
            admitted.append(outcome)
        else:
            state.quarantine(outcome)
        if len(admitted) >= 500:
            load_records(state, "printed_hearing", _last_per_id(admitted))
            admitted = []
        progress("printed hearings", done, len(wanted))
    load_records(state, "printed_hearing", _last_per_id(admitted))
    progress("printed hearings", len(wanted), len(wanted))
    _mark_stage_done(state, "printed_hearings")


# ---- shared --------------------------------------------------------------------------------


def _mark_stage_done(state: RunState, entity: str) -> None:
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


def _last_per_id(admitted: Sequence[Admitted]) -> list[Admitted]:
    """One record per identifier: a list may name a record twice."""
    return list({a.request.identifier: a for a in admitted}.values())
