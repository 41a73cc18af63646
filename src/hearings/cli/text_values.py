"""Text arguments and options: bytes that are not UTF-8 are a usage error (exit 2), one sentence,
instead of a crash where the text is first encoded (an SQL parameter, a host name)."""

from __future__ import annotations

import typer

from hearings.config_values import is_utf8_text


def utf8_text(value: str) -> str:
    """Typer's parser for a text option: Python hands non-UTF-8 bytes of argv over as lone
    surrogates, which no query, URL or socket address can carry."""
    if not is_utf8_text(value):
        raise typer.BadParameter("it holds bytes that are not UTF-8 text; give it again in UTF-8")
    return value
