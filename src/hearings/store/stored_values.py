"""The check of stored values on SQLite (`hearings verify`'s `values`, and a backup restore):
every text is UTF-8, and every value a column's type converts on reading (date-times, dates,
JSON) reads back. SQLite stores whatever it is given, and its integrity check reads a file's
structure, not the values in it: a date-time damaged on disk or written by hand in another form
passed both, then failed every command that read its row, verify included. PostgreSQL checks
each value against its column's type as it is written. Archived payloads have a check of their
own (`archive`).

One pass over each table lets SQLite tell which columns hold a value it cannot vouch for
(`store.value_suspects`); only those values are then read, in the order a plain read of the
column gives, and converted in Python as every command would."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ColumnElement,
    Connection,
    Dialect,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    and_,
    cast,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
)
from sqlalchemy.engine import processors

from hearings.errors import quoted
from hearings.store import schema
from hearings.store.value_suspects import (
    datetime_vouched,
    json_vouched,
    not_ascii,
    suspect,
    utf8_damaged,
    utf8_runs,
)

# Values named in the finding at most; the count covers the rest.
_NAMED = 20

# Rows a table is read by at a time in its one pass (the texts of a chunk are joined in memory).
_CHUNK = 10_000

Vouch = Callable[[ColumnElement[Any]], ColumnElement[bool]]


@dataclass(frozen=True)
class _ColumnCheck:
    """How one column's values are checked: a number column by its storage class alone; any
    other by reading its stored bytes as UTF-8, then with `read`, its type's conversion."""

    column: Column[Any]
    stored_as: tuple[str, ...] | None = None
    read: Callable[[Any], Any] = str
    vouched: Vouch | None = None  # None: only the encoding can be wrong

    def wrong(self, value: ColumnElement[Any]) -> ColumnElement[bool] | None:
        """The values (of `value`, this column or its copy in a chunk) SQLite cannot vouch for,
        short of their encoding; None when every value can be vouched for."""
        if self.stored_as is not None:
            # SQLite keeps text in a number column ('many' for a count) as text.
            return func.typeof(value).not_in(self.stored_as)
        return None if self.vouched is None else suspect(self.vouched(value), value)


def unreadable_values(connection: Connection) -> tuple[int, list[str]]:
    """How many stored values cannot be read back, and the first few named: `hearings.start_at
    of 118278: 'garbage' (Invalid isoformat string)`."""
    count, named = 0, list[str]()
    for table in schema.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        if not key:
            continue
        checks = _column_checks(connection.dialect, table)
        suspects = _suspects(connection, table, checks)
        for check in checks:
            where = suspects.get(check.column.name)
            if where is None:
                continue
            for row, problem in _problems(connection, key, check, where):
                count += 1
                if len(named) < _NAMED:
                    named.append(_named(table.name, check.column.name, row, problem))
    return count, named


def _column_checks(dialect: Dialect, table: Table) -> list[_ColumnCheck]:
    """A check for each column that can hold a value the program cannot read, in table order."""
    checks = []
    for column in table.columns:
        kind = column.type
        stored_as = _number_storage(kind)
        if stored_as is not None:
            checks.append(_ColumnCheck(column, stored_as=stored_as))
            continue
        if isinstance(kind, LargeBinary):
            continue
        convert = kind.dialect_impl(dialect).result_processor(dialect, None)
        if convert is None and not isinstance(kind, String):
            continue
        checks.append(_ColumnCheck(column, read=convert or str, vouched=_vouch(dialect, kind)))
    return checks


def _vouch(dialect: Dialect, kind: Any) -> Vouch | None:
    """What SQLite can vouch for of a column of type `kind`."""
    convert = kind.dialect_impl(dialect).result_processor(dialect, None)
    if convert is None:
        return None  # plain text
    if convert is processors.str_to_datetime:
        return datetime_vouched
    if isinstance(kind, JSON) and getattr(dialect, "_json_deserializer", None) in (
        None,
        json.loads,
    ):
        return json_vouched
    return lambda value: false()  # a type of another kind: Python reads every value


def _suspects(
    connection: Connection, table: Table, checks: list[_ColumnCheck]
) -> dict[str, ColumnElement[bool]]:
    """One pass over `table`, a chunk of rows at a time: for each column holding a value SQLite
    cannot vouch for, the condition that selects such values (and perhaps sound ones too)."""
    rowid = literal_column("rowid", Integer)
    texts = [table.c[check.column.name] for check in checks if check.stored_as is None]
    flags = [(check, check.wrong(check.column)) for check in checks]
    flagged = [(check, flag) for check, flag in flags if flag is not None]
    counted = select(
        *(func.max(flag) for _, flag in flagged),
        utf8_runs(texts) if texts else null(),
    )
    wrong: set[str] = set()
    damaged = False
    after: int | None = None
    while True:
        # A range of rowids, read in place: a subquery with a LIMIT would copy every row.
        bounds = [] if after is None else [rowid > after]
        upto = connection.execute(
            select(rowid)
            .select_from(table)
            .where(*bounds)
            .order_by(rowid)
            .offset(_CHUNK - 1)
            .limit(1)
        ).scalar()
        if upto is not None:
            bounds.append(rowid <= upto)
        *marks, joined = connection.execute(counted.select_from(table).where(*bounds)).one()
        wrong |= {c.column.name for (c, _), mark in zip(flagged, marks, strict=True) if mark}
        # Which column holds the text that is not UTF-8 is left to the reading of the values.
        damaged = damaged or utf8_damaged(joined)
        if upto is None:
            break
        after = upto
    return {
        check.column.name: where
        for check in checks
        if (where := _where(check, check.column.name in wrong, damaged)) is not None
    }


def _where(check: _ColumnCheck, wrong: bool, damaged: bool) -> ColumnElement[bool] | None:
    """The values of `check`'s column to read in Python, given what the pass found."""
    column = check.column
    if check.stored_as is not None:
        return check.wrong(column) if wrong else None
    parts = [check.wrong(column)] if wrong else []
    if damaged:
        parts.append(not_ascii(column))
    if not parts:
        return None
    return and_(column.is_not(None), or_(*(part for part in parts if part is not None)))


def _problems(
    connection: Connection, key: list[Column[Any]], check: _ColumnCheck, where: Any
) -> Iterator[tuple[Any, str]]:
    """Each value `where` selects that cannot be read, with its row and the reason."""
    column = check.column
    if check.stored_as is not None:
        for row in connection.execute(select(*key, column.label("raw")).where(where)):
            yield row, "not a number"
        return
    # The value as stored, as bytes: the driver fails a whole query on text not UTF-8.
    raw = cast(column, LargeBinary).label("raw")
    rows = connection.execute(select(*key, raw).where(where).execution_options(yield_per=1_000))
    for row in rows:
        problem = _problem(check.read, row.raw)
        if problem is not None:
            yield row, problem


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
