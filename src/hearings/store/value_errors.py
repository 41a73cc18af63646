"""The sentence for a stored value that cannot be read back: SQLite keeps any value in any
column, and its integrity check reads a file's structure, not the values, so a date-time damaged
on disk (or written by another program) fails wherever its row is read. Shared by the commands'
last word (`cli.failure_sentences`) and a run's recorded failure (`sync.runner`)."""

from __future__ import annotations

import traceback

from hearings.errors import DatabaseUnreadable


class UnreadableValue(DatabaseUnreadable):
    """A stored value that cannot be read as its column's type."""


def unreadable_value(exc: BaseException) -> UnreadableValue | None:
    """The sentence when `exc` is SQLAlchemy failing to convert a fetched value into its
    column's type; None for any other error."""
    if not isinstance(exc, ValueError | TypeError | OverflowError):
        return None
    frames = traceback.extract_tb(exc.__traceback__)
    if not any(_converting(frame) for frame in frames):
        return None
    said = " ".join(str(exc).split())[:160] or type(exc).__name__
    return unreadable_value_sentence(said)


def unreadable_value_sentence(said: str) -> UnreadableValue:
    """ "A value stored in the database cannot be read (`said`); …", with what mends it."""
    return UnreadableValue(
        f"A value stored in the database cannot be read ({said.rstrip('.')}); `hearings verify` "
        "names each such value, and `hearings rebuild` or `hearings backup restore PATH` "
        "mends it."
    )


def _converting(frame: traceback.FrameSummary) -> bool:
    """A frame of SQLAlchemy turning a fetched value into its column's type."""
    where = frame.filename.replace("\\", "/")
    return (
        frame.name == "_apply_processors"
        or ("sqlalchemy/" in where and "processors" in where)
        or (where.endswith("sqlalchemy/sql/sqltypes.py") and frame.name == "process")
    )
