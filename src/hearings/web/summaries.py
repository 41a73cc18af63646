"""One page of meetings as lists show them: the row of each meeting, its committees (a
subcommittee named with its parent) and witness count, and, for a search, how it matched."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import Connection, func, select

from hearings.store import schema
from hearings.web.committee_names import committee_label
from hearings.web.filters import HearingFilters
from hearings.web.snippets import Marks

hearings = schema.hearings

# The columns a result row needs.
SUMMARY_COLUMNS = (
    hearings.c.event_id,
    hearings.c.congress,
    hearings.c.chamber,
    hearings.c.meeting_type,
    hearings.c.status,
    hearings.c.title,
    hearings.c.start_at,
    hearings.c.room,
    hearings.c.building,
    hearings.c.is_stub,
    hearings.c.update_date,
    hearings.c.first_seen_at,
    hearings.c.last_changed_at,
)


@dataclass
class HearingSummary:
    event_id: str
    congress: int
    chamber: str
    meeting_type: str | None
    status: str | None
    title: str | None
    start_at: datetime | None
    room: str | None
    building: str | None
    is_stub: bool
    update_date: datetime | None
    first_seen_at: datetime
    last_changed_at: datetime
    committees: list[tuple[str, str | None]] = field(default_factory=list)
    witness_count: int = 0
    title_html: Markup | None = None
    snippet_html: Markup | None = None
    snippet_text: str | None = None
    matched_in: list[str] = field(default_factory=list)


@dataclass
class HearingPage:
    filters: HearingFilters
    rows: list[HearingSummary]
    total: int
    sort: str
    # The phrases searched as well as the words typed ("Government Accountability Office").
    also_searched: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.filters.per_page))

    @property
    def has_next(self) -> bool:
        return self.filters.page < self.pages

    @property
    def first_index(self) -> int:
        return self.filters.offset + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return self.filters.offset + len(self.rows)


def summary(row: Any, marks: Marks | None = None) -> HearingSummary:
    summary = HearingSummary(
        event_id=row.event_id,
        congress=int(row.congress),
        chamber=row.chamber,
        meeting_type=row.meeting_type,
        status=row.status,
        title=row.title,
        start_at=row.start_at,
        room=row.room,
        building=row.building,
        is_stub=bool(row.is_stub),
        update_date=row.update_date,
        first_seen_at=row.first_seen_at,
        last_changed_at=row.last_changed_at,
    )
    if marks is not None:
        summary.title_html = marks.title_html
        summary.snippet_html = marks.snippet_html
        summary.snippet_text = marks.snippet_text
        summary.matched_in = [m.field for m in marks.matches]
    return summary


def attach_children(connection: Connection, summaries: Sequence[HearingSummary]) -> None:
    """Committees and witness counts for a page of results, in two queries."""
    ids = [s.event_id for s in summaries]
    if not ids:
        return
    links, committees = schema.hearing_committees, schema.committees
    parents = committees.alias("parents")
    by_event: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for r in connection.execute(
        select(
            links.c.event_id,
            links.c.system_code,
            committees.c.name,
            parents.c.name.label("parent_name"),
        )
        .join(committees, committees.c.system_code == links.c.system_code)
        .outerjoin(parents, parents.c.system_code == committees.c.parent_code)
        .where(links.c.event_id.in_(ids))
        .order_by(links.c.event_id, links.c.ordinal)
    ):
        # A subcommittee is named with its parent everywhere a list names it.
        label = committee_label(r.name, r.system_code, r.parent_name)
        by_event[r.event_id].append((r.system_code, label))
    appearances = schema.witness_appearances
    counts: dict[str, int] = dict(
        connection.execute(
            select(appearances.c.event_id, func.count())
            .where(appearances.c.event_id.in_(ids))
            .group_by(appearances.c.event_id)
        ).all()
    )
    for s in summaries:
        s.committees = by_event.get(s.event_id, [])
        s.witness_count = int(counts.get(s.event_id, 0))
