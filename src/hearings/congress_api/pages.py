"""Salvaging a list page that does not decode as a whole: one entry nested past the JSON
decoder's depth, or holding a number too long to read, must not cost the other 249 on its page.

The page is scanned for its list's array (strings skipped, brackets counted), the rest of the body
is decoded without it, and each entry is decoded on its own. An entry that still cannot be read
becomes an `UndecodableEntry` carrying its text, for the importer's gate to quarantine or reject.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# A JSON string (escapes included), or one structural character.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]')


@dataclass(frozen=True, slots=True)
class UndecodableEntry:
    """A list entry whose JSON could not be decoded: its text as received, and why."""

    text: str
    reason: str


def salvage_page(text: str, key: str) -> dict[str, Any] | None:
    """The page with each entry of its `key` array decoded on its own, or None when even the
    page's shape cannot be found (a truncated body, say)."""
    found = _array_and_elements(text, json.dumps(key))
    if found is None:
        return None
    (start, end), elements = found
    try:
        outer = json.loads(text[:start] + "[]" + text[end:])
    except (ValueError, RecursionError):
        return None
    if not isinstance(outer, dict):
        return None
    outer[key] = [_decoded(text[a:b]) for a, b in elements]
    return outer


def _decoded(part: str) -> object:
    try:
        return json.loads(part)
    except RecursionError:
        return UndecodableEntry(part, "the entry is nested too deeply to read")
    except json.JSONDecodeError as exc:
        return UndecodableEntry(part, f"the entry is not valid JSON ({exc.msg})")
    except ValueError:
        # Python reads no integer longer than 4,300 digits (`sys.get_int_max_str_digits`).
        return UndecodableEntry(part, "the entry holds a number too long to read")


def _array_and_elements(
    text: str, quoted_key: str
) -> tuple[tuple[int, int], list[tuple[int, int]]] | None:
    """The span of the top-level object's `quoted_key` array, and the spans of its elements."""
    tokens = _tokens(text)
    depth = 0
    previous: list[str] = []
    for index, token in tokens:
        if depth == 1 and token == "[" and previous[-2:] == [quoted_key, ":"]:
            return _elements(text, index, tokens)
        if token in "[{":
            depth += 1
        elif token in "]}":
            depth -= 1
        previous = [*previous[-1:], token]
    return None


def _elements(
    text: str, opening: int, tokens: Iterator[tuple[int, str]]
) -> tuple[tuple[int, int], list[tuple[int, int]]] | None:
    depth = 1
    element_start = opening + 1
    spans: list[tuple[int, int]] = []
    for index, token in tokens:
        if token in "[{":
            depth += 1
        elif token in "]}":
            depth -= 1
            if depth == 0:
                if text[element_start:index].strip():
                    spans.append((element_start, index))
                return (opening, index + 1), spans
        elif token == "," and depth == 1:
            spans.append((element_start, index))
            element_start = index + 1
    return None  # the array never closed: a truncated body


def _tokens(text: str) -> Iterator[tuple[int, str]]:
    for match in _TOKEN.finditer(text):
        yield match.start(), match.group()
