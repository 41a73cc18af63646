"""Marks of index rows too long for FTS5's `snippet()` and `highlight()`. Both grow with the
square of a text's matches: `snippet()` scores each match against every other, `highlight()`
copies its whole output again for each piece it appends. A witness document named "Oversight"
20,000 times took a search page 3 s, and each doubling takes four times as long.

A long row is therefore marked in pieces first: its texts, cut into chunks of a bounded length,
are highlighted by FTS5 itself in a private in-memory table with the index's tokenizer, so the
words marked are the ones the index matched, at a cost that grows with the text's length alone.
From those marks the cost of the index's own functions is counted: a row where they stay cheap
(every long row of real data) gets them, so its snippets are as before; any other keeps its
chunked highlights and a snippet cut around its first match."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import func

from hearings.store.search_index import HIGHLIGHT_END, HIGHLIGHT_START, SNIPPET_TOKENS, TEXT_COLUMNS

# The index's tokenizer (migration 0002), so a chunk's marks are the index's.
INDEX_TOKENIZER = "porter unicode61 remove_diacritics 2"
# A row whose texts together are this short has at most half as many matches, so `snippet()`
# and `highlight()` are cheap whatever they are (about 4 ms in the worst case, one-letter words
# all matching).
SHORT_ROW_CHARACTERS = 1000
CHUNK_CHARACTERS = 1000
# snippet() scores each match of a field against every match of the row, and against the
# sentence starts before it; this many such steps is what a short row can cost at most.
SNIPPET_WORK_BUDGET = 750_000
# highlight() copies its output so far for each match of the title: this many characters copied
# is about 1 ms.
HIGHLIGHT_WORK_BUDGET = 20_000_000
# How far from its first match a cut snippet looks for its words.
_REACH = 2000

_TOKEN = re.compile(r"\w+")
_MARKED = re.compile(f"{HIGHLIGHT_START}([^{HIGHLIGHT_END}]*){HIGHLIGHT_END}")
# FTS5 starts a sentence at a word after a full stop or colon and white space.
_SENTENCE_START = re.compile(r"[.:][ \t\n\r]+")


def row_length(table: Any) -> Any:
    """The characters of an index row's texts, all columns together."""
    total: Any = 0
    for name in TEXT_COLUMNS:
        total = total + func.length(func.coalesce(table.c[name], ""))
    return total


def _chunks(text: str) -> Iterator[str]:
    """`text` in pieces of at most CHUNK_CHARACTERS, cut after white space where it has any."""
    start = 0
    while start < len(text):
        window = text[start : start + CHUNK_CHARACTERS]
        if start + len(window) < len(text):
            cut = max(window.rfind(" "), window.rfind("\n")) + 1
            window = window[: cut or len(window)]
        yield window
        start += len(window)


def mark_in_chunks(texts: Sequence[str | None], any_phrase: str) -> list[str]:
    """Each of `texts` with the matches of the FTS5 expression `any_phrase` highlighted, chunk by
    chunk (a phrase that a cut divides stays unmarked)."""
    memory = sqlite3.connect(":memory:")
    try:
        memory.execute(
            f"CREATE VIRTUAL TABLE chunk USING fts5(body, tokenize = '{INDEX_TOKENIZER}')"
        )
        pieces = [list(_chunks(text or "")) for text in texts]
        rows = [(body,) for chunks in pieces for body in chunks]
        memory.executemany("INSERT INTO chunk(body) VALUES (?)", rows)
        marked = dict(
            memory.execute(
                "SELECT rowid, highlight(chunk, 0, ?, ?) FROM chunk WHERE chunk MATCH ?",
                (HIGHLIGHT_START, HIGHLIGHT_END, any_phrase),
            ).fetchall()
        )
    except sqlite3.OperationalError:
        marked = {}  # an expression this SQLite refuses: the texts unmarked, not an error page
    finally:
        memory.close()
    result = []
    rowid = 1
    for chunks in pieces:
        whole = []
        for body in chunks:
            whole.append(marked.get(rowid, body))
            rowid += 1
        result.append("".join(whole))
    return result


def _matches(marked: str | None) -> int:
    """Words inside the marks: at least as many as the matches FTS5 counted there."""
    return sum(len(_TOKEN.findall(span)) for span in _MARKED.findall(marked or ""))


def cheap_in_the_index(title: str | None, fields: Mapping[str, str | None]) -> bool:
    """Whether the index's own highlight() of the title and snippet() of `fields` (all given
    highlighted) stay within their budgets."""
    matches = {name: _matches(text) for name, text in fields.items()}
    in_title = _matches(title)
    everywhere = in_title + sum(matches.values())
    snippet_work = sum(
        found * (2 * everywhere + len(_SENTENCE_START.findall(fields[name] or "")))
        for name, found in matches.items()
        if found
    )
    highlight_work = in_title * len(title or "")
    return snippet_work <= SNIPPET_WORK_BUDGET and highlight_work <= HIGHLIGHT_WORK_BUDGET


def cut_snippet(marked: str | None, size: int = SNIPPET_TOKENS) -> str:
    """About `size` words of the highlighted `marked` around its first match, as `snippet()`
    places them (eight words before it), with "…" where the text goes on."""
    if not marked:
        return ""
    first = max(marked.find(HIGHLIGHT_START), 0)
    before = [m.start() for m in _TOKEN.finditer(marked, max(0, first - _REACH), first)]
    after = [m.end() for m in islice(_TOKEN.finditer(marked, first, first + _REACH), size)]
    taken_before = min(len(before), max((size - 1) // 2, size - len(after)))
    taken_after = min(len(after), size - taken_before)
    begin = before[len(before) - taken_before] if taken_before else first
    end = after[taken_after - 1] if taken_after else first
    if begin > 0 and marked[begin - 1] == HIGHLIGHT_START:
        begin -= 1
    if end < len(marked) and marked[end] == HIGHLIGHT_END:
        end += 1
    piece = marked[begin:end]
    opening, closing = piece.find(HIGHLIGHT_START), piece.find(HIGHLIGHT_END)
    if closing >= 0 and (opening < 0 or closing < opening):
        piece = HIGHLIGHT_START + piece  # the window starts inside a matched phrase
    if piece.count(HIGHLIGHT_START) > piece.count(HIGHLIGHT_END):
        piece += HIGHLIGHT_END
    cut_before = _TOKEN.search(marked, 0, begin) is not None
    cut_after = _TOKEN.search(marked, end) is not None
    return ("…" if cut_before else "") + piece + ("…" if cut_after else "")
