"""Text from the data as a terminal may show it: control characters made visible, never obeyed.

A name from the API can carry an escape sequence ("Evil\\x1b[31mRed"): printed as it is, it would
recolour, move the cursor, retitle the window or worse. Each C0 control but the layout ones (tab,
newline) becomes its Unicode Control Picture (ESC shows as "␛", carriage return as "␍"), which
says what upstream sent in one column and keeps the rest readable; DEL becomes "␡". C1 controls
(U+0080-U+009F, CSI among them) have no pictures and become U+FFFD, and so do the characters that
reorder or break a line where a terminal shows them: the bidirectional embeddings, overrides and
isolates (U+202A-U+202E, U+2066-U+2069: "Trojan Source" text reads one way and is another) and the
line and paragraph separators (U+2028, U+2029).
"""

from __future__ import annotations

_LAYOUT = {ord("\t"), ord("\n")}
_SHOWN: dict[int, int] = {
    **{code: 0x2400 + code for code in range(0x20) if code not in _LAYOUT},
    0x7F: 0x2421,
    **{code: 0xFFFD for code in range(0x80, 0xA0)},
    **{code: 0xFFFD for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029)},
}


def printable(text: str) -> str:
    """`text` with every control character but tab and newline replaced by a visible one, one
    character for one."""
    return text.translate(_SHOWN)
