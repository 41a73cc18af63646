"""The members and printed-hearings stages, each list → select → fetch → gate → load, and what
every stage shares. (Committees are in `committees`, meetings, which load in batches, in
`meetings`.)

A stage that cannot go on raises; the pipeline records that as the stage's failure and moves on.
Data never makes a stage raise: the gate turns it into quarantine entries.
"""

from __future__ import annotations

import logging
from collections.abc import Container, Sequence
from contextlib import closing
from datetime import UTC, datetime

from hearings.congress_api.errors import ApiUnavailable, NotFound
from hearings.congress_api.paging import ListShortfall
from hearings.sync import quarantine as quarantine_store
from hearings.sync.fetching import fetch_in_order
from hearings.sync.gate import (
    Admitted,
    Quarantined,
    Request,
    admit_item,
    admit_record_entry,
    key_parts,
)
from hearings.sync.listing import (
    ApiClient,
    Listing,
    combined,
    printed_update_dates,
    read_list,
    record_refusals,
    report_shortfalls,
    stored_differs,
)
from hearings.sync.marks import advance_high_water_mark
from hearings.sync.options import ProgressFn, SyncOptions
from hearings.sync.quarantine import QuarantineItem
from hearings.sync.reference import load_records
from hearings.sync.run_state import RunState

log = logging.getLogger(__name__)

# ---- members -------------------------------------------------------------------------------


def members_stage(state: RunState, entries: Sequence[object], progress: ProgressFn) -> None:
    """Store the Congress's members: each member-list entry is the whole record."""
    request = Request("member", None, None)
    # Held by the caller (member_lists): the next run, an update too, lists it again.
    report_shortfalls(state, [e for e in entries if isinstance(e, ListShortfall)], "members")
    entries = [e for e in entries if not isinstance(e, ListShortfall)]
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
    load_records(state, "member", newest_per_id(admitted))


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
    """Store the listed printed hearings that changed, and retry the quarantined ones. A printed
    hearing is its Congress's and jacket number's: GPO reuses jacket numbers across Congresses."""
    options = state.options
    record_refusals(state, listing, "printed_hearings", since)
    listed = listing.by_identifier()
    with state.transaction() as connection:
        stored = printed_update_dates(connection, listed.values())
    wanted = {
        key: entry.request
        for key, entry in listed.items()
        if stored_differs(entry, stored, key, options.full_refresh)
    }
    unlisted: set[str] = set()
    if state.writes:
        with state.transaction() as connection:
            retry = quarantine_store.open_items(connection, entity="printed_hearing")
        for item in retry:
            request = _retry_request(item, options.congress)
            located = request.congress if request is not None else None
            if request is None or located not in options.selected:
                continue
            if request.key not in listing.refused_ids:
                wanted.setdefault(request.key or "", request)
                if request.key not in listed:
                    unlisted.add(request.key or "")
    fetched = fetch_in_order(
        lambda r: client.get_printed_hearing(
            r.congress or 0, r.chamber or "", int(r.identifier or 0)
        ),
        list(wanted.values()),
        concurrency=options.concurrency,
    )
    admitted: list[Admitted] = []
    with closing(fetched):  # so an interrupt waits for the fetches in flight
        for done, (request, result) in enumerate(fetched, start=1):
            progress("printed hearings", done, len(wanted))
            outcome = gate_fetched(state, request, result, unlisted=unlisted)
            if outcome is not None:
                admitted.append(outcome)
            if len(admitted) >= 500:
                load_records(state, "printed_hearing", newest_per_id(admitted))
                admitted = []
    load_records(state, "printed_hearing", newest_per_id(admitted))
    progress("printed hearings", len(wanted), len(wanted))
    mark_stage_done(state, "printed_hearings")


def _retry_request(item: QuarantineItem, default_congress: int) -> Request | None:
    """The request that fetches a quarantined printed hearing again: its key names its Congress
    (`118/51692`); an entry from before revision 0007 is located by its locator."""
    congress, jacket = key_parts("printed_hearing", item.identifier)
    chamber = item.locator.get("chamber")
    if not chamber or not jacket.isdigit():
        return None
    located = item.locator.get("congress")
    if congress is None:
        congress = int(located) if located is not None else default_congress
    return Request("printed_hearing", congress, str(chamber), jacket)


# ---- shared --------------------------------------------------------------------------------


# What a record found gone upstream is closed with.
GONE_REASON = "gone upstream: no list names it and the API answers 404 for it"


def gate_fetched(
    state: RunState, request: Request, result: object, *, unlisted: Container[str] = ()
) -> Admitted | None:
    """One fetched record through the gate: the record admitted, or None when it was
    quarantined (with its reason) or, named by no list and answered 404, closed as gone.

    A record the API would not serve after every retry is the API's failure, not the record's:
    in single-transaction mode it fails the run, which rolls back whole, as `--no-batch`
    promises; in batch mode it is quarantined and costs only itself."""
    if state.all_or_nothing and isinstance(result, ApiUnavailable):
        raise result
    if request.key in unlisted and close_if_gone(state, request, result):
        return None
    outcome = admit_item(request, result, now=state.clock(), redact=state.redact)
    if isinstance(outcome, Admitted):
        return outcome
    state.quarantine(outcome)
    return None


def close_if_gone(state: RunState, request: Request, result: object) -> bool:
    """A record that no list names (any more) and that the API answers 404 for is gone upstream:
    its quarantine entry, open or new, is closed with that reason (the stored row, if any, is
    kept), rather than quarantined again on every run. Returns whether it was (a dry run says
    so and writes nothing)."""
    if not isinstance(result, NotFound):
        return False
    if not state.writes:
        return True
    with state.transaction() as connection:
        was_open = quarantine_store.close_as_gone(
            connection,
            entity=request.entity,
            identifier=request.key or "",
            reason=GONE_REASON,
            locator=request.locator,
            now=state.now(),
        )
    log.warning(
        "%s %s is not served by the API (404) and no list names it: %s",
        request.entity.replace("_", " "),
        request.identifier,
        "its quarantine entry is closed" if was_open else "recorded as gone upstream",
    )
    return True


def mark_stage_done(state: RunState, entity: str) -> None:
    """A reference stage lists its whole window, so when it ends the run's start is its mark;
    unless its list was not read to its end, when the mark would pass what the run did not see."""
    if not state.writes and state.single is None:
        return
    if entity in state.lists_not_whole:
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


def newest_per_id(admitted: Sequence[Admitted]) -> list[Admitted]:
    """One record per record key, the one with the newest `updateDate` (the later one of a
    tie): a list may name a record twice, and a stale entry after a fresh one overwrote it."""
    kept: dict[str | None, Admitted] = {}
    for record in admitted:
        held = kept.get(record.request.key)
        if held is None or _updated(record) >= _updated(held):
            kept[record.request.key] = record
    return list(kept.values())


def _updated(admitted: Admitted) -> datetime:
    moment = getattr(admitted.record, "update_date", None)
    if not isinstance(moment, datetime):
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
