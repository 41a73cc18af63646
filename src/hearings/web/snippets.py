"""What a search result shows of its match: the title highlighted, a bill citation marked as it is
written ("H.R. 1", never the index's `hr1`), and a labelled snippet of each other field that
matched ("Witness: … <mark>Kurilla</mark> …"), computed for one page of results only."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import Connection, case, func, literal_column, select

from hearings.citations import Citation, cite_bill
from hearings.store.search_index import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    SEARCH_TABLE,
    SNIPPET_TOKENS,
    TEXT_COLUMNS,
    hearing_search,
)
from hearings.web.long_snippets import (
    SHORT_ROW_CHARACTERS,
    cheap_in_the_index,
    cut_snippet,
    mark_in_chunks,
    row_length,
)
from hearings.web.search import (
    SearchQuery,
    fts5_any_phrase,
    match_clause,
    row_key,
    tsquery_expression,
)

# The fields a snippet may come from, in the order they are shown, with the reader's word for each.
LABELS = {
    "witnesses": "Witness",
    "organizations": "Organization",
    "bills": "Bill",
    "documents": "Document",
    "committees": "Committee",
    "positions": "Position",
}
SHOWN = 2
_PG_OPTIONS = (
    f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, MaxWords=24, MinWords=6, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
_PG_WHOLE = f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, HighlightAll=true"
# How each bill type is spelled out, part by part, in titles ("H. R. 3400", "S.J.Res. 3").
_SPELLED = {
    "HR": ("H", "R"),
    "HRES": ("H", "Res"),
    "HJRES": ("H", "J", "Res"),
    "HCONRES": ("H", "Con", "Res"),
    "S": ("S",),
    "SRES": ("S", "Res"),
    "SJRES": ("S", "J", "Res"),
    "SCONRES": ("S", "Con", "Res"),
}
_BILL_TOKEN = re.compile(r"^(hconres|hjres|hres|hr|sconres|sjres|sres|s)(\d+)$")
_MARKED = re.compile(f"{HIGHLIGHT_START}([^{HIGHLIGHT_END}]*){HIGHLIGHT_END}")
# Committee system codes sit in the index beside the names; a reader has no use for them.
_COMMITTEE_CODE = re.compile(rf"(?<![{HIGHLIGHT_START}\w])[a-z]{{2,8}}\d{{2}}\b")


@dataclass(frozen=True)
class Match:
    field: str
    label: str
    html: Markup
    text: str


@dataclass
class Marks:
    """How one result matched."""

    event_id: str
    title_html: Markup | None = None
    matches: list[Match] = field(default_factory=list)

    @property
    def snippet_html(self) -> Markup | None:
        shown = self.matches[:SHOWN]
        if not shown:
            return None
        return Markup(" · ").join(
            Markup('<span class="matched">{}:</span> ').format(m.label) + m.html for m in shown
        )

    @property
    def snippet_text(self) -> str | None:
        shown = self.matches[:SHOWN]
        return " · ".join(f"{m.label}: {m.text}" for m in shown) or None


def highlighted(text: str | None) -> Markup:
    """Escape `text`, then turn the highlight markers into <mark> elements."""
    if not text:
        return Markup("")
    escaped = str(escape(text))
    return Markup(escaped.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_END, "</mark>"))


def plain(text: str | None) -> str:
    """`text` without highlight markers (for JSON and CSV)."""
    return (text or "").replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")


def _citation_pattern(citation: Citation) -> re.Pattern[str]:
    parts = _SPELLED.get(citation.bill_type, tuple(citation.bill_type))
    spelled = r"\.?\s*".join(re.escape(p) for p in parts)
    number = re.escape(citation.number.lstrip("0") or "0")
    return re.compile(rf"(?<![\w.]){spelled}\.?\s*0*{number}(?!\d)", re.IGNORECASE)


def mark_citations(title: str, citations: Sequence[Citation]) -> tuple[str, bool]:
    """The title with each cited bill marked where it is written, and whether any was."""
    found = False
    for citation in citations:

        def mark(match: re.Match[str]) -> str:
            return HIGHLIGHT_START + plain(match.group(0)) + HIGHLIGHT_END

        title, count = _citation_pattern(citation).subn(mark, title)
        found = found or count > 0
    return title, found


def _bills_match(marked: str | None) -> Match | None:
    cited = []
    for token in _MARKED.findall(marked or ""):
        parsed = _BILL_TOKEN.match(token.strip().lower())
        if parsed:
            cited.append(cite_bill(parsed[1].upper(), parsed[2]))
    if not cited:
        return None
    text = ", ".join(dict.fromkeys(cited))
    return Match("bills", LABELS["bills"], Markup("<mark>{}</mark>").format(text), text)


def _field_match(name: str, marked: str | None) -> Match | None:
    if not marked or HIGHLIGHT_START not in marked:
        return None
    text = " ".join(marked.replace("\n", " · ").split())
    if name == "committees":
        text = " ".join(_COMMITTEE_CODE.sub("", text).split()).replace("· ·", "·").strip(" ·")
    return Match(name, LABELS[name], highlighted(text), plain(text))


def _sqlite_title() -> Any:
    return func.highlight(literal_column(SEARCH_TABLE), 1, HIGHLIGHT_START, HIGHLIGHT_END)


def _sqlite_field(name: str) -> Any:
    table: Any = literal_column(SEARCH_TABLE)
    column = TEXT_COLUMNS.index(name) + 1
    return func.snippet(table, column, HIGHLIGHT_START, HIGHLIGHT_END, "…", SNIPPET_TOKENS)


def _postgres_columns(query: SearchQuery) -> list[Any]:
    """Title headline, then one headline per field of LABELS."""
    tsquery = func.to_tsquery("english", tsquery_expression(query))
    c = hearing_search.c
    title = func.ts_headline("english", func.coalesce(c.title, ""), tsquery, _PG_WHOLE)
    fields = [
        func.ts_headline(
            "english",
            func.coalesce(c[name], ""),
            tsquery,
            _PG_WHOLE if name == "bills" else _PG_OPTIONS,
        )
        for name in LABELS
    ]
    return [title, *fields]


def read_marks(connection: Connection, query: SearchQuery, keys: Sequence[Any]) -> dict[Any, Marks]:
    """The marks of the index rows `keys` (rowids on SQLite, event ids on PostgreSQL)."""
    if connection.dialect.name != "sqlite":
        rows = _marked_rows(connection, query, keys, _postgres_columns(query))
        return {key: _marks(event_id, title, texts, query) for key, event_id, title, *texts in rows}
    # FTS5 builds a prefix's doclist afresh for every row it highlights (20 ms for a page of
    # "oversight*" at 100,000 meetings, against 0.5 ms for "oversight"): rows are highlighted
    # with the whole word first, and only those it does not match with the prefix.
    whole = query.whole_words()
    found = _read_sqlite_marks(connection, whole, keys) if whole != query else {}
    missing = [k for k in keys if k not in found]
    if missing:
        found.update(_read_sqlite_marks(connection, query, missing))
    return found


def _read_sqlite_marks(
    connection: Connection, query: SearchQuery, keys: Sequence[Any]
) -> dict[Any, Marks]:
    """Short rows are marked by the index at once; long ones are marked in chunks first, and by
    the index only when that stays cheap (`long_snippets`)."""
    short = row_length(hearing_search) <= SHORT_ROW_CHARACTERS
    title = case((short, _sqlite_title()), else_=hearing_search.c.title)
    fields = [case((short, _sqlite_field(name)), else_=hearing_search.c[name]) for name in LABELS]
    rows = _marked_rows(connection, query, keys, [title, *fields, short])
    found: dict[Any, Marks] = {}
    long_rows: dict[Any, tuple[str, list[str]]] = {}
    for key, event_id, *texts, was_short in rows:
        if was_short:
            found[key] = _marks(event_id, texts[0], texts[1:], query)
        else:
            long_rows[key] = (event_id, mark_in_chunks(texts, fts5_any_phrase(query)))
    cheap = [
        key
        for key, (_, marked) in long_rows.items()
        if cheap_in_the_index(marked[0], dict(zip(LABELS, marked[1:], strict=True)))
    ]
    columns = [_sqlite_title(), *(_sqlite_field(name) for name in LABELS)]
    for key, event_id, *texts in _marked_rows(connection, query, cheap, columns):
        found[key] = _marks(event_id, texts[0], texts[1:], query)
    for key, (event_id, marked) in long_rows.items():
        if key not in found:
            found[key] = _marks(event_id, marked[0], [cut_snippet(t) for t in marked[1:]], query)
    return found


def _marked_rows(
    connection: Connection, query: SearchQuery, keys: Sequence[Any], columns: list[Any]
) -> list[Any]:
    """(key, event id, *columns) of the index rows `keys`."""
    if not keys:
        return []
    dialect = connection.dialect.name
    key = row_key(dialect)
    where, _ = match_clause(dialect, query)
    statement = select(key.label("key"), hearing_search.c.event_id, *columns)
    statement = statement.select_from(hearing_search).where(key.in_(list(keys)))
    if dialect == "sqlite":
        # FTS5's highlight() and snippet() need the MATCH that found the row.
        statement = statement.where(where)
    return list(connection.execute(statement))


def _marks(
    event_id: str, title: str | None, texts: Sequence[str | None], query: SearchQuery
) -> Marks:
    """How one row matched: its highlighted title, and its fields' snippets in LABELS order."""
    marked_title, cited_in_title = mark_citations(title or "", query.citations)
    marks = Marks(event_id)
    if HIGHLIGHT_START in marked_title:
        marks.title_html = highlighted(marked_title)
    for name, value in zip(LABELS, texts, strict=True):
        if name == "bills":
            match = None if cited_in_title else _bills_match(value)
        else:
            match = _field_match(name, value)
        # A field that only repeats the title (a document named after the hearing) adds nothing.
        if match is not None and match.text.strip("… ") not in plain(title):
            marks.matches.append(match)
    # Every result lists its committees already: their snippet is worth a line only when
    # nothing else matched.
    if marks.title_html is not None or len(marks.matches) > 1:
        marks.matches = [m for m in marks.matches if m.field != "committees"]
    if marks.title_html is None and not marks.matches:
        # Matched on something no snippet can show (a word stemmed beyond recognition, say).
        text = "the meeting's witnesses, documents or committees"
        marks.matches.append(Match("other", "Matched in", Markup(escape(text)), text))
    return marks
