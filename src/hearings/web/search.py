"""Turning a user's words into a query for the full-text index (`hearing_search`). What goes into
the index, and keeping it current, is `hearings.store.search_index`; how matches are shown is
`hearings.web.snippets`.

A query is a list of groups that must all match. A group is the words as typed, or any phrase the
acronym dictionary holds equal to them ("GAO" or "Government Accountability Office"). Meetings
that match the words as typed rank before those found only through an equivalent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sqlalchemy import func, literal_column

from hearings.citations import Citation, find_citations
from hearings.store.search_index import (
    BM25_WEIGHTS,
    SEARCH_TABLE,
    IndexGuard,
    hearing_search,
    rebuild_search_index,
    refresh_search_index,
    search_rowid,
)
from hearings.web.acronyms import Acronyms, Words

__all__ = [
    "IndexGuard",
    "SearchQuery",
    "SearchTerms",
    "build_query",
    "parse_terms",
    "rebuild_search_index",
    "refresh_search_index",
    "search_rowid",
]

# Which matches a tier holds: all of them, those of the words as typed, or those found only
# through an equivalent phrase.
Tier = Literal["all", "exact", "equivalent"]

_PHRASE = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchTerms:
    """A user's query split into bill citations, quoted phrases and words."""

    citations: list[Citation] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    prefix_last: bool = False
    # Words typed in capitals ("IT"), which may be acronyms even when they are also words.
    capitals: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.citations or self.phrases or self.words)


def parse_terms(query: str) -> SearchTerms:
    citations, rest = find_citations(query)
    phrases = [_WORD.findall(p.lower()) for p in _PHRASE.findall(rest)]
    phrases = [p for p in phrases if p]
    bare = _PHRASE.sub(" ", rest)
    words = _WORD.findall(bare.lower())
    capitals = frozenset(w.lower() for w in _WORD.findall(bare) if len(w) > 1 and w.isupper())
    # "Alphon" finds "Alphonso" while the user is still typing; only for the last bare word.
    prefix_last = bool(words) and not rest.rstrip().endswith('"') and len(words[-1]) >= 3
    return SearchTerms(citations, phrases, words, prefix_last, capitals)


@dataclass(frozen=True)
class Group:
    """Words that must match together, as typed or as one of their equivalents."""

    typed: Words
    equivalents: tuple[Words, ...] = ()
    prefix: bool = False


@dataclass(frozen=True)
class SearchQuery:
    groups: tuple[Group, ...]
    citations: tuple[Citation, ...]

    @property
    def expanded(self) -> bool:
        return any(g.equivalents for g in self.groups)

    def whole_words(self) -> SearchQuery:
        """The query with its last word matched whole, not as a prefix."""
        return SearchQuery(tuple(replace(g, prefix=False) for g in self.groups), self.citations)


def _group(typed: Words, terms: SearchTerms, acronyms: Acronyms, prefix: bool = False) -> Group:
    capitals = len(typed) == 1 and typed[0] in terms.capitals
    equivalents = acronyms.alternatives(typed, typed[0].upper() if capitals else typed[0])
    return Group(typed, equivalents, prefix and len(typed) == 1)


def build_query(terms: SearchTerms, acronyms: Acronyms) -> SearchQuery:
    """The groups of a query: quoted phrases as they are, then the bare words, where the longest
    run of words the dictionary knows ("artificial intelligence") becomes one group."""
    groups = [_group(tuple(p), terms, acronyms) for p in terms.phrases]
    words = terms.words
    index = 0
    while index < len(words):
        size = 1
        for length in range(min(acronyms.longest, len(words) - index), 1, -1):
            if tuple(words[index : index + length]) in acronyms.equivalents:
                size = length
                break
        last = index + size == len(words)
        typed = tuple(words[index : index + size])
        groups.append(_group(typed, terms, acronyms, prefix=last and terms.prefix_last))
        index += size
    return SearchQuery(tuple(groups), tuple(terms.citations))


# ---- FTS5 and tsquery expressions -------------------------------------------------------------


def _fts5_phrase(words: Words, prefix: bool = False) -> str:
    return '"' + " ".join(words) + '"' + ("*" if prefix else "")


def _fts5_group(group: Group, exact: bool) -> str:
    typed = _fts5_phrase(group.typed, group.prefix)
    if exact or not group.equivalents:
        return typed
    return "(" + " OR ".join([typed, *(_fts5_phrase(e) for e in group.equivalents)]) + ")"


def fts5_expression(query: SearchQuery, tier: Tier = "all") -> str:
    """An FTS5 MATCH expression: every group must match; any cited bill matches."""

    def expression(exact: bool) -> str:
        parts = [_fts5_group(g, exact) for g in query.groups]
        if query.citations:
            bills = " OR ".join(f'"{c.token}"' for c in query.citations)
            parts.append(f"bills : ({bills})")
        return " AND ".join(parts)

    if tier == "equivalent":
        return f"({expression(False)}) NOT ({expression(True)})"
    return expression(tier == "exact")


def fts5_any_phrase(query: SearchQuery) -> str:
    """An FTS5 MATCH expression for a text holding any phrase of the query: the same phrases,
    so FTS5 marks the same matches in it, for a text too long to mark in the index itself."""
    parts = [_fts5_group(g, exact=False) for g in query.groups]
    parts += [f'"{c.token}"' for c in query.citations]
    return " OR ".join(parts)


def _ts_phrase(words: Words, prefix: bool = False) -> str:
    body = " <-> ".join(f"'{w}'" for w in words)
    return f"({body}:*)" if prefix else f"({body})"


def _ts_group(group: Group, exact: bool) -> str:
    typed = _ts_phrase(group.typed, group.prefix)
    if exact or not group.equivalents:
        return typed
    return "(" + " | ".join([typed, *(_ts_phrase(e) for e in group.equivalents)]) + ")"


def tsquery_expression(query: SearchQuery, tier: Tier = "all") -> str:
    """The same query for PostgreSQL's `to_tsquery('english', ...)`."""

    def expression(exact: bool) -> str:
        parts = [_ts_group(g, exact) for g in query.groups]
        if query.citations:
            parts.append("(" + " | ".join(f"'{c.token}'" for c in query.citations) + ")")
        return " & ".join(parts)

    if tier == "equivalent":
        return f"({expression(False)}) & !({expression(True)})"
    return expression(tier == "exact")


def row_key(dialect: str) -> Any:
    """The cheapest way back to an index row: FTS5's rowid, or the event id on PostgreSQL."""
    if dialect == "sqlite":
        return literal_column(f"{SEARCH_TABLE}.rowid")
    return hearing_search.c.event_id


def match_clause(dialect: str, query: SearchQuery, tier: Tier = "all") -> tuple[Any, Any]:
    """(where clause, rank for ORDER BY, best first) for the dialect."""
    if dialect == "sqlite":
        table_ref: Any = literal_column(SEARCH_TABLE)
        where = table_ref.op("MATCH")(fts5_expression(query, tier))
        return where, func.bm25(table_ref, *BM25_WEIGHTS)
    tsquery = func.to_tsquery("english", tsquery_expression(query, tier))
    document: Any = literal_column(f"{SEARCH_TABLE}.document")
    return document.op("@@")(tsquery), -func.ts_rank_cd(document, tsquery)
