"""Listing and searching meetings: filters, sorting and pagination, all in SQL (a text query goes
to `ranked`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, exists, func, not_, or_, select

from hearings.store import schema
from hearings.web import search
from hearings.web.filters import CHAMBERS, HearingFilters
from hearings.web.order import meeting_order
from hearings.web.ranked import ranked_search
from hearings.web.summaries import (
    SUMMARY_COLUMNS,
    HearingPage,
    HearingSummary,
    attach_children,
    summary,
)

__all__ = ["HearingPage", "HearingSummary", "attach_children", "filter_clauses", "find_hearings"]

hearings = schema.hearings


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
    if filters.congress is not None and filters.congress.numbers is not None:
        clauses.append(hearings.c.congress.in_(filters.congress.numbers))
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
        return ranked_search(
            connection, filters, terms, clauses, sort, limit, offset, children, bounded
        )
    query = select(*SUMMARY_COLUMNS).where(*clauses)
    order = meeting_order(dialect, sort, bounded_below=bounded)
    count_query = select(func.count()).select_from(hearings).where(*clauses)
    total = int(connection.execute(count_query).scalar_one())
    rows = connection.execute(query.order_by(*order).limit(limit).offset(offset)).all()
    summaries = [summary(row) for row in rows]
    if children:
        attach_children(connection, summaries)
    return HearingPage(filters, summaries, total, sort)
