"""Standard output as the commands need it, however the process was started: closed (`>&-`),
on a full disk, a broken pipe, or a terminal or locale whose encoding is not UTF-8. Each ends a
command in one sentence (or, for a reader that went away, silently with exit 1, as typer does),
never as an internal error or Python's exit status 120."""

from __future__ import annotations

import codecs
import errno
import io
import os
import sys


class OutputClosed(OSError):
    """Standard output was closed when the process started, so nothing can be written to it."""


class _ClosedOutput(io.TextIOBase):
    """What stands for standard output when the process has none. Python leaves `sys.stdout`
    None then, and every `sys.stdout.write` of an export or `--json` was an AttributeError (an
    internal error), while rich wrote nothing and the command exited 0."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OutputClosed(errno.EBADF, "standard output is closed")


def prepare_standard_output() -> None:
    """Make standard output one the commands can write to, or one that says why not."""
    if sys.stdout is None:
        sys.stdout = _ClosedOutput()
        return
    if not isinstance(sys.stdout, io.TextIOWrapper) or _is_utf8(sys.stdout.encoding):
        return  # a test's StringIO, or already UTF-8
    if sys.stdout.isatty():
        # A terminal in another encoding (PYTHONIOENCODING=ascii, a latin-1 locale) cannot show
        # a curly quote or a check mark: it gets an escape instead of an internal error.
        sys.stdout.reconfigure(errors="backslashreplace")
    else:
        # A file or a program reads the output: the bytes `--output` would write, in UTF-8.
        sys.stdout.reconfigure(encoding="utf-8")


def flush_standard_output() -> None:
    """Write out what standard output still buffers, so that a full disk fails here, where the
    command's errors become sentences: at exit Python would only set the exit status to 120."""
    sys.stdout.flush()


def discard_pending_output() -> None:
    """After a failure to write standard output: drop what it still buffers, so that the exit
    status stays the command's (Python's flush at exit would fail again and make it 120)."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        try:
            descriptor = sys.stdout.fileno()
        except (OSError, ValueError):
            return
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, descriptor)
        os.close(null)


def _is_utf8(encoding: str | None) -> bool:
    try:
        return codecs.lookup(encoding or "").name == "utf-8"
    except LookupError:
        return False
