"""The meetings stage: list → select → fetch → gate → load in batches.

Selection skips meetings whose stored `updateDate` equals the listed one, adds the quarantined
meetings to retry, and orders the rest oldest first, so the high-water mark can follow the
batches as they commit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select

from hearings.store import schema
from hearings.sync import quarantine as quarantine_store
from hearings.sync.batches import Change
from hearings.sync.fetching import fetch_in_order
from hearings.sync.gate import Admitted, Request
from hearings.sync.listing import ApiClient, Listing, stored_differs, stored_update_dates
from hearings.sync.load import CommitteeLoader, finish_loading, load_batch
from hearings.sync.options import ProgressFn
from hearings.sync.run_state import RunState
from hearings.sync.stages import gate_fetched

log = logging.getLogger(__name__)


class ChangeRatioExceeded(Exception):
    """The run would change more of the existing meetings than `--max-change-ratio` allows."""


@dataclass
class MeetingPlan:
    """What the meetings stage will fetch, and why."""

    requests: list[Request]
    # Quarantined meetings fetched again; those the list no longer names are closed when the
    # API answers 404 (gone upstream), not quarantined once more.
    retried: set[str] = field(default_factory=set)
    unlisted_retries: set[str] = field(default_factory=set)
    unchanged: int = 0
    unchanged_by_congress: dict[int, int] = field(default_factory=dict)
    # Meetings whose list entry the gate refused (quarantined at the list), with their Congress:
    # checked like the rest, so checked = added + updated + unchanged + quarantined.
    refused: dict[str, int | None] = field(default_factory=dict)
    # The newest `updateDate` the list named (None: nothing listed, or nothing dated).
    newest_listed: datetime | None = None


def select_meetings(state: RunState, listing: Listing) -> MeetingPlan:
    """The meetings to fetch, oldest listed first, then the quarantined ones to retry."""
    listed = listing.by_identifier()
    stored = stored_update_dates(state, schema.hearings, "event_id", list(listed))
    full = state.options.full_refresh
    # A meeting whose list entry the gate refused in this very listing waits for the next run.
    refused = listing.refused_ids
    retry = {k: v for k, v in _quarantined_meetings(state).items() if k not in refused}
    changed = [
        e
        for e in listed.values()
        if e.identifier in retry or stored_differs(e, stored, e.identifier, full)
    ]
    epoch = datetime(1900, 1, 1, tzinfo=UTC)
    changed.sort(key=lambda e: (e.update_date or epoch, e.identifier))
    requests = [e.request for e in changed]
    unlisted = {event_id: r for event_id, r in retry.items() if event_id not in listed}
    requests += list(unlisted.values())
    fetching = {e.identifier for e in changed}
    unchanged: dict[int, int] = {}
    for entry in listed.values():
        if entry.identifier not in fetching and entry.congress is not None:
            unchanged[entry.congress] = unchanged.get(entry.congress, 0) + 1
    dated = [e.update_date for e in listed.values() if e.update_date is not None]
    return MeetingPlan(
        requests,
        set(retry),
        set(unlisted),
        len(listed) - len(changed),
        unchanged,
        {
            i.identifier: i.locator.get("congress")
            for i in listing.refused
            if i.identifier not in listed
        },
        max(dated, default=None),
    )


def _quarantined_meetings(state: RunState) -> dict[str, Request]:
    if not state.writes:
        return {}
    options = state.options
    with state.transaction() as connection:
        items = quarantine_store.open_items(connection, entity="meeting")
        # Quarantined by a list entry that named it without saying where (its eventId, with a
        # url that named nothing): such an entry, skipped here, stayed open for good.
        stored = _stored_places(connection, [i.identifier for i in items if not _placed(i)])
    retry: dict[str, Request] = {}
    for item in items:
        located = item.locator.get("congress")
        chamber = item.locator.get("chamber")
        if not chamber and item.identifier in stored:
            chamber, stored_congress = stored[item.identifier]
            located = located if located is not None else stored_congress
        if not chamber or (options.chamber and chamber != options.chamber.lower()):
            continue
        if located is not None and located not in options.selected:
            continue
        congress = int(located or options.congress)
        retry[item.identifier] = Request("meeting", congress, str(chamber), item.identifier)
    return retry


def _placed(item: quarantine_store.QuarantineItem) -> bool:
    return bool(item.locator.get("chamber"))


def _stored_places(connection: Connection, event_ids: Sequence[str]) -> dict[str, tuple[str, int]]:
    """The chamber (as its API path names it) and Congress of each stored meeting in
    `event_ids`."""
    if not event_ids:
        return {}
    hearings = schema.hearings
    rows = connection.execute(
        select(hearings.c.event_id, hearings.c.chamber, hearings.c.congress).where(
            hearings.c.event_id.in_(sorted(set(event_ids))),
            hearings.c.chamber.in_(("House", "Senate")),
        )
    )
    return {row.event_id: (row.chamber.lower(), int(row.congress)) for row in rows}


def check_change_ratio(state: RunState, requests: Sequence[Request]) -> None:
    """`--max-change-ratio`: refuse, before writing anything, a run that would change more than
    that share of the meetings already stored."""
    ratio = state.options.max_change_ratio
    if ratio is None or state.options.force:
        return
    with state.transaction() as connection:
        existing = connection.execute(
            select(func.count())
            .select_from(schema.hearings)
            .where(schema.hearings.c.congress.in_(state.options.selected))
        ).scalar_one()
    if not existing:
        return
    ids = [r.identifier for r in requests]
    changing = len(stored_update_dates(state, schema.hearings, "event_id", ids))
    if changing / existing > ratio:
        message = (
            f"this run would change {changing} of {existing} stored meetings "
            f"({changing / existing:.0%}), more than --max-change-ratio {ratio:.0%}; "
            "nothing was written. Rerun with --force if this is expected."
        )
        state.metrics.anomalies.append(message)
        raise ChangeRatioExceeded(message)


def meetings_stage(
    state: RunState,
    client: ApiClient,
    plan: MeetingPlan,
    load_committees: CommitteeLoader,
    progress: ProgressFn,
) -> None:
    """Fetch, gate and load the chosen meetings in batches of `batch_size`."""
    options, metrics = state.options, state.metrics
    requests, retried = plan.requests, plan.retried
    pending: list[Change] = []
    total = len(requests)
    fetched = fetch_in_order(
        lambda r: client.get_meeting(
            r.congress or options.congress, r.chamber or "", r.identifier or ""
        ),
        requests,
        concurrency=options.concurrency,
    )
    # Closed on the way out, so an interrupt waits for the fetches in flight.
    with closing(fetched):
        for done, (request, result) in enumerate(fetched, start=1):
            metrics.hearings_checked += 1
            figures = metrics.figures(request.congress)
            if figures is not None:
                figures.hearings_checked += 1
            from_quarantine = request.identifier in retried
            if from_quarantine:
                metrics.quarantine_retried += 1
            outcome = gate_fetched(state, request, result, unlisted=plan.unlisted_retries)
            if outcome is not None:
                pending.append(as_change(outcome, from_quarantine))
            if len(pending) >= options.batch_size:
                load_batch(state, pending, load_committees)
                pending = []
            progress("meetings", done, total)
    if pending:
        load_batch(state, pending, load_committees)
    finish_loading(state)  # the batches still waiting in a commit unit
    progress("meetings", total, total)


def as_change(admitted: Admitted, from_quarantine: bool) -> Change:
    """An admitted meeting as a change for the batched load."""
    if admitted.rows is None:
        raise RuntimeError(f"meeting {admitted.request.identifier} was admitted without its rows")
    return Change(
        meeting=admitted.record,
        payload=admitted.payload,
        rows=admitted.rows,
        locator=admitted.request.locator,
        from_quarantine=from_quarantine,
    )
