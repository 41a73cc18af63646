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
from hearings.web import search, snippets
from hearings.web.acronyms import ACRONYMS
from hearings.web.committee_names import committee_label
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
    """A ranked search. By relevance, meetings that match the words as typed come first, then
    those found through an acronym or its full name; highlights and snippets are computed for the
    page's rows only."""
    query = search.build_query(terms, ACRONYMS.get(connection))
    tiers: list[search.Tier] = (
        ["exact", "equivalent"] if query.expanded and sort == "relevance" else ["all"]
    )
    total = 0
    rows: list[Any] = []
    keys: dict[str, Any] = {}
    for tier in tiers:
        count, page, page_keys = _search_tier(
            connection, query, tier, clauses, sort, limit - len(rows), offset, bounded
        )
        total += count
        offset = max(0, offset - count)
        rows += page
        keys.update(page_keys)
    marks = snippets.read_marks(connection, query, list(keys.values()))
    summaries = [_summary(row, marks.get(keys[row.event_id])) for row in rows]
    if children:
        attach_children(connection, summaries)
    also = [" ".join(e) for g in query.groups for e in g.equivalents]
    return HearingPage(filters, summaries, total, sort, also)


def _search_tier(
    connection: Connection,
    query: search.SearchQuery,
    tier: search.Tier,
    clauses: list[ColumnElement[bool]],
    sort: str,
    limit: int,
    offset: int,
    bounded: bool,
) -> tuple[int, list[Any], dict[str, Any]]:
    """(matches in the tier, the rows of the page that fall in it, their index keys)."""
    dialect = connection.dialect.name
    where, rank = search.match_clause(dialect, query, tier)
    index = search.hearing_search
    key = search.row_key(dialect)
    if not clauses and sort == "relevance":
        total = int(
            connection.execute(select(func.count()).select_from(index).where(where)).scalar_one()
        )
        if limit <= 0 or offset >= total:
            return total, [], {}
        # Rank and tie-break on the index's own key, so only the page's rows are read.
        ranked = list(
            connection.execute(
                select(key)
                .select_from(index)
                .where(where)
                .order_by(rank, key)
                .limit(limit)
                .offset(offset)
            ).scalars()
        )
        ids = _event_ids(connection, dialect, ranked)
        found = {
            row.event_id: row
            for row in connection.execute(
                select(*_SUMMARY_COLUMNS).where(hearings.c.event_id.in_(list(ids.values())))
            )
        }
        rows = [found[ids[k]] for k in ranked if k in ids and ids[k] in found]
        return total, rows, {ids[k]: k for k in ranked if k in ids}
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
    if limit <= 0 or offset >= total:
        return total, [], {}
    page = connection.execute(
        select(key.label("key"), *_SUMMARY_COLUMNS)
        .select_from(joined)
        .where(where, *clauses)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    ).all()
    return total, list(page), {r.event_id: r.key for r in page}


def _event_ids(connection: Connection, dialect: str, keys: list[Any]) -> dict[Any, str]:
    """The event id of each index key: a rowid lookup on SQLite, the key itself elsewhere."""
    if dialect != "sqlite" or not keys:
        return {k: k for k in keys}
    key = search.row_key(dialect)
    index = search.hearing_search
    return {
        r.key: r.event_id
        for r in connection.execute(select(key.label("key"), index.c.event_id).where(key.in_(keys)))
    }


def _summary(row: Any, marks: snippets.Marks | None = None) -> HearingSummary:
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
