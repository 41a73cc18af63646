"""Which committee lists a run reads, and, in a run across Congresses, which committees new to
the database belong to the run's Congresses: the list across Congresses names every Congress's
committees and its entries say none, so the per-Congress lists decide."""

from __future__ import annotations

from datetime import UTC, datetime

from hearings.congress_api.paging import ListShortfall
from hearings.sync.listing import ApiClient, read_list
from hearings.sync.options import SyncOptions

COMMITTEE_CHAMBERS = ("house", "senate", "joint")


def committee_chambers(options: SyncOptions) -> list[str | None]:
    """The committee lists a run reads: its chamber's and the joint committees, or all three;
    across Congresses without a chamber, the one list of every committee (`/committee`)."""
    if options.chamber:
        return [options.chamber.lower(), "joint"]
    if options.across_congresses:
        return [None]
    return list(COMMITTEE_CHAMBERS)


def of_run_congresses(
    client: ApiClient,
    options: SyncOptions,
    chosen: dict[str, str],
    stored: set[str],
    since: datetime | None,
) -> tuple[dict[str, str], list[ListShortfall]]:
    """The committees of `chosen` that are the run's, and the per-Congress lists that could not
    be read to their end. A stored committee that changed is ours whatever its Congress; one new
    to the database is kept only when a list of the run's Congresses names it. Those lists are
    read only then.

    A new committee that a list read short does not name is left out all the same (it may be
    another Congress's), but not in silence: the caller reports the shortfall and holds the
    committees' window, so the next run lists it again and decides with the whole list."""
    new = {code for code in chosen if code not in stored}
    if not new:
        return chosen, []
    named: set[str] = set()
    shortfalls: list[ListShortfall] = []
    for congress in options.selected:
        per_congress = options.for_congress(congress)
        for chamber in committee_chambers(per_congress):
            listing = read_list(
                "committee", client.list_committees, per_congress, chamber, since, _utc_now()
            )
            shortfalls += listing.shortfalls
            for entry in listing.listed:
                named.add(entry.identifier)
                named.update(entry.nested)
    kept = {code: ch for code, ch in chosen.items() if code not in new or code in named}
    return kept, shortfalls


def _utc_now() -> datetime:
    return datetime.now(UTC)
