"""What the replica serves instead of the corpus for chosen records: a list entry or an item that
upstream got wrong, down to bytes that are not JSON or not UTF-8.

The record stays in the corpus, so it keeps its place in the lists (its `updateDate` window and
order) and its item path; only what goes over the wire changes. Tests use this to feed the
importer malformed input through real HTTP:

    replica.overrides.set_list_entry("meeting", "118001", lambda e: {**e, "chamber": "Hosue"})
    replica.overrides.set_item("committee", "hsag00", lambda c: {**c, "name": None})
    replica.overrides.set_item_body("hearing", "60001", b"[" * 100_000)
    replica.overrides.set_list_page("committee-meeting/119", 250, lambda p: {**p, "pagination": {}})
    replica.overrides.set_list_page("committee-meeting/119", 500, Status(404))

Each override may name a Congress (`congress=118`): it then applies to that Congress's record
only, for ids that recur across Congresses (printed hearings' jacket numbers).
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hearings.replica.records import Kind

#: An override: a JSON value, `Raw` bytes, or a function of the value the corpus would serve.
Replacement = object | Callable[[Any], object]


@dataclass(frozen=True, slots=True)
class Raw:
    """Bytes served verbatim where a JSON value would go; they need not be JSON, nor UTF-8.

    `Raw(b'"\\\\ud800"')` is a JSON string holding a lone surrogate; `Raw(b'"\\xff"')` is a string
    that is not UTF-8; `Raw(b"[" * 100_000)` nests deeper than any JSON decoder goes."""

    data: bytes


@dataclass(frozen=True, slots=True)
class Status:
    """A list page answered with this HTTP status and the API's error body instead of its
    entries."""

    code: int


class Overrides:
    """Per-record replacements for list entries, item records and whole item bodies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[_Key, Replacement] = {}
        self._items: dict[_Key, Replacement] = {}
        self._bodies: dict[_Key, bytes] = {}
        self._pages: dict[tuple[str, int | None], Replacement] = {}

    def set_list_entry(
        self, kind: Kind, ident: str | int, entry: Replacement, *, congress: int | None = None
    ) -> None:
        """Serve `entry` (or `entry(default)`) as this record's list entry. It may be any JSON
        value, not only an object, or contain `Raw` values."""
        with self._lock:
            self._entries[_key(kind, ident, congress)] = entry

    def set_item(
        self, kind: Kind, ident: str | int, record: Replacement, *, congress: int | None = None
    ) -> None:
        """Serve `record` (or `record(default)`) under the item key of this record's item
        response; the envelope and its `request` block stay as the API writes them."""
        with self._lock:
            self._items[_key(kind, ident, congress)] = record

    def set_item_body(
        self, kind: Kind, ident: str | int, body: bytes, *, congress: int | None = None
    ) -> None:
        """Answer this record's item path with exactly `body` (status 200, JSON content type)."""
        with self._lock:
            self._bodies[_key(kind, ident, congress)] = body

    def set_list_page(self, list_path: str, offset: int | None, page: Replacement) -> None:
        """Serve `page` (or `page(default)`, the whole envelope) for the page of `list_path`
        (`committee-meeting/119`) that starts at `offset`, or for each of its pages when `offset`
        is None; a `Status` answers that page with an error instead."""
        with self._lock:
            self._pages[(list_path.strip("/").lower(), offset)] = page

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._items.clear()
            self._bodies.clear()
            self._pages.clear()

    def __bool__(self) -> bool:
        with self._lock:
            return bool(self._entries or self._items or self._bodies or self._pages)

    def list_page(self, list_path: str, offset: int, default: dict[str, Any]) -> object:
        """The page of `list_path` at `offset` to serve (a `Status` for an error), whose own
        envelope is `default`."""
        path = list_path.strip("/").lower()
        with self._lock:
            replacement = self._pages.get((path, offset), self._pages.get((path, None), _UNSET))
        return default if replacement is _UNSET else _apply(replacement, default)

    def list_entry(
        self, kind: Kind, ident: str, default: dict[str, Any], congress: int | None = None
    ) -> object:
        """The entry to serve for a record (of `congress`) whose own entry is `default`."""
        with self._lock:
            replacement = _lookup(self._entries, kind, ident, congress)
        return default if replacement is _UNSET else _apply(replacement, default)

    def item_body(self, kind: Kind, ident: str, congress: int | None = None) -> bytes | None:
        with self._lock:
            body = _lookup(self._bodies, kind, ident, congress)
        return None if body is _UNSET else bytes(body)

    def has_item(self, kind: Kind, ident: str, congress: int | None = None) -> bool:
        with self._lock:
            return _lookup(self._items, kind, ident, congress) is not _UNSET

    def item(
        self, kind: Kind, ident: str, default: dict[str, Any] | None, congress: int | None = None
    ) -> object:
        """The record to serve under the item key; `default` is the corpus's (None if absent)."""
        with self._lock:
            replacement = _lookup(self._items, kind, ident, congress)
        return _apply(replacement, default)


_UNSET = object()
_Key = tuple[Kind, str, int | None]


def _key(kind: Kind, ident: str | int, congress: int | None) -> _Key:
    return (kind, str(ident).strip().lower(), congress)


def _lookup(table: dict[_Key, Any], kind: Kind, ident: str, congress: int | None) -> Any:
    """The override for this record in its Congress, else the one for every Congress."""
    if congress is not None:
        found = table.get(_key(kind, ident, congress), _UNSET)
        if found is not _UNSET:
            return found
    return table.get(_key(kind, ident, None), _UNSET)


def _apply(replacement: Replacement, default: Any) -> object:
    if callable(replacement) and not isinstance(replacement, Raw):
        return replacement(copy.deepcopy(default))
    return replacement


def encode(value: object, dumps: Callable[[object], bytes]) -> bytes:
    """`dumps(value)`, with every `Raw` inside `value` spliced in as its bytes."""
    spliced: dict[bytes, bytes] = {}
    counter = itertools.count()

    def swap(node: object) -> object:
        if isinstance(node, Raw):
            # Private-use characters cannot occur in the corpus, so the marker is unique.
            marker = f"\ue000replica-raw-{next(counter)}\ue000"
            spliced[json.dumps(marker, ensure_ascii=False).encode("utf-8")] = node.data
            return marker
        if isinstance(node, dict):
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, list | tuple):
            return [swap(v) for v in node]
        return node

    text = dumps(swap(value))
    for marker, data in spliced.items():
        text = text.replace(marker, data, 1)
    return text
