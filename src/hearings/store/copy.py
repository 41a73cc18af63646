"""Copying a whole database from one backend to the other (SQLite ⇄ PostgreSQL).

The target is migrated to the current schema first, then every table is streamed across in
chunks, parents before children, in one transaction on the target: a failed copy leaves the
target as it was. Row counts are compared before that transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    Table,
    Text,
    bindparam,
    cast,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.engine import make_url

from hearings.config import sqlite_query_problem, unparsable_database_url
from hearings.errors import HearingsError, UsageError
from hearings.store import schema
from hearings.store.engine import is_sqlite, sqlite_file
from hearings.store.opening import open_database
from hearings.store.postgres import reset_sequences
from hearings.store.writer_lock import writer_lock

CHUNK_SIZE = 2000

# Progress callback: (table name, rows copied so far, rows in the table).
CopyProgress = Callable[[str, int, int], None]


class CopyMismatch(HearingsError):
    """The target's row counts differ from the source's; the copy was rolled back."""


def copy_database(
    from_url: str,
    to_url: str,
    *,
    replace: bool = False,
    chunk_size: int = CHUNK_SIZE,
    progress: CopyProgress | None = None,
) -> dict[str, int]:
    """Copy every table of `from_url` into `to_url` and return the row count of each table.

    The source is migrated to the current schema like for every command. A target that holds
    rows is refused unless `replace` is true; then its rows are replaced in the same
    transaction as the copy."""
    for name, url in (("--from", from_url), ("--to", to_url)):
        _require_a_lasting_database(name, url)
    if _same_database(from_url, to_url):
        raise UsageError("--from and --to name the same database; copy into another one.")
    source_file = sqlite_file(from_url)
    if source_file is not None and not source_file.exists():
        # Opening it would create it empty, and an empty copy would replace the target's rows.
        raise UsageError(f"There is no database at {source_file} to copy (--from).")
    source = open_database(from_url, allow_read_only=True)
    try:
        target = open_database(to_url)
        try:
            return _copy(source, target, to_url, replace, chunk_size, progress)
        finally:
            target.dispose()
    finally:
        source.dispose()


def _copy(
    source: Engine,
    target: Engine,
    to_url: str,
    replace: bool,
    chunk_size: int,
    progress: CopyProgress | None,
) -> dict[str, int]:
    tables = list(schema.metadata.sorted_tables)
    # No import or update may write to the target while it is being filled.
    with writer_lock(target, to_url), _snapshot(source) as reading, target.begin() as writing:
        expected = table_counts(reading, tables)
        present = table_counts(writing, tables)
        if any(present.values()):
            if not replace:
                rows = sum(present.values())
                raise UsageError(
                    f"The target database already holds {rows} rows; copy into an empty "
                    "database, or rerun with --replace to overwrite it."
                )
            for table in reversed(tables):
                writing.execute(delete(table))
        for table in tables:
            _copy_table(reading, writing, table, chunk_size, expected[table.name], progress)
        if writing.dialect.name == "postgresql":
            reset_sequences(writing, tables)
        _rebuild_search_index(writing)
        copied = table_counts(writing, tables)
        wrong = [name for name in expected if copied[name] != expected[name]]
        if wrong:
            detail = ", ".join(f"{n}: {copied[n]} of {expected[n]}" for n in wrong)
            raise CopyMismatch(
                f"The copy did not verify ({detail}); it was rolled back and the target is "
                "unchanged."
            )
    return copied


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A read transaction that sees one consistent state of the source for the whole copy."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        # SQLite: the engine begins a real transaction, which in WAL mode is a snapshot.
        with connection.begin():
            yield connection


def table_counts(connection: Connection, tables: Sequence[Table] | None = None) -> dict[str, int]:
    """Rows per table, for every table of the schema (or the ones given)."""
    chosen = list(tables) if tables is not None else list(schema.metadata.sorted_tables)
    return {
        table.name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
        for table in chosen
    }


def _copy_table(
    reading: Connection,
    writing: Connection,
    table: Table,
    chunk_size: int,
    total: int,
    progress: CopyProgress | None,
) -> None:
    # JSON travels as its text, so SQL NULL stays NULL, JSON null stays null, and key order and
    # number formatting are kept exactly.
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    selected = [cast(c, Text).label(c.name) if c.name in json_columns else c for c in table.columns]
    query = select(*selected).order_by(*table.primary_key.columns)
    statement = insert(table).values(
        {name: _json_parameter(name, writing.dialect.name) for name in json_columns}
    )
    done = 0
    result = reading.execution_options(yield_per=chunk_size).execute(query)
    for partition in result.partitions():
        rows = [dict(row._mapping) for row in partition]
        if json_columns:
            writing.execute(statement, rows)
        else:
            writing.execute(insert(table), rows)
        done += len(rows)
        if progress is not None:
            progress(table.name, done, total)
    if progress is not None and done == 0:
        progress(table.name, 0, total)


def _json_parameter(name: str, dialect_name: str) -> Any:
    parameter = bindparam(name, type_=Text)
    # SQLite keeps JSON as text already; PostgreSQL turns the text back into its json type.
    return cast(parameter, JSON) if dialect_name == "postgresql" else parameter


def _rebuild_search_index(connection: Connection) -> None:
    # The search index is derived from the tables, so it is rebuilt rather than copied.
    from hearings.store.search_index import rebuild_search_index

    rebuild_search_index(connection)


def _require_a_lasting_database(name: str, database_url: str) -> None:
    unreadable = unparsable_database_url(database_url, name) or sqlite_query_problem(
        database_url, name
    )
    if unreadable:
        raise UsageError(f"{unreadable}.")
    if is_sqlite(database_url) and sqlite_file(database_url) is None:
        raise UsageError(
            f"{name} names an in-memory SQLite database, which holds nothing once the copy ends; "
            "name a file, e.g. sqlite:///hearings.db."
        )


def _same_database(first: str, second: str) -> bool:
    a, b = make_url(first), make_url(second)
    if a.get_backend_name() != b.get_backend_name():
        return False
    files = sqlite_file(first), sqlite_file(second)
    if files[0] is not None and files[1] is not None:
        return files[0].resolve() == files[1].resolve()
    return (a.host, a.port, a.database) == (b.host, b.port, b.database)
