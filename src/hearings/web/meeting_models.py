"""Response models of the JSON API's meeting list (/api/hearings), so /openapi.json documents
it, and the record of one listed meeting."""

from __future__ import annotations

from pydantic import BaseModel

from hearings.web.detail import meeting_url
from hearings.web.listing import HearingSummary
from hearings.web.timefmt import format_eastern, iso_z


class Committee(BaseModel):
    system_code: str
    name: str | None


class Location(BaseModel):
    room: str | None
    building: str | None


class HearingResult(BaseModel):
    event_id: str
    congress: int
    chamber: str
    type: str | None
    status: str | None
    title: str | None
    start: str | None
    start_eastern: str
    location: Location
    committees: list[Committee]
    witness_count: int
    snippet: str | None
    matched_in: list[str]
    update_date: str | None
    last_changed_at: str | None
    url: str
    api_url: str
    congress_gov_url: str


class HearingList(BaseModel):
    total: int
    page: int
    per_page: int
    pages: int
    sort: str
    also_searched: list[str]
    results: list[HearingResult]
    next: str | None
    previous: str | None
    csv: str
    json_export: str


def meeting_result(meeting: HearingSummary) -> HearingResult:
    """One listed meeting as /api/hearings gives it."""
    return HearingResult(
        event_id=meeting.event_id,
        congress=meeting.congress,
        chamber=meeting.chamber,
        type=meeting.meeting_type,
        status=meeting.status,
        title=meeting.title,
        start=iso_z(meeting.start),
        start_eastern=format_eastern(meeting.start),
        location=Location(room=meeting.room, building=meeting.building),
        committees=[Committee(system_code=c, name=n) for c, n in meeting.committees],
        witness_count=meeting.witness_count,
        snippet=meeting.snippet_text,
        matched_in=meeting.matched_in,
        update_date=iso_z(meeting.update_date),
        last_changed_at=iso_z(meeting.last_changed_at),
        url=f"/hearings/{meeting.event_id}",
        api_url=f"/api/hearings/{meeting.event_id}",
        congress_gov_url=meeting_url(meeting.congress, meeting.chamber, meeting.event_id),
    )
