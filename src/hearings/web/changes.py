"""Recent changes across the database: the `/changes` page and its JSON twin `/api/changes`,
newest first, filterable like `/hearings` (congress, chamber, committee) and by kind of change."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection, Select, select

from hearings.congresses import CongressSelection
from hearings.reports.recent_changes import (
    CHANGE_KINDS,
    Involving,
    recent_changes,
)
from hearings.store import schema
from hearings.web.change_rows import ChangeRow, change_rows
from hearings.web.entity_pages import past_the_end
from hearings.web.feeds import committee_name
from hearings.web.filter_choices import facets, with_selected
from hearings.web.filters import (
    CHAMBERS,
    MAX_PAGE,
    ChamberParameter,
    CommitteeParameter,
    CongressParameter,
    HearingFilters,
    any_case,
    congress_selection,
)
from hearings.web.listing import committee_family, filter_clauses
from hearings.web.paging import page_fields
from hearings.web.timefmt import as_utc, format_eastern, iso_z

_KIND = Literal["postponed", "canceled", "rescheduled", "witnesses"]
Kind = Annotated[_KIND, any_case(_KIND)]
MAX_DAYS = 366

router = APIRouter()


@dataclass(frozen=True)
class ChangeFilters:
    chamber: str | None = None
    committee: str | None = None
    kind: str | None = None
    days: int = 30
    page: int = 1
    per_page: int = 25
    congress: CongressSelection | None = None

    def query_string(self, **changes: Any) -> str:
        current = replace(self, **changes)
        defaults = ChangeFilters()
        pairs = [
            (name, str(getattr(current, name)))
            for name in ("congress", "chamber", "committee", "kind", "days", "page", "per_page")
            if getattr(current, name) is not None
            and getattr(current, name) != getattr(defaults, name)
        ]
        return ("?" + urlencode(pairs)) if pairs else ""


def change_filters(
    congress: CongressParameter = None,
    chamber: ChamberParameter = None,
    committee: CommitteeParameter = None,
    kind: Annotated[
        Kind | None,
        Query(description="postponed, canceled, rescheduled (or moved), witnesses (changed)."),
    ] = None,
    days: Annotated[int, Query(ge=1, le=MAX_DAYS, description="How many days back to look.")] = 30,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")] = 1,
    per_page: Annotated[int, Query(ge=1, le=100, description="Changes per page.")] = 25,
) -> ChangeFilters:
    return ChangeFilters(
        chamber,
        committee.lower() if committee else None,
        kind,
        days,
        page,
        per_page,
        congress_selection(congress),
    )


Filters = Annotated[ChangeFilters, Depends(change_filters)]


@dataclass
class ChangePage:
    filters: ChangeFilters
    since: datetime
    total: int
    rows: list[ChangeRow] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.filters.per_page))

    @property
    def has_next(self) -> bool:
        return self.filters.page < self.pages


def load_changes(connection: Connection, filters: ChangeFilters, now: datetime) -> ChangePage:
    """One page of changes first seen in the last `days` days before `now`."""
    since = as_utc(now) - timedelta(days=filters.days)
    among, involving = None, None
    if filters.congress or filters.chamber or filters.committee:
        narrowing = HearingFilters(
            congress=filters.congress, chamber=filters.chamber, committee=filters.committee
        )
        among, involving = belonging_to(connection, narrowing)
    total, changes = recent_changes(
        connection,
        since=since,
        among=among,
        involving=involving,
        kinds=[filters.kind] if filters.kind else (),
        limit=filters.per_page,
        offset=(filters.page - 1) * filters.per_page,
    )
    rows = change_rows(connection, changes)
    return ChangePage(filters, since, total, rows)


def belonging_to(
    connection: Connection, filters: HearingFilters
) -> tuple[Select[tuple[str]], Involving]:
    """What a change must name to belong to `filters`' congress, chamber and committee: the
    meetings that do now, and the committee (with its subcommittees), chamber and Congress
    either of its versions may name instead."""
    hearings = schema.hearings
    now = select(hearings.c.event_id).where(*filter_clauses(connection, filters))
    congress = filters.congress
    return now, Involving(
        committees=(
            frozenset(committee_family(connection, filters.committee))
            if filters.committee
            else None
        ),
        chamber=CHAMBERS[filters.chamber] if filters.chamber else None,
        congresses=(
            frozenset(congress.numbers)
            if congress is not None and congress.numbers is not None
            else None
        ),
    )


def change_json(row: ChangeRow) -> dict[str, Any]:
    change, meeting = row.change, row.meeting
    return {
        "event_id": change.event_id,
        "version": change.version,
        "first_seen": iso_z(change.first_seen_at),
        "first_seen_eastern": format_eastern(change.first_seen_at),
        "run_id": change.run_id,
        "kinds": change.kinds,
        "changes": change.changes,
        "title": meeting.title if meeting else None,
        "chamber": meeting.chamber if meeting else None,
        "start": iso_z(meeting.start) if meeting else None,
        "committees": [
            {"system_code": code, "name": name}
            for code, name in (meeting.committees if meeting else [])
        ],
        "url": f"/hearings/{change.event_id}",
        "history_url": f"/api/hearings/{change.event_id}/history",
    }


def _load(request: Request, filters: ChangeFilters) -> ChangePage:
    with request.app.state.engine.connect() as connection:
        return load_changes(connection, filters, request.app.state.clock())


@router.get("/changes", include_in_schema=False, name="changes")
def changes_page(request: Request, filters: Filters) -> Response:
    page = _load(request, filters)
    clamped = past_the_end(request, filters.page, page.total, filters.per_page)
    if clamped is not None:
        return clamped
    feed: str | None = "/feeds/changes.atom"
    if filters.committee:
        with request.app.state.engine.connect() as connection:
            known = committee_name(connection, filters.committee) is not None
        # A code no committee has lists no changes, and has no feed to link to.
        feed = f"/feeds/committee/{filters.committee}/changes.atom" if known else None
    response: Response = request.app.state.render(
        request,
        "changes.html",
        {
            "page": page,
            "filters": filters,
            "feed": feed,
            "kinds": CHANGE_KINDS,
            "facets": facets(request),
            "with_selected": with_selected,
        },
    )
    return response


@router.get("/api/changes", tags=["api"], summary="Recent changes to meetings")
def api_changes(request: Request, filters: Filters) -> dict[str, Any]:
    """Changes to meetings first seen by this database in the last `days` days, newest first:
    each new version of a meeting that had an earlier one, with its kinds and what changed in
    plain sentences. A page past the last is empty."""
    page = _load(request, filters)
    return {
        "total": page.total,
        "page": filters.page,
        "per_page": filters.per_page,
        "since": iso_z(page.since),
        "results": [change_json(row) for row in page.rows],
        **page_fields(
            "/api/changes",
            filters.page,
            page.pages,
            lambda number: filters.query_string(page=number),
        ),
    }
