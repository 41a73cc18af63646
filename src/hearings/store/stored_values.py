"""The check of stored values on SQLite (`hearings verify`'s `values`, and a backup restore):
every text is UTF-8, and every value a column's type converts on reading (date-times, dates,
JSON) reads back. SQLite stores whatever it is given, and its integrity check reads a file's
structure, not the values in it: a date-time damaged on disk or written by hand in another form
passed both, then failed every command that read its row, verify included. PostgreSQL checks
each value against its column's type as it is written. Archived payloads have a check of their
own (`archive`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    String,
    cast,
    func,
    select,
)

from hearings.errors import quoted
from hearings.store import schema

# Values named in the finding at most; the count covers the rest.
_NAMED = 20


def unreadable_values(connection: Connection) -> tuple[int, list[str]]:
    """How many stored values cannot be read back, and the first few named: `hearings.start_at
    of 118278: 'garbage' (Invalid isoformat string)`."""
    count, named = 0, list[str]()
    for table in schema.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        for column in table.columns:
            if not key:
                break
            stored_as = _number_storage(column.type)
            if stored_as is not None:
                # SQLite keeps text in a number column ('many' for a count) as text.
                wrong = func.typeof(column).not_in(stored_as)
                rows = connection.execute(select(*key, column.label("raw")).where(wrong))
                for row in rows:
                    count += 1
                    if len(named) < _NAMED:
                        named.append(_named(table.name, column.name, row, "not a number"))
                continue
            read = _reader(connection, column)
            if read is None:
                continue
            # The value as stored, as bytes: the driver fails a whole query on text not UTF-8.
            raw = cast(column, LargeBinary).label("raw")
            rows = connection.execute(
                select(*key, raw).where(column.is_not(None)).execution_options(yield_per=1_000)
            )
            for row in rows:
                problem = _problem(read, row.raw)
                if problem is None:
                    continue
                count += 1
                if len(named) < _NAMED:
                    named.append(_named(table.name, column.name, row, problem))
    return count, named


def _number_storage(kind: Any) -> tuple[str, ...] | None:
    """What SQLite may hold in a number column (its `typeof`); None for other columns."""
    if isinstance(kind, Integer | Boolean):
        return ("integer", "null")
    if isinstance(kind, Numeric | Float):
        return ("real", "integer", "null")
    return None


def _named(table: str, column: str, row: Any, problem: str) -> str:
    """`hearings.start_at of 118278: 'garbage' (Invalid isoformat string)`."""
    which = "/".join(str(part) for part in row[:-1])
    value = row.raw.decode("utf-8", "replace") if isinstance(row.raw, bytes) else row.raw
    return f"{table}.{column} of {which}: {quoted(value, 40)} ({problem})"


def _reader(connection: Connection, column: Column[Any]) -> Callable[[Any], Any] | None:
    """How the program reads the column's text: its type's conversion, or none for plain text;
    None for a column that holds no text."""
    kind = column.type
    if isinstance(kind, LargeBinary):
        return None
    dialect = connection.dialect
    convert = kind.dialect_impl(dialect).result_processor(dialect, None)
    if convert is None and not isinstance(kind, String):
        return None
    return convert or str


def _problem(read: Callable[[Any], Any], value: Any) -> str | None:
    try:
        text = bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8 text"
    try:
        read(text)
    except (ValueError, TypeError, OverflowError) as exc:  # json's errors are ValueErrors
        return str(exc).splitlines()[0][:80] or type(exc).__name__
    return None
