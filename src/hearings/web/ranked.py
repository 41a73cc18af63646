"""A ranked search: the page of meetings matching a query, best first. By relevance, meetings
that match the words as typed come before those found through an acronym or its full name;
highlights and snippets are computed for the page's rows only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from hearings.store import schema
from hearings.web import search, snippets
from hearings.web.acronyms import ACRONYMS
from hearings.web.filters import HearingFilters
from hearings.web.order import meeting_order
from hearings.web.summaries import SUMMARY_COLUMNS, HearingPage, attach_children, summary

hearings = schema.hearings


def ranked_search(
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
    """One page of a search, with the total number of matches."""
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
    summaries = [summary(row, marks.get(keys[row.event_id])) for row in rows]
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
                select(*SUMMARY_COLUMNS).where(hearings.c.event_id.in_(list(ids.values())))
            )
        }
        rows = [found[ids[k]] for k in ranked if k in ids and ids[k] in found]
        return total, rows, {ids[k]: k for k in ranked if k in ids}
    joined = index.join(hearings, hearings.c.event_id == index.c.event_id)
    order = (
        [rank, hearings.c.start_at.desc(), hearings.c.event_id]
        if sort == "relevance"
        else meeting_order(dialect, sort, bounded_below=bounded)
    )
    total = int(
        connection.execute(
            select(func.count()).select_from(joined).where(where, *clauses)
        ).scalar_one()
    )
    if limit <= 0 or offset >= total:
        return total, [], {}
    page = connection.execute(
        select(key.label("key"), *SUMMARY_COLUMNS)
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
