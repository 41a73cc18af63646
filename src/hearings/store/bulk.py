"""Prebuilt INSERT statements executed with plain tuples: on SQLite's hot paths (apply, rebuild)
SQLAlchemy's per-row parameter processing costs more than SQLite's own work.

Only for tables whose columns need no type processing (text, integers, booleans): a `DateTime`
or `JSON` column goes through SQLAlchemy, which decides how those are stored."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, TableClause, insert
from sqlalchemy.engine import Dialect


@cache
def _statement(table: TableClause, columns: tuple[str, ...], dialect: Dialect) -> str:
    compiled = insert(table).values({c: None for c in columns}).compile(dialect=dialect)
    return str(compiled)


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
    dialect = connection.dialect
    if dialect.paramstyle == "qmark":
        connection.exec_driver_sql(_statement(table, tuple(columns), dialect), values)
    else:  # PostgreSQL is not where local speed shows: SQLAlchemy's executemany, with mappings
        connection.execute(insert(table), [dict(zip(columns, v, strict=True)) for v in values])
