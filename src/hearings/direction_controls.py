"""Direction controls a text leaves open, and how to close them where it ends.

A bidirectional embedding, override or isolate (U+202A-U+202E, U+2066-U+2068) lasts until its
closing control or the end of the paragraph. Text from the API that opens one and never closes it
reverses whatever follows it on its line ("Trojan Source" text): on a page, in a feed, in a
sentence that names it. Each value is closed where it ends; the value itself stays as it came."""

from __future__ import annotations

import re

_POP_DIRECTIONAL_FORMATTING = "\u202c"
_POP_DIRECTIONAL_ISOLATE = "\u2069"
_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")  # LRE, RLE, LRO, RLO: closed by PDF
_ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI, RLI, FSI: closed by PDI
_ANY_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


def closing_controls(text: str) -> str:
    """The controls that close what `text` leaves open, innermost first ("" for most text)."""
    if not _ANY_CONTROL.search(text):
        return ""
    open_controls: list[str] = []
    for character in text:
        if character in _EMBEDDINGS:
            open_controls.append(_POP_DIRECTIONAL_FORMATTING)
        elif character in _ISOLATES:
            open_controls.append(_POP_DIRECTIONAL_ISOLATE)
        elif character == _POP_DIRECTIONAL_FORMATTING:
            # As the Unicode algorithm reads it: a PDF closes an embedding opened inside the
            # innermost open isolate, and nothing else.
            if open_controls and open_controls[-1] == _POP_DIRECTIONAL_FORMATTING:
                open_controls.pop()
        elif character == _POP_DIRECTIONAL_ISOLATE and _POP_DIRECTIONAL_ISOLATE in open_controls:
            # A PDI closes its isolate and every embedding still open inside it.
            while open_controls.pop() != _POP_DIRECTIONAL_ISOLATE:
                pass
    return "".join(reversed(open_controls))


def closed_text(text: str) -> str:
    """`text` with the direction controls it leaves open closed at its end."""
    return text + closing_controls(text)
