"""Turning a user's words into a query for the full-text index (`hearing_search`), and showing
its highlights. What goes into the index, and keeping it current, is `hearings.store.search_index`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import func, literal_column

from hearings.citations import Citation, find_citations
from hearings.store.search_index import (
    BM25_WEIGHTS,
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    SEARCH_TABLE,
    SNIPPET_TOKENS,
    TEXT_COLUMNS,
    IndexGuard,
    hearing_search,
    rebuild_search_index,
    refresh_search_index,
    search_rowid,
)

__all__ = [
    "IndexGuard",
    "SearchTerms",
    "parse_terms",
    "rebuild_search_index",
    "refresh_search_index",
    "search_rowid",
]


# ---- queries ---------------------------------------------------------------------------------

_PHRASE = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchTerms:
    """A user's query split into bill citations, quoted phrases and words."""

    citations: list[Citation] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    prefix_last: bool = False

    @property
    def empty(self) -> bool:
        return not (self.citations or self.phrases or self.words)


def parse_terms(query: str) -> SearchTerms:
    citations, rest = find_citations(query)
    phrases = [_WORD.findall(p.lower()) for p in _PHRASE.findall(rest)]
    phrases = [p for p in phrases if p]
    words = _WORD.findall(_PHRASE.sub(" ", rest).lower())
    # "Alphon" finds "Alphonso" while the user is still typing; only for the last bare word.
    prefix_last = bool(words) and not rest.rstrip().endswith('"') and len(words[-1]) >= 3
    return SearchTerms(citations, phrases, words, prefix_last)


def fts5_expression(terms: SearchTerms) -> str:
    """An FTS5 MATCH expression: every word and phrase must match; any cited bill matches."""
    parts: list[str] = []
    for phrase in terms.phrases:
        parts.append('"' + " ".join(phrase) + '"')
    for index, word in enumerate(terms.words):
        last = index == len(terms.words) - 1
        parts.append(f'"{word}"*' if last and terms.prefix_last else f'"{word}"')
    if terms.citations:
        bills = " OR ".join(f'"{c.token}"' for c in terms.citations)
        parts.append(f"bills : ({bills})")
    return " AND ".join(parts)


def tsquery_expression(terms: SearchTerms) -> str:
    """The same query for PostgreSQL's `to_tsquery('english', ...)`."""
    parts: list[str] = []
    for phrase in terms.phrases:
        parts.append("(" + " <-> ".join(f"'{w}'" for w in phrase) + ")")
    for index, word in enumerate(terms.words):
        last = index == len(terms.words) - 1
        parts.append(f"'{word}':*" if last and terms.prefix_last else f"'{word}'")
    if terms.citations:
        parts.append("(" + " | ".join(f"'{c.token}'" for c in terms.citations) + ")")
    return " & ".join(parts)


def highlighted(text: str | None) -> Markup:
    """Escape `text`, then turn the highlight markers into <mark> elements."""
    if not text:
        return Markup("")
    escaped = str(escape(text))
    return Markup(escaped.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_END, "</mark>"))


def plain(text: str | None) -> str:
    """`text` without highlight markers (for JSON and CSV)."""
    return (text or "").replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")


def row_key(dialect: str) -> Any:
    """The cheapest way back to an index row: FTS5's rowid, or the event id on PostgreSQL."""
    if dialect == "sqlite":
        return literal_column(f"{SEARCH_TABLE}.rowid")
    return hearing_search.c.event_id


def match_clause(dialect: str, terms: SearchTerms) -> tuple[Any, Any, Any, Any]:
    """(where clause, rank for ORDER BY, title highlight, snippet) for the dialect."""
    if dialect == "sqlite":
        table_ref: Any = literal_column(SEARCH_TABLE)
        where = table_ref.op("MATCH")(fts5_expression(terms))
        rank: Any = func.bm25(table_ref, *BM25_WEIGHTS)
        title = func.highlight(table_ref, 1, HIGHLIGHT_START, HIGHLIGHT_END)
        snippet = func.snippet(table_ref, -1, HIGHLIGHT_START, HIGHLIGHT_END, "…", SNIPPET_TOKENS)
        return where, rank, title, snippet
    query = func.to_tsquery("english", tsquery_expression(terms))
    document: Any = literal_column(f"{SEARCH_TABLE}.document")
    where = document.op("@@")(query)
    rank = -func.ts_rank_cd(document, query)
    options = (
        f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, MaxWords=30, MinWords=8, "
        "HighlightAll=true"
    )
    title = func.ts_headline("english", func.coalesce(hearing_search.c.title, ""), query, options)
    body = func.concat_ws(
        " … ", *(func.nullif(hearing_search.c[name], "") for name in TEXT_COLUMNS[1:6])
    )
    snippet = func.ts_headline(
        "english",
        body,
        query,
        f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, MaxWords=30, MinWords=8, "
        'MaxFragments=2, FragmentDelimiter=" … "',
    )
    return where, rank, title, snippet
