"""Listing and searching meetings: filters, ranking, sorting and pagination, all in SQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup
from sqlalchemy import ColumnElement, Connection, exists, func, not_, or_, select

from hearings.store import schema
from hearings.web import search
from hearings.web.filters import CHAMBERS, HearingFilters

hearings = schema.hearings

# The columns a result row needs.
_SUMMARY_COLUMNS = (
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


@dataclass
class HearingPage:
    filters: HearingFilters
    rows: list[HearingSummary]
    total: int
    sort: str

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


def committee_family(connection: Connection, code: str) -> list[str]:
    """A committee's code and those of its subcommittees."""
    committees = schema.committees
    children = connection.execute(
        select(committees.c.system_code).where(committees.c.parent_code == code)
    ).scalars()
    return [code, *sorted(children)]


def filter_clauses(
    connection: Connection, filters: HearingFilters, *, since: datetime | None = None
) -> list[ColumnElement[bool]]:
    """WHERE clauses on `hearings` for everything in `filters` except the text query."""
    from hearings.web.timefmt import eastern_day_start

    clauses: list[ColumnElement[bool]] = []
    if filters.congress is not None:
        clauses.append(hearings.c.congress == filters.congress)
    if filters.chamber is not None:
        clauses.append(hearings.c.chamber == CHAMBERS[filters.chamber])
    if filters.committee is not None:
        links = schema.hearing_committees
        codes = committee_family(connection, filters.committee)
        clauses.append(
            hearings.c.event_id.in_(select(links.c.event_id).where(links.c.system_code.in_(codes)))
        )
    if filters.status is not None:
        clauses.append(func.lower(hearings.c.status) == filters.status)
    if filters.type is not None:
        clauses.append(func.lower(hearings.c.meeting_type) == filters.type.lower())
    lower = since
    if filters.date_from is not None:
        lower = eastern_day_start(filters.date_from)
    if lower is not None:
        clauses.append(hearings.c.start_at >= lower)
    if filters.date_to is not None:
        clauses.append(hearings.c.start_at < eastern_day_start(filters.date_to + timedelta(days=1)))
    if filters.has_witnesses is not None:
        appearances = schema.witness_appearances
        witnessed: ColumnElement[bool] = exists().where(
            appearances.c.event_id == hearings.c.event_id
        )
        clauses.append(witnessed if filters.has_witnesses else not_(witnessed))
    if filters.has_transcript is not None:
        transcripts, printed = schema.hearing_transcripts, schema.printed_hearings
        clause = or_(
            exists().where(transcripts.c.event_id == hearings.c.event_id),
            exists().where(printed.c.associated_event_id == hearings.c.event_id),
        )
        clauses.append(clause if filters.has_transcript else not_(clause))
    return clauses


def _order(dialect: str, sort: str, *, bounded_below: bool) -> list[Any]:
    start = hearings.c.start_at
    if sort == "date":
        # SQLite sorts NULL first ascending; a lower bound already excludes them and keeps the
        # index usable, so only add NULLS LAST when there is none.
        first = start.asc().nulls_last() if dialect == "sqlite" and not bounded_below else start
        return [first, hearings.c.event_id]
    if sort == "updated":
        changed = hearings.c.last_changed_at.desc()
        return [changed if dialect == "sqlite" else changed.nulls_last(), hearings.c.event_id]
    newest = start.desc()
    return [newest if dialect == "sqlite" else newest.nulls_last(), hearings.c.event_id.desc()]


def find_hearings(
    connection: Connection,
    filters: HearingFilters,
    *,
    since: datetime | None = None,
    limit: int | None = None,
    offset: int | None = None,
    children: bool = True,
) -> HearingPage:
    """One page of meetings matching `filters` (ranked when there is a text query)."""
    dialect = connection.dialect.name
    clauses = filter_clauses(connection, filters, since=since)
    sort = filters.effective_sort
    terms = search.parse_terms(filters.q) if filters.q else None
    limit = filters.per_page if limit is None else limit
    offset = filters.offset if offset is None else offset
    bounded = since is not None or filters.date_from is not None

    if terms is not None and terms.empty:
        # Only punctuation: nothing can match.
        return HearingPage(filters, [], 0, sort)
    if terms is not None:
        return _search(connection, filters, terms, clauses, sort, limit, offset, children, bounded)
    query = select(*_SUMMARY_COLUMNS).where(*clauses)
    order = _order(dialect, sort, bounded_below=bounded)
    count_query = select(func.count()).select_from(hearings).where(*clauses)
    total = int(connection.execute(count_query).scalar_one())
    rows = connection.execute(query.order_by(*order).limit(limit).offset(offset)).all()
    summaries = [_summary(row) for row in rows]
    if children:
        attach_children(connection, summaries)
    return HearingPage(filters, summaries, total, sort)


def _search(
    connection: Connection,
    filters: HearingFilters,
    terms: search.SearchTerms,
    clauses: list[ColumnElement[bool]],
    sort: str,
    limit: int,
    offset: int,
    children: bool,
    bounded: bool,
) -> HearingPage:
    """A ranked search. Highlights and snippets are computed for the page's rows only, and an
    unfiltered search by relevance never touches `hearings` until it has its page."""
    dialect = connection.dialect.name
    where, rank, title_html, snippet = search.match_clause(dialect, terms)
    index = search.hearing_search
    key = search.row_key(dialect)
    if not clauses and sort == "relevance":
        total = int(
            connection.execute(select(func.count()).select_from(index).where(where)).scalar_one()
        )
        ranked = connection.execute(
            select(key.label("key"), index.c.event_id)
            .where(where)
            .order_by(rank, index.c.event_id)
            .limit(limit)
            .offset(offset)
        ).all()
        keys = {r.event_id: r.key for r in ranked}
        found = {
            row.event_id: row
            for row in connection.execute(
                select(*_SUMMARY_COLUMNS).where(hearings.c.event_id.in_(list(keys)))
            )
        }
        rows = [found[r.event_id] for r in ranked if r.event_id in found]
    else:
        joined = index.join(hearings, hearings.c.event_id == index.c.event_id)
        order = (
            [rank, hearings.c.start_at.desc(), hearings.c.event_id]
            if sort == "relevance"
            else _order(dialect, sort, bounded_below=bounded)
        )
        total = int(
            connection.execute(
                select(func.count()).select_from(joined).where(where, *clauses)
            ).scalar_one()
        )
        page = connection.execute(
            select(key.label("key"), *_SUMMARY_COLUMNS)
            .select_from(joined)
            .where(where, *clauses)
            .order_by(*order)
            .limit(limit)
            .offset(offset)
        ).all()
        keys = {r.event_id: r.key for r in page}
        rows = list(page)
    marks: dict[Any, tuple[str | None, str | None]] = {}
    if keys:
        for r in connection.execute(
            select(key.label("key"), title_html.label("title"), snippet.label("snippet"))
            .select_from(index)
            .where(where, key.in_(list(keys.values())))
        ):
            marks[r.key] = (r.title, r.snippet)
    summaries = [_summary(row, marks.get(keys.get(row.event_id))) for row in rows]
    if children:
        attach_children(connection, summaries)
    return HearingPage(filters, summaries, total, sort)


def _summary(row: Any, marked: tuple[str | None, str | None] | None = None) -> HearingSummary:
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
    if marked is not None:
        title_marked, snippet_marked = marked
        summary.title_html = search.highlighted(title_marked) if title_marked else None
        snippet = (snippet_marked or "").replace("\n", " · ")
        # The snippet is worth showing only when it comes from something other than the title.
        if search.HIGHLIGHT_START in snippet and search.plain(snippet).strip("… ") not in (
            row.title or ""
        ):
            summary.snippet_html = search.highlighted(snippet)
            summary.snippet_text = search.plain(snippet)
    return summary


def attach_children(connection: Connection, summaries: Sequence[HearingSummary]) -> None:
    """Committees and witness counts for a page of results, in two queries."""
    ids = [s.event_id for s in summaries]
    if not ids:
        return
    links, committees = schema.hearing_committees, schema.committees
    by_event: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for r in connection.execute(
        select(links.c.event_id, links.c.system_code, committees.c.name)
        .join(committees, committees.c.system_code == links.c.system_code)
        .where(links.c.event_id.in_(ids))
        .order_by(links.c.event_id, links.c.ordinal)
    ):
        by_event[r.event_id].append((r.system_code, r.name))
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
