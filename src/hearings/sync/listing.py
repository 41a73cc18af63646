"""Listing: reading the list endpoints and passing every entry through the gate.

The lists are read on background threads while the meetings are listed (the gate is pure, so it
runs there too); the run's own thread records what the gate refused, since only it writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Table, select, tuple_

from hearings.congress_api.paging import ListShortfall
from hearings.store import schema
from hearings.store.records import utc_naive
from hearings.sync.gate import (
    Entity,
    Listed,
    ListResult,
    Quarantined,
    Request,
    Unnamed,
    admit_entry,
    record_key,
)
from hearings.sync.marks import hold_window, release_window
from hearings.sync.options import SyncOptions
from hearings.sync.run_state import RunState


class ApiClient(Protocol):
    """What the pipeline needs from `hearings.congress_api.CongressClient`."""

    @property
    def request_count(self) -> int: ...

    def list_meetings(
        self,
        congress: int | None,
        chamber: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Iterator[dict[str, Any] | ListShortfall]: ...

    def get_meeting(self, congress: int, chamber: str, event_id: str) -> dict[str, Any]: ...

    def list_printed_hearings(
        self,
        congress: int | None,
        chamber: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Iterator[dict[str, Any] | ListShortfall]: ...

    def get_printed_hearing(
        self, congress: int, chamber: str, jacket_number: int
    ) -> dict[str, Any]: ...

    def list_committees(
        self,
        congress: int | None,
        chamber: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Iterator[dict[str, Any] | ListShortfall]: ...

    def get_committee(self, chamber: str, system_code: str) -> dict[str, Any]: ...

    def list_members(self, congress: int) -> Iterator[dict[str, Any] | ListShortfall]: ...


@dataclass
class Listing:
    """One list endpoint's entries after the gate."""

    listed: list[Listed] = field(default_factory=list)
    refused: list[Quarantined] = field(default_factory=list)
    unnamed: list[Unnamed] = field(default_factory=list)
    # Entries of a list across Congresses that belong to Congresses the run does not cover.
    ignored: int = 0
    # Lists that could not be read to their end: records after the shortfall were not seen.
    shortfalls: list[ListShortfall] = field(default_factory=list)

    def add(self, result: ListResult) -> None:
        if isinstance(result, Listed):
            self.listed.append(result)
        elif isinstance(result, Quarantined):
            self.refused.append(result)
        else:
            self.unnamed.append(result)

    def extend(self, other: Listing) -> None:
        self.listed += other.listed
        self.refused += other.refused
        self.unnamed += other.unnamed
        self.ignored += other.ignored
        self.shortfalls += other.shortfalls

    def by_identifier(self) -> dict[str, Listed]:
        """One entry per record, by record key (a printed hearing's names its Congress): when a
        list names a record twice, the newest `updateDate` wins (an undated one most of all), so
        a stale duplicate can never hide a change."""
        chosen: dict[str, Listed] = {}
        for entry in self.listed:
            seen = chosen.get(entry.key)
            if seen is None or _newer(entry.update_date, seen.update_date):
                chosen[entry.key] = entry
        return chosen

    @property
    def refused_ids(self) -> set[str]:
        """Records whose entry the gate refused in this listing: they wait for the next run,
        rather than being fetched from the quarantine in this one."""
        return {item.identifier for item in self.refused}


def _newer(candidate: datetime | None, current: datetime | None) -> bool:
    if current is None:
        return False
    return candidate is None or candidate > current


def admit_entries(request: Request, entries: Iterable[object], now: datetime) -> Listing:
    listing = Listing()
    for entry in entries:
        if isinstance(entry, ListShortfall):
            listing.shortfalls.append(entry)
        else:
            listing.add(admit_entry(request, entry, now=now))
    return listing


def record_refusals(
    state: RunState, listing: Listing, entity: str | None = None, since: datetime | None = None
) -> None:
    """Write what the gate refused: quarantine what it could name, count what it could not. An
    entry it could not name, or a list not read to its end, is listed again next run:
    `entity`'s window is held at `since`, and a list not read to its end is a run anomaly."""
    for item in listing.refused:
        state.quarantine(item)
    for entry in listing.unnamed:
        state.reject(entry)
    report_shortfalls(state, listing.shortfalls, entity)
    if entity is None or not state.writes:
        return
    with state.transaction() as connection:
        if listing.unnamed or listing.shortfalls:
            hold_window(connection, state.options, entity, since, state.now())
        else:
            release_window(connection, state.options, entity)


def report_shortfalls(
    state: RunState, shortfalls: Iterable[ListShortfall], entity: str | None
) -> None:
    """One anomaly sentence per list not read to its end; `entity`'s mark stays where it was,
    since the records the run did not see may be older than every one it did."""
    for shortfall in shortfalls:
        relisted = "the next run lists it again" if entity else "the next import reads it again"
        state.metrics.anomalies.append(
            f"The list {shortfall.url} could not be read to its end ({shortfall.reason}); "
            f"records it lists past that point may not have been seen, and {relisted}."
        )
        if entity is not None:
            state.lists_not_whole.add(entity)


ListFn = Callable[..., Iterator[Any]]


def read_list(
    entity: Entity,
    list_fn: ListFn,
    options: SyncOptions,
    chamber: str | None,
    since: datetime | None,
    now: datetime,
) -> Listing:
    """Read one list endpoint (on a background thread) and pass its entries through the gate.
    A list across Congresses keeps only the entries of the run's Congresses (and chamber)."""
    if entity == "member":
        return admit_entries(Request(entity, None, None), list_fn(options.congress), now)
    congress = options.list_congress
    entries = list_fn(congress, chamber, since=since)
    if entity == "committee":
        return admit_entries(Request(entity, None, chamber), entries, now)
    if congress is not None:
        return admit_entries(Request(entity, congress, chamber), entries, now)
    # The API's list across Congresses has no chamber path: each entry names its own.
    return within(admit_entries(Request(entity, None, None), entries, now), options)


def within(listing: Listing, options: SyncOptions) -> Listing:
    """The entries of a list across Congresses that belong to the run: its Congresses and its
    chamber. The others are counted in `ignored`, never fetched or quarantined."""
    congresses = set(options.selected)
    chamber = options.chamber.lower() if options.chamber else None
    kept = Listing()
    for entry in listing.listed:
        if entry.congress in congresses and (chamber is None or entry.chamber == chamber):
            kept.listed.append(entry)
        else:
            kept.ignored += 1
    for item in listing.refused:
        place = item.locator
        if place.get("congress") not in (None, *congresses) or (
            chamber is not None and place.get("chamber") not in (None, chamber)
        ):
            kept.ignored += 1
        else:
            kept.refused.append(item)
    kept.unnamed = listing.unnamed
    kept.shortfalls = listing.shortfalls
    return kept


def combined(listings: Iterable[Listing]) -> Listing:
    """Several lists' entries as one listing (the committee lists of each chamber)."""
    together = Listing()
    for listing in listings:
        together.extend(listing)
    return together


def stored_differs(
    listed: Listed, stored: Mapping[Any, datetime | None], key: Any, full_refresh: bool
) -> bool:
    """Whether a listed record must be fetched: new, changed upstream, or undated."""
    return (
        full_refresh
        or key not in stored
        or stored[key] is None
        or listed.update_date is None
        or stored[key] != utc_naive(listed.update_date)
    )


def stored_update_dates(
    state: RunState, table: Table, key: str, ids: Sequence[Any]
) -> dict[Any, datetime | None]:
    with state.transaction() as connection:
        return update_dates(connection, table, key, ids)


def printed_update_dates(connection: Any, listed: Iterable[Listed]) -> dict[str, datetime | None]:
    """The stored `updateDate` of each listed printed hearing, by record key: a jacket number
    names a printed hearing only together with its Congress."""
    table = schema.printed_hearings
    wanted = sorted({(entry.congress, int(entry.identifier)) for entry in listed})
    found: dict[str, datetime | None] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        key = tuple_(table.c.congress, table.c.jacket_number)
        for congress, jacket, update_date in connection.execute(
            select(table.c.congress, table.c.jacket_number, table.c.update_date).where(
                key.in_(chunk)
            )
        ):
            found[record_key("printed_hearing", congress, str(jacket))] = update_date
    return found


def update_dates(
    connection: Any, table: Table, key: str, ids: Sequence[Any]
) -> dict[Any, datetime | None]:
    found: dict[Any, datetime | None] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        for row in connection.execute(
            select(table.c[key], table.c.update_date).where(table.c[key].in_(chunk))
        ):
            found[row[0]] = row[1]
    return found
