"""Text from the data as a terminal may show it: control characters made visible, never obeyed.

A name from the API can carry an escape sequence ("Evil\\x1b[31mRed"): printed as it is, it would
recolour, move the cursor, retitle the window or worse. Each C0 control but the layout ones (tab,
newline) becomes its Unicode Control Picture (ESC shows as "␛", carriage return as "␍"), which
says what upstream sent in one column and keeps the rest readable; DEL becomes "␡". C1 controls
(U+0080-U+009F, CSI among them) have no pictures and become U+FFFD.
"""

from __future__ import annotations

_LAYOUT = {ord("\t"), ord("\n")}
_SHOWN: dict[int, int] = {
    **{code: 0x2400 + code for code in range(0x20) if code not in _LAYOUT},
    0x7F: 0x2421,
    **{code: 0xFFFD for code in range(0x80, 0xA0)},
}


def printable(text: str) -> str:
    """`text` with every control character but tab and newline replaced by a visible one."""
    return text.translate(_SHOWN)
