"""Text from the API keeps its direction controls to itself on a page.

A bidirectional embedding, override or isolate (U+202A-U+202E, U+2066-U+2068) lasts until its
closing control or the end of the paragraph, and an inline element does not end it. A title
that opens one and never closes it therefore reversed whatever the page shows after it in the
same block: the status, the committees, the date ("Trojan Source" text). Each value a page
shows is closed where it ends; the value itself is shown exactly as it came."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from hearings.direction_controls import closing_controls


def closed(value: Any) -> Any:
    """`value` with whatever direction it leaves open closed at its end; the templates'
    `finalize`, so every value a page prints goes through it. Markup stays Markup."""
    if not isinstance(value, str):
        return value
    closing = closing_controls(value)
    if not closing:
        return value
    return Markup(value + closing) if isinstance(value, Markup) else value + closing
