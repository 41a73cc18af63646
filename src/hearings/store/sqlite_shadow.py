"""A shadow SQLite file for a rebuild: the schema of the database it will replace, copied as SQLite
holds it, and chosen tables copied whole, in SQLite itself.

The schema is copied rather than made by the migrations: the database was brought to this
version's schema when it was opened, and running every migration again on an empty file cost
0.5–0.7 s, a quarter of a 5,000-meeting rebuild."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

# The tables an FTS5 table keeps its index in: its own CREATE VIRTUAL TABLE makes them.
_FTS5_PARTS = ("_data", "_idx", "_content", "_docsize", "_config")
# Rows the schema itself holds: the migration it is at, and the FTS5 settings.
_SCHEMA_ROWS = ("alembic_version",)


def unjournaled(raw: Any) -> None:
    """No write-ahead log and no syncs while the shadow is built: every page is written once,
    and nothing waits for the disk. A crash loses only the shadow, which is never used
    unfinished (it is synced before it replaces the database). Foreign keys are checked once the
    shadow is built; a large page cache spares re-reading index pages."""
    raw.execute("PRAGMA journal_mode=MEMORY")
    raw.execute("PRAGMA synchronous=OFF")
    raw.execute("PRAGMA cache_size=-262144")
    raw.execute("PRAGMA foreign_keys=OFF")


def make_shadow(database: Path, shadow: Path, tables: Sequence[Any]) -> None:
    """Create `shadow` with `database`'s schema and the rows of `tables` (SQLAlchemy tables,
    parents before children), in one transaction."""
    with closing(sqlite3.connect(shadow, isolation_level=None)) as raw:
        unjournaled(raw)
        raw.execute("ATTACH DATABASE ? AS previous", (str(database),))
        raw.execute("BEGIN")
        try:
            _copy_schema(raw)
            for table in tables:
                names = ", ".join(f'"{c.name}"' for c in table.columns)
                # Names from the schema, never from input.
                raw.execute(
                    f'INSERT INTO main."{table.name}" ({names}) '  # noqa: S608
                    f'SELECT {names} FROM previous."{table.name}"'
                )
            _copy_sequences(raw)
            raw.execute("COMMIT")
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        raw.execute("DETACH DATABASE previous")


def _copy_schema(raw: sqlite3.Connection) -> None:
    """Every table, index, view and trigger of `previous` (tables first, each kind in the order
    SQLite made them), and the rows that belong to the schema."""
    entries = raw.execute(
        "SELECT type, name, sql FROM previous.sqlite_master "
        "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 ELSE 3 END, "
        "rowid"
    ).fetchall()
    virtual = [name for kind, name, sql in entries if sql.upper().startswith("CREATE VIRTUAL")]
    made_by_virtual = {f"{name}{part}" for name in virtual for part in _FTS5_PARTS}
    for _kind, name, sql in entries:
        if name not in made_by_virtual:
            raw.execute(sql)
    for name in (*_SCHEMA_ROWS, *(f"{v}_config" for v in virtual)):
        # Names from the database's own schema.
        raw.execute(f'INSERT OR REPLACE INTO main."{name}" SELECT * FROM previous."{name}"')  # noqa: S608


def _copy_sequences(raw: sqlite3.Connection) -> None:
    """The next AUTOINCREMENT id of each table, as the database has it (its rows alone would
    give the highest id still present, reusing the ids of deleted rows)."""
    held = raw.execute(
        "SELECT 1 FROM previous.sqlite_master WHERE name = 'sqlite_sequence'"
    ).fetchone()
    if held:
        raw.execute("DELETE FROM main.sqlite_sequence")
        raw.execute("INSERT INTO main.sqlite_sequence SELECT * FROM previous.sqlite_sequence")
