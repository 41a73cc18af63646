"""The ranked search as it was before issue 15 (commit cca3886), kept here only so section 6 can
time it side by side with the current one: no acronym expansion, ranking tie-broken on the
index's UNINDEXED `event_id` column (so SQLite reads every match's row before sorting), one
snippet over all columns.

`python -m bench.search_before PORT` serves the app exactly as `hearings serve` does, with this
search in place of `hearings.web.listing.ranked_search`.
"""

from __future__ import annotations

import sys
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Connection, func, literal_column, select

from hearings.store import schema
from hearings.store.meeting_record import meeting_of_row
from hearings.store.search_index import (
    BM25_WEIGHTS,
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    SEARCH_TABLE,
    SNIPPET_TOKENS,
    TEXT_COLUMNS,
    hearing_search,
)
from hearings.web import listing
from hearings.web.filters import HearingFilters
from hearings.web.search import SearchTerms, row_key
from hearings.web.summaries import SUMMARY_COLUMNS, HearingPage, HearingSummary, attach_children

hearings = schema.hearings


def _fts5(terms: SearchTerms) -> str:
    parts = ['"' + " ".join(p) + '"' for p in terms.phrases]
    for index, word in enumerate(terms.words):
        last = index == len(terms.words) - 1
        parts.append(f'"{word}"*' if last and terms.prefix_last else f'"{word}"')
    if terms.citations:
        parts.append("bills : (" + " OR ".join(f'"{c.token}"' for c in terms.citations) + ")")
    return " AND ".join(parts)


def _tsquery(terms: SearchTerms) -> str:
    parts = ["(" + " <-> ".join(f"'{w}'" for w in p) + ")" for p in terms.phrases]
    for index, word in enumerate(terms.words):
        last = index == len(terms.words) - 1
        parts.append(f"'{word}':*" if last and terms.prefix_last else f"'{word}'")
    if terms.citations:
        parts.append("(" + " | ".join(f"'{c.token}'" for c in terms.citations) + ")")
    return " & ".join(parts)


def _match(dialect: str, terms: SearchTerms) -> tuple[Any, Any, Any, Any]:
    if dialect == "sqlite":
        table: Any = literal_column(SEARCH_TABLE)
        return (
            table.op("MATCH")(_fts5(terms)),
            func.bm25(table, *BM25_WEIGHTS),
            func.highlight(table, 1, HIGHLIGHT_START, HIGHLIGHT_END),
            func.snippet(table, -1, HIGHLIGHT_START, HIGHLIGHT_END, "…", SNIPPET_TOKENS),
        )
    query = func.to_tsquery("english", _tsquery(terms))
    document: Any = literal_column(f"{SEARCH_TABLE}.document")
    options = f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, MaxWords=30, MinWords=8"
    body = func.concat_ws(" … ", *(func.nullif(hearing_search.c[n], "") for n in TEXT_COLUMNS[1:6]))
    return (
        document.op("@@")(query),
        -func.ts_rank_cd(document, query),
        func.ts_headline("english", func.coalesce(hearing_search.c.title, ""), query, options),
        func.ts_headline("english", body, query, options),
    )


def _highlighted(text: str) -> Markup:
    escaped = str(escape(text))
    return Markup(escaped.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_END, "</mark>"))


def search_before(
    connection: Connection,
    filters: HearingFilters,
    terms: SearchTerms,
    clauses: list[ColumnElement[bool]],
    sort: str,
    limit: int,
    offset: int,
    children: bool,
    bounded: bool,
) -> HearingPage:
    """The old `listing._search`, for unfiltered searches by relevance (what section 6 times)."""
    dialect = connection.dialect.name
    where, rank, title_html, snippet = _match(dialect, terms)
    index = hearing_search
    key = row_key(dialect)
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
            select(*SUMMARY_COLUMNS).where(hearings.c.event_id.in_(list(keys)))
        )
    }
    rows = [found[r.event_id] for r in ranked if r.event_id in found]
    marks: dict[Any, tuple[str | None, str | None]] = {}
    if keys:
        for r in connection.execute(
            select(key.label("key"), title_html.label("title"), snippet.label("snippet"))
            .select_from(index)
            .where(where, key.in_(list(keys.values())))
        ):
            marks[r.key] = (r.title, r.snippet)
    summaries = []
    for row in rows:
        summary = HearingSummary(meeting_of_row(row))
        title, text = marks.get(keys[row.event_id], (None, None))
        summary.title_html = _highlighted(title) if title else None
        if text and HIGHLIGHT_START in text:
            summary.snippet_html = _highlighted(text.replace("\n", " · "))
        summaries.append(summary)
    if children:
        attach_children(connection, summaries)
    return HearingPage(filters, summaries, total, sort)


def main(port: int) -> None:
    listing.ranked_search = search_before
    from hearings.cli.web_command import serve

    serve(host="127.0.0.1", port=port, proxy_headers=None, forwarded_allow_ips=None)


if __name__ == "__main__":
    main(int(sys.argv[1]))
