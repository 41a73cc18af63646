"""The sync pipeline shared by `hearings import` and `hearings update`:
list → fetch → parse → validate → apply → record.

An import lists everything; an update lists only what changed since the high-water mark (with an
overlap) or the lookback, whichever reaches further back. Both skip records whose stored
`updateDate` already equals the listed one, so reruns, resumed imports and daily updates cost
requests in proportion to what changed.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, func, select

from hearings.congress_api.errors import MalformedPayload, NotFound
from hearings.congress_api.models import (
    Committee,
    Meeting,
    Member,
    PrintedHearing,
    chamber_path,
    parse_api_datetime,
    parse_record,
)
from hearings.store import schema
from hearings.store.records import (
    committee_row,
    content_hash,
    meeting_rows,
    member_row,
    printed_hearing_row,
    utc_naive,
)
from hearings.store.writer import (
    known_committee_codes,
    upsert,
    upsert_committees,
    upsert_members,
    upsert_printed_hearings,
)
from hearings.sync import quarantine as quarantine_store
from hearings.sync.batches import (
    BatchOutcome,
    Change,
    FailureInjector,
    Rejection,
    apply_batch_isolated,
    apply_changes,
    create_checkpoint,
    finish_checkpoint,
    snapshot_meetings,
    validate_before_apply,
)
from hearings.sync.failpoints import failpoint
from hearings.sync.fetching import fetch_in_order
from hearings.sync.runlog import BatchError, QuarantinedRecord, RunMetrics

log = logging.getLogger(__name__)

OVERLAP = timedelta(hours=1)
ALL_CHAMBERS = "all"


class ApiClient(Protocol):
    """What the pipeline needs from `hearings.congress_api.CongressClient`."""

    @property
    def request_count(self) -> int: ...

    def list_meetings(
        self,
        congress: int,
        chamber: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Iterator[dict[str, Any]]: ...

    def get_meeting(self, congress: int, chamber: str, event_id: str) -> dict[str, Any]: ...

    def list_printed_hearings(
        self,
        congress: int,
        chamber: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Iterator[dict[str, Any]]: ...

    def get_printed_hearing(
        self, congress: int, chamber: str, jacket_number: int
    ) -> dict[str, Any]: ...

    def list_committees(
        self,
        congress: int,
        chamber: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Iterator[dict[str, Any]]: ...

    def get_committee(self, chamber: str, system_code: str) -> dict[str, Any]: ...

    def list_members(self, congress: int) -> Iterator[dict[str, Any]]: ...


# Progress callback: (stage, done, total or None when unknown).
ProgressFn = Callable[[str, int, int | None], None]


def _no_progress(stage: str, done: int, total: int | None) -> None:
    return None


@dataclass
class SyncOptions:
    congress: int
    chamber: str | None = None
    batch_enabled: bool = True
    batch_size: int = 50
    concurrency: int = 8
    lookback_days: int = 7
    failure_injector: FailureInjector = field(default_factory=FailureInjector)
    dry_run: bool = False
    max_change_ratio: float | None = None
    force: bool = False
    full_refresh: bool = False
    include_members: bool = True
    include_reference_data: bool = True


class ChangeRatioExceeded(Exception):
    """The run would change more of the existing meetings than `--max-change-ratio` allows."""


# Slots: an import holds one of these per listed meeting until the run ends.
@dataclass(slots=True)
class Summary:
    """One listed meeting: enough to fetch it and to order the run."""

    congress: int
    chamber: str
    event_id: str
    update_date: datetime | None
    from_quarantine: bool = False

    @property
    def locator(self) -> dict[str, Any]:
        return {"congress": self.congress, "chamber": self.chamber, "event_id": self.event_id}


class RunState:
    """Where the run writes. Batch mode: a transaction per step. Single-transaction mode: one
    transaction for the whole run, with quarantine writes held back until it ends (a second
    SQLite writer would wait on our own lock).

    Batch mode runs its transactions on one connection held for the run: opening a SQLite
    connection per transaction, and checkpointing the WAL whenever the last one closed, cost more
    than the transactions themselves. `close()` releases it.
    """

    def __init__(
        self,
        engine: Engine,
        options: SyncOptions,
        metrics: RunMetrics,
        clock: Callable[[], datetime],
    ):
        self.engine = engine
        self.options = options
        self.metrics = metrics
        self.clock = clock
        self.single: Connection | None = None
        self.deferred_quarantine: list[dict[str, Any]] = []
        self.batch_number = 0
        self._connection: Connection | None = None

    @property
    def connection(self) -> Connection:
        """The run's connection for batch-mode transactions, opened on first use."""
        if self._connection is None:
            self._connection = self.engine.connect()
        return self._connection

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        if self.single is not None:
            yield self.single
        else:
            connection = self.connection
            with connection.begin():
                yield connection

    def now(self) -> datetime:
        return self.clock().astimezone(UTC).replace(tzinfo=None, microsecond=0)

    def quarantine(
        self,
        *,
        entity: str,
        identifier: str,
        stage: str,
        reason: str,
        raw_payload: Any,
        locator: dict[str, Any] | None,
    ) -> None:
        log.warning("quarantined %s %s at %s: %s", entity, identifier, stage, reason)
        self.metrics.quarantined_records.append(
            QuarantinedRecord(entity, identifier, stage, reason)
        )
        if self.options.dry_run:
            return
        entry = {
            "entity": entity,
            "identifier": identifier,
            "stage": stage,
            "reason": reason,
            "raw_payload": raw_payload,
            "locator": locator,
        }
        if self.single is not None:
            self.deferred_quarantine.append(entry)
            return
        with self.transaction() as connection:
            quarantine_store.quarantine(connection, now=self.now(), **entry)

    def flush_deferred_quarantine(self) -> None:
        if not self.deferred_quarantine:
            return
        with self.transaction() as connection:
            for entry in self.deferred_quarantine:
                quarantine_store.quarantine(connection, now=self.now(), **entry)
        self.deferred_quarantine.clear()


# ---- high-water marks ----------------------------------------------------------------------


def read_high_water_mark(
    connection: Connection, congress: int, chamber: str, entity: str
) -> datetime | None:
    state = schema.sync_state
    rows = connection.execute(
        select(state.c.chamber, state.c.high_water_mark).where(
            state.c.congress == congress, state.c.entity == entity
        )
    ).all()
    marks = {row.chamber: row.high_water_mark for row in rows if row.high_water_mark}
    if chamber in marks:
        return marks[chamber]
    if chamber != ALL_CHAMBERS and ALL_CHAMBERS in marks:
        return marks[ALL_CHAMBERS]
    if chamber == ALL_CHAMBERS and marks:
        # Only per-chamber marks exist: the oldest one is where "everything" is known up to.
        return min(marks.values())
    return None


def advance_high_water_mark(
    connection: Connection,
    congress: int,
    chamber: str,
    entity: str,
    mark: datetime | None,
    run_id: int | None,
    now: datetime,
) -> None:
    """Move the mark forward (never back), in the caller's transaction."""
    if mark is None:
        return
    mark = utc_naive(mark)
    current = connection.execute(
        select(schema.sync_state.c.high_water_mark).where(
            schema.sync_state.c.congress == congress,
            schema.sync_state.c.chamber == chamber,
            schema.sync_state.c.entity == entity,
        )
    ).scalar_one_or_none()
    if current is not None and mark is not None and current >= mark:
        return
    upsert(
        connection,
        schema.sync_state,
        [
            {
                "congress": congress,
                "chamber": chamber,
                "entity": entity,
                "high_water_mark": mark,
                "last_run_id": run_id,
                "updated_at": now,
            }
        ],
        ["congress", "chamber", "entity"],
    )


def update_window(
    connection: Connection, options: SyncOptions, now: datetime, entity: str
) -> datetime:
    """`min(high-water mark − overlap, now − lookback)`: a missed week is caught up, not lost."""
    lookback_start = now - timedelta(days=options.lookback_days)
    mark = read_high_water_mark(connection, options.congress, _chamber_key(options), entity)
    if mark is None:
        return lookback_start
    return min(mark.replace(tzinfo=UTC) - OVERLAP, lookback_start)


def _chamber_key(options: SyncOptions) -> str:
    return options.chamber.lower() if options.chamber else ALL_CHAMBERS


# ---- committees, members, printed hearings --------------------------------------------------

_COMMITTEE_CHAMBERS = ("house", "senate", "joint")


def committee_chamber_for(system_code: str, fallback: str | None) -> str:
    """The path chamber for a committee code: its first letter for the standard codes."""
    prefix = system_code[:1].lower()
    guessed = {"h": "house", "s": "senate", "j": "joint"}.get(prefix)
    if guessed and system_code[1:2].isalpha():
        return guessed
    return chamber_path(fallback) if fallback and fallback.lower() != "nochamber" else "house"


def committee_chambers(options: SyncOptions) -> list[str]:
    """The committee lists a run reads: its chamber's and the joint committees, or all three."""
    if options.chamber:
        return [options.chamber.lower(), "joint"]
    return list(_COMMITTEE_CHAMBERS)


# Pre-fetched list entries, by the list they came from.
Listing = Mapping[str, Sequence[dict[str, Any]]]
FetchResult = dict[str, Any] | Exception


@dataclass
class CommitteeFetch:
    """Committees chosen and fetched ahead, on a background thread, for the run to store."""

    wanted: dict[str, str]  # code → path chamber
    results: list[tuple[tuple[str, str], FetchResult]]


def committees_to_fetch(
    listing: Listing, stored: Mapping[Any, datetime | None], options: SyncOptions
) -> dict[str, str]:
    """The listed committees (code → path chamber) whose record must be fetched: new ones, and
    those whose listed updateDate moved (or the list gave none to compare with)."""
    listed: dict[str, str] = {}
    listed_dates: dict[str, datetime | None] = {}
    nested: dict[str, str] = {}
    for chamber, entries in listing.items():
        for entry in entries:
            code = str(entry.get("systemCode") or "").lower()
            if code:
                listed.setdefault(code, chamber)
                listed_dates[code] = _parse_date_or_none(entry.get("updateDate"))
            for sub in entry.get("subcommittees") or []:
                sub_code = str(sub.get("systemCode") or "").lower() if isinstance(sub, dict) else ""
                if sub_code:
                    nested.setdefault(sub_code, chamber)
    for code, chamber in nested.items():
        listed.setdefault(code, chamber)
    return {
        code: chamber
        for code, chamber in listed.items()
        if options.full_refresh
        or code not in stored
        or stored[code] is None
        or listed_dates.get(code) is None
        or stored[code] != utc_naive(listed_dates[code])
    }


def _listed_codes(listing: Listing) -> list[str]:
    """Every committee code a listing names, its nested subcommittees' included."""
    codes: set[str] = set()
    for entries in listing.values():
        for entry in entries:
            codes.add(str(entry.get("systemCode") or "").lower())
            for sub in entry.get("subcommittees") or []:
                if isinstance(sub, dict):
                    codes.add(str(sub.get("systemCode") or "").lower())
    codes.discard("")
    return sorted(codes)


def list_committee_entries(
    client: ApiClient, options: SyncOptions, since: datetime | None
) -> dict[str, list[dict[str, Any]]]:
    """Each committee list a run reads, by path chamber."""
    return {
        chamber: list(client.list_committees(options.congress, chamber, since=since))
        for chamber in committee_chambers(options)
    }


def prefetch_committees(
    engine: Engine,
    client: ApiClient,
    options: SyncOptions,
    listing: Mapping[str, Future[list[dict[str, Any]]]],
) -> CommitteeFetch:
    """Choose and fetch the committees to store (run on a background thread, with a connection
    of its own, while the meetings are listed)."""
    entries = {chamber: future.result() for chamber, future in listing.items()}
    with engine.connect() as connection:
        stored = _update_dates(connection, schema.committees, "system_code", _listed_codes(entries))
    wanted = committees_to_fetch(entries, stored, options)
    results = list(
        fetch_in_order(
            lambda item: client.get_committee(item[1], item[0]),
            sorted(wanted.items()),
            concurrency=options.concurrency,
        )
    )
    return CommitteeFetch(wanted, results)


def sync_committees(
    state: RunState,
    client: ApiClient,
    *,
    since: datetime | None,
    progress: ProgressFn,
    prefetched: CommitteeFetch | None = None,
) -> None:
    """List committees (changed since `since`, or all) and store each one's full record;
    `prefetched` holds them when they were chosen and fetched already."""
    if prefetched is None:
        listing = list_committee_entries(client, state.options, since)
        stored = _stored_update_dates(
            state, schema.committees, "system_code", _listed_codes(listing)
        )
        wanted = committees_to_fetch(listing, stored, state.options)
        fetch_committees(state, client, wanted, progress=progress)
        return
    fetch_committees(
        state, client, prefetched.wanted, progress=progress, fetched=prefetched.results
    )


def _parse_date_or_none(value: Any) -> datetime | None:
    try:
        return parse_api_datetime(value)
    except ValueError:
        return None


def fetch_committees(
    state: RunState,
    client: ApiClient,
    codes: dict[str, str],
    *,
    progress: ProgressFn,
    parents: bool = True,
    fetched: Sequence[tuple[tuple[str, str], FetchResult]] | None = None,
) -> set[str]:
    """Fetch and store committees by code (code → path chamber). Returns the codes stored.
    A committee that cannot be fetched is logged, never fatal: meetings fall back to a
    placeholder row built from their own reference. `fetched` holds the results (in sorted
    code order) when they were fetched already."""
    if not codes:
        return set()
    rows = []
    stored: set[str] = set()
    parent_codes: dict[str, str] = {}
    done = 0
    results = (
        fetched
        if fetched is not None
        else fetch_in_order(
            lambda item: client.get_committee(item[1], item[0]),
            sorted(codes.items()),
            concurrency=state.options.concurrency,
        )
    )
    for (code, chamber), result in results:
        done += 1
        progress("committees", done, len(codes))
        if isinstance(result, Exception):
            if isinstance(result, NotFound | MalformedPayload):
                log.warning("committee %s could not be fetched: %s", code, result)
                continue
            raise result
        try:
            committee = parse_record(Committee, result, entity="committee", identifier=code)
        except MalformedPayload as exc:
            state.quarantine(
                entity="committee",
                identifier=code,
                stage="parse",
                reason=str(exc),
                raw_payload=result,
                locator={"chamber": chamber},
            )
            continue
        if committee.chamber is None:
            committee = committee.model_copy(update={"chamber": chamber})
        rows.append(committee_row(committee, content_hash(result), state.now()))
        stored.add(committee.system_code)
        if committee.parent is not None:
            parent_codes[committee.parent.system_code] = chamber
    if rows and not state.options.dry_run:
        with state.transaction() as connection:
            counts = upsert_committees(connection, rows)
        state.metrics.committees_updated += counts.added + counts.updated
    if parents and parent_codes and not state.options.dry_run:
        with state.transaction() as connection:
            known = known_committee_codes(connection, parent_codes)
        missing = {c: ch for c, ch in parent_codes.items() if c not in known and c not in stored}
        stored |= fetch_committees(state, client, missing, progress=progress, parents=False)
    return stored


def sync_members(
    state: RunState,
    client: ApiClient,
    progress: ProgressFn,
    listing: Sequence[dict[str, Any]] | None = None,
) -> None:
    """Store the Congress's members from the member list (`listing`, when already fetched)."""
    rows = []
    entries = listing if listing is not None else client.list_members(state.options.congress)
    for entry in entries:
        try:
            member = parse_record(Member, entry, entity="member")
        except MalformedPayload as exc:
            state.quarantine(
                entity="member",
                identifier=exc.identifier or "?",
                stage="parse",
                reason=str(exc),
                raw_payload=entry,
                locator={"congress": state.options.congress},
            )
            continue
        rows.append(member_row(member, content_hash(entry), state.now()))
        progress("members", len(rows), None)
    if rows and not state.options.dry_run:
        with state.transaction() as connection:
            counts = upsert_members(connection, rows)
        state.metrics.members_updated += counts.added + counts.updated


def sync_printed_hearings(
    state: RunState,
    client: ApiClient,
    *,
    since: datetime | None,
    progress: ProgressFn,
    listing: Sequence[dict[str, Any]] | None = None,
) -> None:
    """List printed hearings (changed since `since`, or all) and store the changed ones;
    `listing` holds the list's entries when they were fetched already."""
    options = state.options
    listed = []
    entries = (
        listing
        if listing is not None
        else client.list_printed_hearings(options.congress, options.chamber, since=since)
    )
    for entry in entries:
        jacket = entry.get("jacketNumber")
        chamber = entry.get("chamber") or options.chamber
        if jacket is None or chamber is None:
            continue
        listed.append(
            (int(jacket), chamber_path(str(chamber)), parse_api_datetime(entry.get("updateDate")))
        )
    stored_dates = _stored_update_dates(
        state, schema.printed_hearings, "jacket_number", [j for j, _, _ in listed]
    )
    wanted = [
        (j, ch)
        for j, ch, listed_date in listed
        if options.full_refresh
        or stored_dates.get(j) is None
        or stored_dates[j] != utc_naive(listed_date)
    ]
    rows = []
    done = 0
    for (jacket, chamber), result in fetch_in_order(
        lambda item: client.get_printed_hearing(options.congress, item[1], item[0]),
        wanted,
        concurrency=options.concurrency,
    ):
        done += 1
        progress("printed hearings", done, len(wanted))
        if isinstance(result, Exception):
            if isinstance(result, NotFound | MalformedPayload):
                state.quarantine(
                    entity="printed_hearing",
                    identifier=str(jacket),
                    stage="fetch",
                    reason=str(result),
                    raw_payload=None,
                    locator={"congress": options.congress, "chamber": chamber},
                )
                continue
            raise result
        try:
            hearing = parse_record(
                PrintedHearing, result, entity="printed hearing", identifier=str(jacket)
            )
        except MalformedPayload as exc:
            state.quarantine(
                entity="printed_hearing",
                identifier=str(jacket),
                stage="parse",
                reason=str(exc),
                raw_payload=result,
                locator={"congress": options.congress, "chamber": chamber},
            )
            continue
        rows.append(printed_hearing_row(hearing, content_hash(result), state.now()))
        if len(rows) >= 500:
            _store_printed_hearings(state, rows)
            rows = []
    _store_printed_hearings(state, rows)


def _store_printed_hearings(state: RunState, rows: list[dict[str, Any]]) -> None:
    if rows and not state.options.dry_run:
        with state.transaction() as connection:
            counts = upsert_printed_hearings(connection, rows)
        state.metrics.printed_hearings_updated += counts.added + counts.updated


def _stored_update_dates(
    state: RunState, table: Any, key: str, ids: Sequence[Any]
) -> dict[Any, datetime | None]:
    with state.transaction() as connection:
        return _update_dates(connection, table, key, ids)


def _update_dates(
    connection: Connection, table: Any, key: str, ids: Sequence[Any]
) -> dict[Any, datetime | None]:
    found: dict[Any, datetime | None] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        for row in connection.execute(
            select(table.c[key], table.c.update_date).where(table.c[key].in_(chunk))
        ):
            found[row[0]] = row[1]
    return found


# ---- meetings ------------------------------------------------------------------------------


def list_meeting_summaries(
    state: RunState, client: ApiClient, since: datetime | None
) -> list[Summary]:
    options = state.options
    summaries: dict[str, Summary] = {}
    for entry in client.list_meetings(options.congress, options.chamber, since=since):
        event_id = str(entry.get("eventId") or "").strip()
        chamber = entry.get("chamber") or options.chamber
        if not event_id or not chamber:
            continue
        try:
            update_date = parse_api_datetime(entry.get("updateDate"))
        except ValueError:
            update_date = None
        summaries[event_id] = Summary(
            congress=int(entry.get("congress") or options.congress),
            chamber=sys.intern(chamber_path(str(chamber))),  # one string per chamber
            event_id=event_id,
            update_date=update_date,
        )
    return list(summaries.values())


def select_meetings_to_fetch(state: RunState, summaries: list[Summary]) -> list[Summary]:
    """Drop meetings whose stored `updateDate` equals the listed one (and that are not waiting in
    the quarantine); order the rest oldest first so the high-water mark can follow the batches."""
    stored = _stored_update_dates(
        state, schema.hearings, "event_id", [s.event_id for s in summaries]
    )
    wanted = [
        s
        for s in summaries
        if state.options.full_refresh
        or s.from_quarantine
        or s.event_id not in stored
        or stored[s.event_id] is None
        or stored[s.event_id] != utc_naive(s.update_date)
    ]
    epoch = datetime(1900, 1, 1, tzinfo=UTC)
    wanted.sort(key=lambda s: (s.update_date or epoch, s.event_id))
    return wanted


def quarantined_meetings(state: RunState) -> list[Summary]:
    with state.transaction() as connection:
        items = quarantine_store.open_items(
            connection, entity="meeting", congress=state.options.congress
        )
    summaries = []
    for item in items:
        chamber = item.locator.get("chamber")
        if state.options.chamber and chamber and chamber != state.options.chamber.lower():
            continue
        if not chamber:
            continue
        summaries.append(
            Summary(
                congress=int(item.locator.get("congress") or state.options.congress),
                chamber=str(chamber),
                event_id=item.identifier,
                update_date=None,
                from_quarantine=True,
            )
        )
    return summaries


def check_change_ratio(state: RunState, to_fetch: Sequence[Summary]) -> None:
    """`--max-change-ratio`: refuse, before writing anything, a run that would change more than
    that share of the meetings already stored."""
    ratio = state.options.max_change_ratio
    if ratio is None or state.options.force:
        return
    with state.transaction() as connection:
        existing = connection.execute(
            select(func.count())
            .select_from(schema.hearings)
            .where(schema.hearings.c.congress == state.options.congress)
        ).scalar_one()
    if not existing:
        return
    stored = _stored_update_dates(
        state, schema.hearings, "event_id", [s.event_id for s in to_fetch]
    )
    changing = sum(1 for s in to_fetch if s.event_id in stored)
    if changing / existing > ratio:
        message = (
            f"this run would change {changing} of {existing} stored meetings "
            f"({changing / existing:.0%}), more than --max-change-ratio {ratio:.0%}; "
            "nothing was written. Rerun with --force if this is expected."
        )
        state.metrics.anomalies.append(message)
        raise ChangeRatioExceeded(message)


def sync_meetings(
    state: RunState, client: ApiClient, to_fetch: list[Summary], *, progress: ProgressFn
) -> None:
    """Fetch, parse, validate and apply meetings in batches of `batch_size`."""
    options = state.options
    metrics = state.metrics
    pending: list[Change] = []
    total = len(to_fetch)

    def fetch(summary: Summary) -> dict[str, Any]:
        return client.get_meeting(summary.congress, summary.chamber, summary.event_id)

    fetched = fetch_in_order(fetch, to_fetch, concurrency=options.concurrency)
    for done, (summary, result) in enumerate(fetched, start=1):
        metrics.hearings_checked += 1
        if summary.from_quarantine:
            metrics.quarantine_retried += 1
        change = _parse_meeting(state, summary, result)
        if change is not None:
            pending.append(change)
        if len(pending) >= options.batch_size:
            _process_batch(state, client, pending)
            pending = []
        progress("meetings", done, total)
    if pending:
        _process_batch(state, client, pending)


def _parse_meeting(
    state: RunState, summary: Summary, result: dict[str, Any] | Exception
) -> Change | None:
    if isinstance(result, Exception):
        if isinstance(result, NotFound | MalformedPayload):
            state.quarantine(
                entity="meeting",
                identifier=summary.event_id,
                stage="fetch",
                reason=str(result),
                raw_payload=None,
                locator=summary.locator,
            )
            return None
        raise result
    try:
        meeting = parse_record(Meeting, result, entity="meeting", identifier=summary.event_id)
        rows = meeting_rows(meeting, content_hash(result), state.now())
    except (MalformedPayload, ValueError) as exc:
        state.quarantine(
            entity="meeting",
            identifier=summary.event_id,
            stage="parse",
            reason=str(exc),
            raw_payload=result,
            locator=summary.locator,
        )
        return None
    return Change(
        meeting=meeting,
        payload=result,
        rows=rows,
        locator=summary.locator,
        from_quarantine=summary.from_quarantine,
    )


def _process_batch(state: RunState, client: ApiClient, changes: list[Change]) -> None:
    options = state.options
    metrics = state.metrics
    state.batch_number += 1
    batch_number = state.batch_number
    _fetch_unknown_committees(state, client, changes)

    valid, rejected = validate_before_apply(changes, congress=options.congress, now=state.clock())
    for rejection in rejected:
        _quarantine_rejection(state, rejection)
    if not valid:
        return
    if options.dry_run:
        _classify_dry_run(state, valid)
        return

    metrics.batch_processing.batch_count += 1
    if state.single is not None:
        _apply_single(state, valid, batch_number)
        return

    checkpoint_id = create_checkpoint(
        state.connection,
        run_id=metrics.run_id or 0,
        batch_number=batch_number,
        changes=valid,
        now=state.now(),
    )
    outcome = apply_batch_isolated(
        state.connection,
        valid,
        injector=options.failure_injector,
        now=state.clock(),
        after_apply=lambda connection, applied: _after_apply(state, connection, applied),
        checkpoint_id=checkpoint_id,
    )
    _record_outcome(state, outcome)
    stats = metrics.batch_processing
    if outcome.failed:
        stats.batches_failed += 1
        stats.batch_errors.append(
            BatchError(
                batch_number=batch_number,
                event_ids=[r.change.event_id for r in outcome.failed],
                reason=outcome.first_error or "apply failed",
            )
        )
        status = "partial" if outcome.committed else "rolled_back"
        with state.transaction() as connection:
            finish_checkpoint(connection, checkpoint_id, status, state.now(), outcome.first_error)
        log.warning(
            "batch %d: %d committed, %d quarantined (%s)",
            batch_number,
            len(outcome.committed),
            len(outcome.failed),
            outcome.first_error,
        )
        for rejection in outcome.failed:
            _quarantine_rejection(state, rejection)
    else:
        stats.batches_succeeded += 1
        log.info(
            "batch %d committed: %d added, %d updated, %d unchanged",
            batch_number,
            len(outcome.added),
            len(outcome.updated),
            len(outcome.unchanged),
        )


def _apply_single(state: RunState, changes: list[Change], batch_number: int) -> None:
    """Single-transaction mode: apply on the run's one connection; any exception propagates and
    rolls back the whole run."""
    assert state.single is not None
    connection = state.single
    images = snapshot_meetings(connection, [c.event_id for c in changes])
    from sqlalchemy import insert

    connection.execute(
        insert(schema.batch_checkpoints).values(
            run_id=state.metrics.run_id or 0,
            batch_number=batch_number,
            event_ids=[c.event_id for c in changes],
            before_images=images,
            status="committed",
            created_at=state.now(),
            finished_at=state.now(),
        )
    )
    result = apply_changes(
        connection, changes, injector=state.options.failure_injector, now=state.clock()
    )
    _after_apply(state, connection, changes)
    outcome = BatchOutcome()
    outcome.absorb(result, changes)
    _record_outcome(state, outcome)
    state.metrics.batch_processing.batches_succeeded += 1


def _after_apply(state: RunState, connection: Connection, applied: Sequence[Change]) -> None:
    now = state.now()
    resolved = [c.event_id for c in applied if c.from_quarantine]
    if resolved:
        state.metrics.quarantine_resolved += quarantine_store.resolve(
            connection, "meeting", resolved, now
        )
    # Quarantined records that arrived again through a listing resolve too.
    quarantine_store.resolve(connection, "meeting", [c.event_id for c in applied], now)
    marks = [
        c.meeting.update_date for c in applied if c.meeting.update_date and not c.from_quarantine
    ]
    if marks:
        advance_high_water_mark(
            connection,
            state.options.congress,
            _chamber_key(state.options),
            "meetings",
            max(marks),
            state.metrics.run_id,
            now,
        )


def _record_outcome(state: RunState, outcome: BatchOutcome) -> None:
    metrics = state.metrics
    metrics.hearings_added += len(outcome.added)
    metrics.hearings_updated += len(outcome.updated)
    metrics.hearings_unchanged += len(outcome.unchanged)
    metrics.witnesses_updated += outcome.witnesses_added


def _quarantine_rejection(state: RunState, rejection: Rejection) -> None:
    change = rejection.change
    state.quarantine(
        entity="meeting",
        identifier=change.event_id,
        stage=rejection.stage,
        reason=rejection.reason,
        raw_payload=change.payload,
        locator=change.locator,
    )


def _classify_dry_run(state: RunState, changes: list[Change]) -> None:
    """Count, and name, what an update would do; write nothing."""
    with state.engine.connect() as connection:
        stored = {
            row.event_id: row
            for row in connection.execute(
                select(
                    schema.hearings.c.event_id,
                    schema.hearings.c.content_hash,
                    schema.hearings.c.status,
                    schema.hearings.c.title,
                ).where(schema.hearings.c.event_id.in_([c.event_id for c in changes]))
            )
        }
    for change in changes:
        row = stored.get(change.event_id)
        if row is None:
            state.metrics.hearings_added += 1
            state.metrics.planned_changes.append(
                f"add {change.event_id}: {change.meeting.title or '(no title)'}"
            )
        elif row.content_hash != change.rows.hearing["content_hash"]:
            state.metrics.hearings_updated += 1
            state.metrics.planned_changes.append(
                f"update {change.event_id}: {_describe_change(row, change)}"
            )
        else:
            state.metrics.hearings_unchanged += 1


def _describe_change(row: Any, change: Change) -> str:
    parts = []
    if row.status != change.meeting.status:
        parts.append(f"status {row.status} → {change.meeting.status}")
    if row.title != change.meeting.title:
        parts.append("title changed")
    return ", ".join(parts) or "witnesses, documents or other details changed"


def _fetch_unknown_committees(state: RunState, client: ApiClient, changes: list[Change]) -> None:
    """Committees a meeting names but the database lacks are fetched and stored first; they are
    never a reason for a batch to fail."""
    referenced: dict[str, str] = {}
    for change in changes:
        for ref in change.rows.committee_refs:
            referenced.setdefault(
                ref["system_code"], committee_chamber_for(ref["system_code"], ref.get("chamber"))
            )
    if not referenced:
        return
    with state.transaction() as connection:
        known = known_committee_codes(connection, referenced)
    missing = {code: chamber for code, chamber in referenced.items() if code not in known}
    if missing:
        log.info(
            "fetching %d committees new to the database: %s",
            len(missing),
            ", ".join(sorted(missing)),
        )
        fetch_committees(state, client, missing, progress=_no_progress)


def run_pipeline(
    engine: Engine,
    client: ApiClient,
    options: SyncOptions,
    metrics: RunMetrics,
    *,
    incremental: bool,
    clock: Callable[[], datetime],
    progress: ProgressFn = _no_progress,
) -> None:
    """Run an import (incremental=False) or an update (incremental=True), filling `metrics`.
    Raises on a failure that ends the run; in single-transaction mode nothing is then kept."""
    state = RunState(engine, options, metrics, clock)
    try:
        _run_steps(state, client, incremental=incremental, progress=progress)
    finally:
        state.close()


def _run_steps(
    state: RunState, client: ApiClient, *, incremental: bool, progress: ProgressFn
) -> None:
    engine, options, metrics, clock = state.engine, state.options, state.metrics, state.clock
    now = clock()
    since_meetings: datetime | None = None
    since_other: datetime | None = None
    if incremental:
        with engine.connect() as connection:
            since_meetings = update_window(connection, options, now, "meetings")
            since_other = update_window(connection, options, now, "printed_hearings")
        metrics.window_start = since_meetings
        metrics.window_end = now

    # The committee and printed-hearing lists do not depend on the meetings: fetch them while
    # the meetings are listed, rather than a round trip after another at the end.
    # Up to six tasks at once: three committee lists, the committee fetch waiting on them, the
    # printed-hearing list and the member list.
    background = ThreadPoolExecutor(max_workers=6, thread_name_prefix="list")
    try:
        _run_listed_steps(
            state,
            client,
            background,
            now=now,
            since_meetings=since_meetings,
            since_other=since_other,
            incremental=incremental,
            progress=progress,
        )
    finally:
        background.shutdown(wait=True, cancel_futures=True)


def _run_listed_steps(
    state: RunState,
    client: ApiClient,
    background: ThreadPoolExecutor,
    *,
    now: datetime,
    since_meetings: datetime | None,
    since_other: datetime | None,
    incremental: bool,
    progress: ProgressFn,
) -> None:
    engine, options, metrics = state.engine, state.options, state.metrics
    committees: Future[CommitteeFetch] | None = None
    printed_list: Future[list[dict[str, Any]]] | None = None
    member_list: Future[list[dict[str, Any]]] | None = None
    if options.include_reference_data:
        since = since_other if incremental else None
        committee_lists = {
            chamber: background.submit(
                _entries, client.list_committees, options.congress, chamber, since
            )
            for chamber in committee_chambers(options)
        }
        committees = background.submit(
            prefetch_committees, engine, client, options, committee_lists
        )
        printed_list = background.submit(
            _entries, client.list_printed_hearings, options.congress, options.chamber, since
        )
        if options.include_members and not incremental:
            member_list = background.submit(lambda: list(client.list_members(options.congress)))
    summaries = list_meeting_summaries(state, client, since_meetings)
    retry = [] if options.dry_run else quarantined_meetings(state)
    listed_ids = {s.event_id for s in summaries}
    for item in retry:
        if item.event_id in listed_ids:
            for s in summaries:
                if s.event_id == item.event_id:
                    s.from_quarantine = True
        else:
            summaries.append(item)
    to_fetch = select_meetings_to_fetch(state, summaries)
    metrics.hearings_unchanged += len(summaries) - len(to_fetch)
    metrics.hearings_checked += len(summaries) - len(to_fetch)
    if incremental:
        check_change_ratio(state, to_fetch)
    failpoint("before_apply")
    log.info("%d meetings listed, %d to fetch", len(summaries), len(to_fetch))
    failpoint("listed")

    context = nullcontext() if options.batch_enabled or options.dry_run else engine.begin()
    try:
        with context as single:
            state.single = single
            if committees is not None:
                sync_committees(
                    state,
                    client,
                    since=since_other if incremental else None,
                    progress=progress,
                    prefetched=committees.result(),
                )
                if member_list is not None:
                    sync_members(state, client, progress, listing=member_list.result())
            sync_meetings(state, client, to_fetch, progress=progress)
            if options.include_reference_data:
                assert printed_list is not None
                sync_printed_hearings(
                    state,
                    client,
                    since=since_other if incremental else None,
                    progress=progress,
                    listing=printed_list.result(),
                )
                if state.single is not None or not options.dry_run:
                    with state.transaction() as connection:
                        advance_high_water_mark(
                            connection,
                            options.congress,
                            _chamber_key(options),
                            "printed_hearings",
                            now,
                            metrics.run_id,
                            state.now(),
                        )
    finally:
        state.single = None
        state.flush_deferred_quarantine()


def _entries(
    list_entries: Callable[..., Iterator[dict[str, Any]]],
    congress: int,
    chamber: str | None,
    since: datetime | None,
) -> list[dict[str, Any]]:
    """Every entry of one list endpoint (run on a background thread)."""
    return list(list_entries(congress, chamber, since=since))
