"""The `values` and `shapes` checks as they were before SQLite told which values to read (commit
f526135): every value of every row read and converted in Python. The tests hold the checks to
these findings, value for value."""

from __future__ import annotations

import json
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
from hearings.store.json_shapes import SHAPES

_NAMED = 20


def unreadable_values(connection: Connection) -> tuple[int, list[str]]:
    count, named = 0, list[str]()
    for table in schema.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        for column in table.columns:
            if not key:
                break
            stored_as = _number_storage(column.type)
            if stored_as is not None:
                wrong = func.typeof(column).not_in(stored_as)
                for row in connection.execute(select(*key, column.label("raw")).where(wrong)):
                    count += 1
                    if len(named) < _NAMED:
                        named.append(_named(table.name, column.name, row, "not a number"))
                continue
            read = _reader(connection, column)
            if read is None:
                continue
            raw = cast(column, LargeBinary).label("raw")
            for row in connection.execute(select(*key, raw).where(column.is_not(None))):
                problem = _problem(read, row.raw)
                if problem is None:
                    continue
                count += 1
                if len(named) < _NAMED:
                    named.append(_named(table.name, column.name, row, problem))
    return count, named


def _reader(connection: Connection, column: Column[Any]) -> Callable[[Any], Any] | None:
    kind = column.type
    if isinstance(kind, LargeBinary):
        return None
    dialect = connection.dialect
    convert = kind.dialect_impl(dialect).result_processor(dialect, None)
    if convert is None and not isinstance(kind, String):
        return None
    return convert or str


def misshapen_values(connection: Connection) -> tuple[int, list[str]]:
    count, named = 0, list[str]()
    for (table_name, column_name), shape in SHAPES.items():
        table = schema.metadata.tables[table_name]
        column: Column[Any] = table.c[column_name]
        key = list(table.primary_key.columns)
        for row in connection.execute(
            select(*key, column.label("value")).where(column.is_not(None))
        ):
            problem = shape.problem(row.value)
            if problem is None:
                continue
            count += 1
            if len(named) < _NAMED:
                which = "/".join(str(part) for part in row[:-1])
                text = json.dumps(row.value, ensure_ascii=False)
                named.append(
                    f"{table_name}.{column_name} of {which}: {quoted(text, 40)} ({problem})"
                )
    return count, named


def _number_storage(kind: Any) -> tuple[str, ...] | None:
    if isinstance(kind, Integer | Boolean):
        return ("integer", "null")
    if isinstance(kind, Numeric | Float):
        return ("real", "integer", "null")
    return None


def _named(table: str, column: str, row: Any, problem: str) -> str:
    which = "/".join(str(part) for part in row[:-1])
    value = row.raw.decode("utf-8", "replace") if isinstance(row.raw, bytes) else row.raw
    return f"{table}.{column} of {which}: {quoted(value, 40)} ({problem})"


def _problem(read: Callable[[Any], Any], value: Any) -> str | None:
    try:
        text = bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8 text"
    try:
        read(text)
    except (ValueError, TypeError, OverflowError) as exc:
        return str(exc).splitlines()[0][:80] or type(exc).__name__
    return None
