"""Pages of a JSON list. Every paged list in the API answers with the same fields (`total`,
`page`, `per_page`, `pages`, `results`, `next`, `previous`), and a page past the last one is an
empty page (200), not an error: the data moves under a client walking the pages (an update adds
meetings, the /changes window slides with the clock), so a page that held results a moment ago
may hold none now, and the first page of an empty list is already an empty 200."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

QueryString = Callable[[int], str]


def page_count(total: int, per_page: int) -> int:
    """The number of pages, at least one: an empty list is one empty page."""
    return max(1, -(-total // per_page))


def page_fields(path: str, page: int, pages: int, query: QueryString) -> dict[str, Any]:
    """`pages`, `next` and `previous` for page `page`. Past the end, `previous` is the last
    page, the nearest one before it that has results."""
    return {
        "pages": pages,
        "next": path + query(page + 1) if page < pages else None,
        "previous": path + query(min(page - 1, pages)) if page > 1 else None,
    }


def query_of(params: Mapping[str, object], defaults: Mapping[str, object]) -> QueryString:
    """The query string of `params` (in the order given, `page` among them) with another page,
    leaving out what is unset or default, as the filters' own `query_string` does."""

    def query(page: int) -> str:
        pairs = [
            (name, str(value))
            for name, value in {**params, "page": page}.items()
            if value is not None and value != defaults.get(name)
        ]
        return ("?" + urlencode(pairs)) if pairs else ""

    return query
