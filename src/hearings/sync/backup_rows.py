"""Whether the rows of a SQLite backup are what hearings reads, told as one clause, before a
restore replaces anything: every table has this version's columns, every stored value reads back
(`store.stored_values`) and every JSON value has its column's shape (`store.json_shapes`), the
checks `hearings verify` calls `values` and `shapes`. The integrity check and the schema revision
say a file is a sound hearings database; they read neither columns nor values, so another
program's database with our table names, or a backup with a damaged date, was restored, and
every later command failed on it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError

from hearings.store import schema
from hearings.store.json_shapes import misshapen_values
from hearings.store.schema_version import known_revisions
from hearings.store.stored_values import unreadable_values


@dataclass(frozen=True)
class RowProblems:
    """What is wrong with a backup's rows: `clause` says it; `forceable` when only values are
    (`hearings rebuild` or a later update can mend them), not the tables' shape."""

    clause: str
    forceable: bool


def row_problems(path: Path) -> RowProblems | None:
    """The problems of the SQLite file at `path` (a hearings database: `not_restorable` passed),
    or None. A file at an older schema revision is left to its migrations, which change the
    columns; only its tables' shape would be judged against today's. Never writes to the file."""
    uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro&immutable=1"
    with sqlite3.connect(uri, uri=True) as connection:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        if revision is None or revision[0] != known_revisions()[0]:
            return None
        missing = _missing_columns(connection)
    connection.close()
    if missing:
        return RowProblems(
            f"its tables are not of the shape this version of hearings writes (it lacks "
            f"{missing}), so it is not a sound hearings database",
            forceable=False,
        )
    engine = create_engine(f"sqlite:///{uri}&uri=true")
    try:
        with engine.connect() as reading:
            unreadable, named = unreadable_values(reading)
            misshapen, named_shapes = (0, []) if unreadable else misshapen_values(reading)
    except DBAPIError as exc:
        return RowProblems(f"its rows cannot be read ({exc.orig})", forceable=False)
    finally:
        engine.dispose()
    if unreadable:
        return RowProblems(
            f"{_values(unreadable, 'stored value')} cannot be read back (the first: {named[0]})",
            forceable=True,
        )
    if misshapen:
        return RowProblems(
            f"{_values(misshapen, 'stored JSON value')} {'is' if misshapen == 1 else 'are'} not "
            f"of the shape hearings writes (the first: {named_shapes[0]})",
            forceable=True,
        )
    return None


def _missing_columns(connection: sqlite3.Connection) -> str | None:
    """`witnesses.organization` (and how many more), the columns this version's tables have that
    the file's lack; None when none is missing."""
    missing = []
    for table in schema.metadata.sorted_tables:
        # Names from the schema, never from input.
        held = {row[1] for row in connection.execute(f'PRAGMA table_info("{table.name}")')}
        missing += [f"{table.name}.{c.name}" for c in table.columns if c.name not in held]
    if not missing:
        return None
    more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
    return ", ".join(missing[:3]) + more


def _values(count: int, noun: str) -> str:
    """`it holds 1 stored value that`, `it holds 3 stored values that`."""
    return f"it holds {count:,} {noun}{'' if count == 1 else 's'} that"
