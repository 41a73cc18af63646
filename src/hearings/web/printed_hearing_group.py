"""The printed hearings a search of meetings (`/hearings?q=`) shows beside them: those that match
its words but whose meeting is not in this database. A printed hearing whose meeting is here is
found through that meeting, whose index row holds its title and citation."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import Connection

from hearings.web.filters import HearingFilters
from hearings.web.printed_hearing_filters import PrintedHearingFilters
from hearings.web.printed_hearing_records import (
    PrintedHearingSummary,
    list_printed_hearings,
)

# The first few, newest Congress first; the group links to the whole list.
SHOWN = 5


@dataclass(frozen=True)
class PrintedHearingGroup:
    total: int
    rows: list[PrintedHearingSummary]
    # The printed hearings list of the same words and filters: all of them.
    list_url: str


def printed_hearing_filters_of(filters: HearingFilters) -> PrintedHearingFilters | None:
    """The printed hearings list's filters for a search of meetings, or None when a filter
    describes meetings only (status, type, dates, witnesses, no transcript): a printed hearing
    with no meeting here cannot be said to pass it."""
    meeting_only = (
        filters.status,
        filters.type,
        filters.date_from,
        filters.date_to,
        filters.has_witnesses,
    )
    if not filters.q or any(f is not None for f in meeting_only) or filters.has_transcript is False:
        return None
    return PrintedHearingFilters(
        q=filters.q,
        congress=filters.congress,
        chamber=filters.chamber,
        committee=filters.committee,
        has_meeting=False,
        per_page=SHOWN,
    )


def printed_hearing_group(
    connection: Connection, filters: HearingFilters
) -> PrintedHearingGroup | None:
    """The group for the first page of a search; None when there is none to show."""
    if filters.page != 1:
        return None
    printed_filters = printed_hearing_filters_of(filters)
    if printed_filters is None:
        return None
    found = list_printed_hearings(connection, printed_filters)
    if not found.total:
        return None
    return PrintedHearingGroup(
        found.total, found.rows, "/printed-hearings?" + urlencode(printed_filters.params(1))
    )
