"""The committees stage: the committee lists (read and gated on a background thread), the
committees chosen from them and fetched ahead, then gated and stored on the run's own thread,
parents after their subcommittees. Committees that meetings name but the database lacks come in
through here too."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine, select

from hearings.congress_api.errors import NotFound
from hearings.store import schema
from hearings.store.writer import known_committee_codes
from hearings.sync import quarantine as quarantine_store
from hearings.sync.committee_congresses import of_run_congresses
from hearings.sync.fetching import fetch_in_order
from hearings.sync.gate import (
    Admitted,
    Quarantined,
    Request,
)
from hearings.sync.listing import (
    ApiClient,
    Listing,
    record_refusals,
    stored_differs,
    update_dates,
)
from hearings.sync.load import committee_path_chamber
from hearings.sync.options import ProgressFn, SyncOptions
from hearings.sync.reference import load_records
from hearings.sync.run_state import RunState
from hearings.sync.stages import gate_fetched, mark_stage_done, newest_per_id

log = logging.getLogger(__name__)


@dataclass
class CommitteeFetch:
    """Committees listed, chosen and fetched ahead on a background thread, for the run's own
    thread to gate and store."""

    listing: Listing
    results: list[tuple[Request, object]]
    # Where the committee lists started (None: everything).
    since: datetime | None = None
    # Committees fetched that no list entry of their own names (subcommittees only a parent's
    # entry names, quarantined ones no list names): a 404 for one means gone upstream.
    unlisted: set[str] = field(default_factory=set)
    # Quarantined committees fetched again (`quarantine_retried`).
    retried: set[str] = field(default_factory=set)
    # How many were to be fetched: more than `results` when the request budget ran out.
    wanted: int | None = None


def choose_committees(
    connection: Connection, listing: Listing, full_refresh: bool
) -> dict[str, str]:
    """The committees a listing names whose record must be fetched (code → path chamber): those
    listed whose stored `updateDate` differs, and the subcommittees that only a parent's entry
    names when the database neither holds them nor knows them gone upstream."""
    wanted: dict[str, str] = {}
    for entry in listing.listed:
        wanted.setdefault(entry.identifier, entry.chamber or "house")
        for code, chamber in entry.nested.items():
            wanted.setdefault(code, chamber)
    dated = listing.by_identifier()
    stored = update_dates(connection, schema.committees, "system_code", sorted(wanted))
    named_only = [code for code in wanted if code not in dated and code not in stored]
    gone = quarantine_store.closed_identifiers(connection, "committee", named_only)
    return {
        code: chamber
        for code, chamber in wanted.items()
        if (
            stored_differs(dated[code], stored, code, full_refresh)
            if code in dated
            else code in named_only and code not in gone
        )
    }


def prefetch_committees(
    engine: Engine,
    client: ApiClient,
    options: SyncOptions,
    listing: Listing,
    since: datetime | None,
    quarantined_in_run: set[str] | None = None,
) -> CommitteeFetch:
    """Choose the listed committees whose record must be fetched, and the quarantined ones to
    retry, and fetch them (on a background thread, with a connection of its own). A committee
    this run has quarantined already, for an earlier Congress, is not fetched again."""
    already = quarantined_in_run or set()
    with engine.connect() as connection:
        chosen = {
            code: chamber
            for code, chamber in choose_committees(
                connection, listing, options.full_refresh
            ).items()
            if code not in already
        }
        stored = set(update_dates(connection, schema.committees, "system_code", sorted(chosen)))
        retry = quarantine_store.open_items(connection, entity="committee")
    if options.across_congresses:
        chosen, shortfalls = of_run_congresses(client, options, chosen, stored, since)
        # Reported with the committee lists' own: the window is held and the mark kept.
        listing.shortfalls += shortfalls
    retried = set()
    for item in retry:
        if item.identifier in listing.refused_ids or item.identifier in already:
            continue
        chosen.setdefault(item.identifier, str(item.locator.get("chamber") or "house"))
        retried.add(item.identifier)
    dated = listing.by_identifier()
    requests = [
        Request("committee", None, chamber, code) for code, chamber in sorted(chosen.items())
    ]
    fetched = fetch_committees(client, requests, options.concurrency)
    return CommitteeFetch(
        listing,
        fetched,
        # Where a window held for what the lists did not name starts again (None held it at
        # the beginning of time: the next update listed every committee ever).
        since=since,
        unlisted={code for code in chosen if code not in dated},
        retried=retried,
        wanted=len(requests),
    )


def fetch_committees(
    client: ApiClient, requests: Sequence[Request], concurrency: int
) -> list[tuple[Request, object]]:
    fetched = fetch_in_order(
        lambda r: client.get_committee(r.chamber or "house", r.identifier or ""),
        requests,
        concurrency=concurrency,
    )
    with closing(fetched):  # so an interrupt waits for the fetches in flight
        return list(fetched)


def store_committees(
    state: RunState,
    client: ApiClient,
    fetched: Sequence[tuple[Request, object]],
    progress: ProgressFn,
    *,
    parents: bool = True,
    unlisted: set[str] | None = None,
    retried: set[str] | None = None,
    wanted: int | None = None,
) -> set[str]:
    """Gate and store fetched committees, then their parents the database lacks. Returns the
    codes stored. `wanted` is how many were to be fetched, when the budget left some out."""
    admitted: list[Admitted] = []
    total = max(wanted or 0, len(fetched))
    for done, (request, result) in enumerate(fetched, start=1):
        progress("committees", done, total)
        if request.identifier in (retried or ()):
            state.metrics.quarantine_retried += 1
        outcome = gate_fetched(state, request, result, unlisted=unlisted or ())
        if outcome is not None:
            admitted.append(outcome)
    admitted = _without_parent_cycles(state, newest_per_id(admitted))
    load_records(state, "committee", admitted)
    stored = {a.record.system_code for a in admitted}
    # A parent is fetched from the chamber its reference names, not its subcommittee's: the API
    # serves jsec03 at /committee/senate/ and its parent jsec00 at /committee/joint/ only.
    parent_refs = {
        a.record.parent.system_code: committee_path_chamber(
            {
                "system_code": a.record.parent.system_code,
                "url": a.record.parent.url,
                "chamber": a.request.chamber,
            }
        )
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
            more = _served(fetch_committees(client, missing, state.options.concurrency))
            stored |= store_committees(state, client, more, progress, parents=False)
    return stored


def _served(fetched: list[tuple[Request, object]]) -> list[tuple[Request, object]]:
    """Committees another record names: one the API does not have (404) is no bad record, only a
    reference that stays as given."""
    kept = []
    for request, result in fetched:
        if isinstance(result, NotFound):
            log.warning("committee %s is not served by the API: %s", request.identifier, result)
        else:
            kept.append((request, result))
    return kept


def _without_parent_cycles(state: RunState, admitted: list[Admitted]) -> list[Admitted]:
    """A committee whose parent chain comes back to itself would vanish from every tree of
    committees: it is quarantined, and the stored one kept. One that keeps its stored parent is
    not at fault when another's new parent closes the loop (a parent naming its subcommittee),
    and is stored; when every one in the loop has a new parent, none can be told at fault."""
    parents = {
        a.record.system_code: a.record.parent.system_code for a in admitted if a.record.parent
    }
    with state.transaction() as connection:
        stored = dict(
            connection.execute(
                select(schema.committees.c.system_code, schema.committees.c.parent_code).where(
                    schema.committees.c.parent_code.is_not(None)
                )
            ).all()
        )
    chains = {**stored, **parents}
    kept = []
    for item in admitted:
        code, seen = item.record.system_code, set()
        while code in chains and code not in seen:
            seen.add(code)
            code = chains[code]
        own = item.record.system_code
        closed_by_others = parents.get(own) == stored.get(own) and any(
            parents[other] != stored.get(other) for other in seen if other in parents
        )
        if code == own and item.record.parent is not None and not closed_by_others:
            state.quarantine(
                Quarantined(
                    "committee",
                    item.record.system_code,
                    "validate",
                    f"its parent chain {' → '.join(sorted(seen))} leads back to itself",
                    item.payload,
                    item.request.locator,
                )
            )
            continue
        kept.append(item)
    return kept


def committees_stage(
    state: RunState, client: ApiClient, prefetched: CommitteeFetch, progress: ProgressFn
) -> None:
    record_refusals(state, prefetched.listing, "committees", prefetched.since)
    store_committees(
        state,
        client,
        prefetched.results,
        progress,
        unlisted=prefetched.unlisted,
        retried=prefetched.retried,
        wanted=prefetched.wanted,
    )
    # Short of its total when the --max-requests budget left committees unfetched: the stage
    # then shows where it stopped rather than done.
    wanted = max(prefetched.wanted or 0, len(prefetched.results))
    progress("committees", len(prefetched.results), wanted)
    mark_stage_done(state, "committees")


def load_committees_by_code(
    state: RunState, client: ApiClient, codes: Mapping[str, str], progress: ProgressFn
) -> None:
    """Committees that meetings name but the database lacks (code → path chamber). One the API
    does not have is no bad record: the meeting's own reference stands in as a placeholder.
    Those already found gone upstream are not asked for again."""
    with state.transaction() as connection:
        gone = quarantine_store.closed_identifiers(connection, "committee", codes)
    requests = [
        Request("committee", None, ch, code)
        for code, ch in sorted(codes.items())
        if code not in gone
    ]
    store_committees(state, client, _served(fetch_committees(client, requests, 4)), progress)
