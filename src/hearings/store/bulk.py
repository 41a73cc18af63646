"""Prebuilt INSERT statements executed with plain tuples: on SQLite's hot paths (apply, rebuild)
SQLAlchemy's per-row parameter processing costs more than SQLite's own work. Each column's own
type still converts its values (a `DateTime` is stored exactly as SQLAlchemy stores it); only the
per-row machinery is skipped. Other databases take SQLAlchemy's executemany."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Boolean, Connection, Table, TableClause, bindparam, insert
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect

Converter = Callable[[Any], Any] | None


# Built once per table, columns and dialect kind (keyed by the dialect's name, not the object:
# every SQLite engine compiles them alike).
_CONVERTERS: dict[tuple[Any, ...], list[Converter]] = {}
_STATEMENTS: dict[tuple[Any, ...], str | None] = {}


def _compiled(statement: Any, columns: tuple[str, ...], dialect: Dialect) -> str | None:
    """The statement's SQL, when its parameters are exactly `columns` in order (a column with a
    Python-side default adds one of its own: such rows take SQLAlchemy's path)."""
    compiled = statement.compile(dialect=dialect)
    return str(compiled) if tuple(compiled.positiontup or ()) == columns else None


def _converters(table: TableClause, columns: tuple[str, ...], dialect: Dialect) -> list[Converter]:
    cache_key = (table.name, columns, dialect.name)
    if cache_key not in _CONVERTERS:
        converters: list[Converter] = []
        for name in columns:
            kind = table.c[name].type
            # sqlite3 stores a bool as the 0 or 1 SQLAlchemy's Boolean would write.
            plain = isinstance(kind, Boolean) and dialect.name == "sqlite"
            impl = kind.dialect_impl(dialect)
            convert: Converter = None if plain else impl.bind_processor(dialect)
            if convert is not None and _default_sqlite_datetime(impl):
                convert = _sqlite_datetime_text(convert)
            converters.append(convert)
        _CONVERTERS[cache_key] = converters
    return _CONVERTERS[cache_key]


def _default_sqlite_datetime(impl: Any) -> bool:
    return (
        isinstance(impl, sqlite.DATETIME)
        and impl._storage_format == sqlite.DATETIME._storage_format
    )


def _sqlite_datetime_text(slow: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """SQLAlchemy's text for a naive date-time on SQLite (`2025-05-22 14:30:00.000000`), which
    `isoformat` writes at a fraction of the cost of SQLAlchemy's own formatting; anything else
    takes SQLAlchemy's way."""

    def convert(value: Any) -> Any:
        if type(value) is datetime and value.tzinfo is None:
            return value.isoformat(" ", "microseconds")
        return slow(value)

    return convert


def _insert_sql(table: TableClause, columns: tuple[str, ...], dialect: Dialect) -> str | None:
    cache_key = ("insert", table.name, columns, dialect.name)
    if cache_key not in _STATEMENTS:
        statement = insert(table).values({c: bindparam(c) for c in columns})
        _STATEMENTS[cache_key] = _compiled(statement, columns, dialect)
    return _STATEMENTS[cache_key]


def _upsert_sql(
    table: Table,
    columns: tuple[str, ...],
    key: tuple[str, ...],
    updated: tuple[str, ...],
    dialect: Dialect,
) -> str | None:
    cache_key = ("upsert", table.name, columns, key, updated, dialect.name)
    if cache_key not in _STATEMENTS:
        statement = sqlite.insert(table).values({c: bindparam(c) for c in columns})
        if updated:
            statement = statement.on_conflict_do_update(
                index_elements=list(key), set_={c: statement.excluded[c] for c in updated}
            )
        else:
            statement = statement.on_conflict_do_nothing(index_elements=list(key))
        _STATEMENTS[cache_key] = _compiled(statement, columns, dialect)
    return _STATEMENTS[cache_key]


def _values(
    table: TableClause, columns: tuple[str, ...], rows: Iterable[Sequence[Any]], dialect: Dialect
) -> list[Sequence[Any]]:
    converting = [(i, c) for i, c in enumerate(_converters(table, columns, dialect)) if c]
    if not converting:
        return list(rows)
    converted: list[Sequence[Any]] = []
    for row in rows:
        values = list(row)
        for index, convert in converting:
            values[index] = convert(values[index])
        converted.append(tuple(values))
    return converted


def tuple_getter(columns: Sequence[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """A row's values in `columns` order, as a tuple (at C speed: this is on every write's
    path), one column included."""
    if len(columns) == 1:
        only = columns[0]
        return lambda row: (row[only],)
    return itemgetter(*columns)


def row_tuples(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """Each row's values in `columns` order."""
    return list(map(tuple_getter(columns), rows))


def insert_tuples(
    connection: Connection,
    table: TableClause,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """Insert rows given as tuples in `columns` order, with one executemany."""
    values = list(rows)
    if not values:
        return
    dialect, names = connection.dialect, tuple(columns)
    sql = _insert_sql(table, names, dialect) if dialect.name == "sqlite" else None
    if sql is not None:
        connection.exec_driver_sql(sql, _values(table, names, values, dialect))
    else:
        connection.execute(insert(table), [dict(zip(names, v, strict=True)) for v in values])


def upsert_tuples_sqlite(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    key: Sequence[str],
    updated: Sequence[str],
) -> bool:
    """SQLite: insert rows, or update the `updated` columns where the key exists (none: leave
    the stored row alone), with one executemany. False, having done nothing, when the table's
    defaults need SQLAlchemy's own path."""
    values = list(rows)
    dialect, names = connection.dialect, tuple(columns)
    sql = _upsert_sql(table, names, tuple(key), tuple(updated), dialect)
    if sql is None:
        return False
    if values:
        connection.exec_driver_sql(sql, _values(table, names, values, dialect))
    return True
