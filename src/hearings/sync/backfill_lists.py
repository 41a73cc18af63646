"""What one Congress's import will fetch: its lists read through the gate (a list the API fails
to serve is left out), set against the records already stored and the open quarantine items."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from hearings.congress_api.errors import ApiError, ApiKeyMissing, ApiKeyRejected
from hearings.congress_api.models import chamber_path
from hearings.store import schema
from hearings.sync import quarantine as quarantine_store
from hearings.sync.committee_congresses import committee_chambers
from hearings.sync.committees import choose_committees
from hearings.sync.estimate import RecordsToFetch
from hearings.sync.gate import Request
from hearings.sync.listing import (
    Listing,
    admit_entries,
    printed_update_dates,
    stored_differs,
    update_dates,
)
from hearings.sync.options import SyncOptions
from hearings.sync.stored_lists import StoredLists

log = logging.getLogger(__name__)


def records_to_fetch(
    engine: Engine,
    client: StoredLists,
    options: SyncOptions,
    congress: int,
    committees_seen: set[str],
    *,
    clock: Callable[[], datetime],
) -> RecordsToFetch:
    """How many records the import of `congress` will fetch, from its lists (read through the
    gate) and the records already stored; `committees_seen` spans the run's Congresses."""
    # The lists exactly as the import of this one Congress reads them.
    options = options.for_congress(congress)
    chamber = chamber_path(options.chamber) if options.chamber else None
    meetings = _listing(
        Request("meeting", congress, chamber), client.list_meetings, congress, chamber, clock=clock
    )
    committees = Listing()
    printed = Listing()
    if options.include_reference_data:
        for committee_chamber in committee_chambers(options):
            committees.extend(
                _listing(
                    Request("committee", None, committee_chamber),
                    client.list_committees,
                    congress,
                    committee_chamber,
                    clock=clock,
                )
            )
        printed = _listing(
            Request("printed_hearing", congress, chamber),
            client.list_printed_hearings,
            congress,
            chamber,
            clock=clock,
        )
        if options.include_members:
            # The entries are the records: nothing to fetch, but the list is kept.
            _listing(Request("member", None, None), client.list_members, congress, clock=clock)
    with engine.connect() as connection:
        return RecordsToFetch(
            congress,
            meetings=_changed(
                meetings,
                update_dates(
                    connection, schema.hearings, "event_id", list(meetings.by_identifier())
                ),
                options,
            )
            + _retries(connection, "meeting", congress, meetings),
            printed_hearings=_changed(
                printed, printed_update_dates(connection, printed.listed), options
            )
            + _retries(connection, "printed_hearing", congress, printed),
            committees=_committees(connection, committees, options, committees_seen),
        )


def _listing(
    request: Request, read: Callable[..., Any], *args: Any, clock: Callable[[], datetime]
) -> Listing:
    """One list through the gate. A list the API fails to serve is left out of the estimate:
    the import's own stage reads it again and fails alone, as without an estimate."""
    try:
        return admit_entries(request, read(*args), clock())
    except (ApiKeyMissing, ApiKeyRejected):
        raise  # no stage can succeed
    except ApiError as failure:
        return _read_failed(request, failure)


def _read_failed(request: Request, failure: ApiError) -> Listing:
    log.warning(
        "the %s list could not be read for the estimate (the import tries it again): %s",
        request.entity.replace("_", " "),
        failure,
    )
    return Listing()


def _changed(listing: Listing, stored: dict[Any, datetime | None], options: SyncOptions) -> int:
    """How many listed records the import will fetch; `stored` is by record key."""
    return sum(
        stored_differs(entry, stored, key, options.full_refresh)
        for key, entry in listing.by_identifier().items()
    )


def _retries(connection: Any, entity: str, congress: int, listing: Listing) -> int:
    listed = {entry.key for entry in listing.listed}
    items = quarantine_store.open_items(connection, entity=entity, congress=congress)
    return sum(item.identifier not in listed for item in items)


def _committees(connection: Any, listing: Listing, options: SyncOptions, seen: set[str]) -> int:
    """Committees are one record across Congresses: each code counts once in a run."""
    chosen = set(choose_committees(connection, listing, options.full_refresh)) - seen
    for entry in listing.listed:
        seen.add(entry.identifier)
        seen.update(entry.nested)
    return len(chosen)
