"""The `.env` file, checked before pydantic-settings reads it. python-dotenv only logs a line it
cannot parse and skips it, so a key with an unclosed quote was silently missing; it waits
forever on a fifo no one writes to; and a folder or a link to nothing was silently no file."""

from __future__ import annotations

import io
import os
import re
import stat
from collections.abc import Collection
from pathlib import Path

from dotenv.parser import Binding, parse_stream

# What a file of another kind is called in a sentence.
_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe (fifo)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
}
_FIX_KIND = "make it a regular file of NAME=value lines, or set the variables in the environment"
# A value in quotes that closes on its own line (python-dotenv's own pattern, one line at most).
_CLOSED_QUOTE = re.compile(r"""=[^\S\r\n]*(?:"(?:\\.|[^"\\\r\n])*"|'(?:\\.|[^'\\\r\n])*')""")


def env_file_problem(path: Path, setting_names: Collection[str]) -> str | None:
    """Why the settings file at `path` cannot be read whole, as a clause naming the file (and,
    for a line, its number and the setting it is for); None when it can, or is not there. The
    file's text is never quoted: any line may hold the API key or a password."""
    shown = path.absolute()
    try:
        found = os.stat(path)
    except FileNotFoundError:
        if path.is_symlink():
            return (
                f"{shown} is a symbolic link to {os.readlink(path)}, which does not exist; "
                "point it at your settings file, or remove it"
            )
        return None  # no .env: the environment alone
    except OSError as exc:
        return f"{shown} cannot be read ({exc.strerror or exc})"
    if not stat.S_ISREG(found.st_mode):
        kind = _KINDS.get(stat.S_IFMT(found.st_mode), "not a regular file")
        return f"{shown} is {kind}, not a file of settings; {_FIX_KIND}"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return f"{shown} cannot be read ({exc.strerror or exc})"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (
            f".env in {shown.parent} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
            f"{exc.start:,}); save it as UTF-8"
        )
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            return _unreadable_line(shown, binding, setting_names)
    return None


def _unreadable_line(shown: Path, binding: Binding, setting_names: Collection[str]) -> str:
    # The statement's text starts with the blank lines before it; its line is the first that
    # holds something.
    statement = binding.original.string
    stripped = statement.lstrip()
    line = binding.original.line + statement[: len(statement) - len(stripped)].count("\n")
    name = re.match(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=", stripped)
    # Named only when it is one of ours: the text before a `=` could be anything, a key too.
    for_setting = (
        f" ({name.group(1).upper()})" if name and name.group(1).upper() in setting_names else ""
    )
    first_line = stripped.splitlines()[0]
    opens_quote = re.search(r"""=[^\S\r\n]*["']""", first_line) is not None
    why = (
        "its value opens a quote that is not closed on that line"
        if opens_quote and not _CLOSED_QUOTE.search(first_line)
        else "it is not NAME=value (text after a closing quote, or no =)"
    )
    return (
        f"line {line:,} of {shown}{for_setting} cannot be read: {why}, so the setting would be "
        "left out; write it as NAME=value, in quotes when the value holds spaces or #"
    )
