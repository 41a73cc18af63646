"""Which migration a database is at, read without writing a byte, and whether this version of
hearings can work on it: an empty database, a known revision (current or to be migrated), or a
refusal in one sentence (a newer or unknown revision, or a database that is not a hearings one).
"""

from __future__ import annotations

import ast
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, inspect, text

from hearings.errors import UnknownSchema
from hearings.store.schema import metadata

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"
_VERSION_QUERY = "SELECT version_num FROM alembic_version"
# Tables every schema revision this version knows has; a database without them is not ours.
CORE_TABLES = frozenset({"hearings", "committees", "members", "update_logs", "sync_state"})
# What a SQLite file holds besides its own tables.
_SQLITE_INTERNAL = ("sqlite_",)
WHAT_TO_DO = (
    "upgrade hearings to the version that made it (pip install --upgrade hearings), or restore "
    "a backup this version made (`hearings backup list`, then `hearings backup restore PATH`)"
)


@dataclass(frozen=True)
class SchemaVersion:
    """The revision a database is at (None: empty, nothing created yet) and this version's head."""

    revision: str | None
    head: str

    @property
    def needs_migration(self) -> bool:
        return self.revision != self.head


@cache
def known_revisions() -> tuple[str, tuple[str, ...]]:
    """This version's head revision and every revision it knows, oldest first.

    Read from the migration files' `revision` and `down_revision` assignments rather than by
    alembic's `ScriptDirectory`: every command checks the schema, and importing alembic's script
    machinery (mako, pygments) would add a fifth to its start-up. A test holds the two equal."""
    parents: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        assigned = {
            target.id: node.value
            for node in ast.parse(path.read_text(encoding="utf-8")).body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        revision, parent = assigned.get("revision"), assigned.get("down_revision")
        if isinstance(revision, ast.Constant) and isinstance(parent, ast.Constant):
            parents[str(revision.value)] = None if parent.value is None else str(parent.value)
    ordered: list[str] = []
    following = {parent: child for child, parent in parents.items()}
    current = following.get(None)
    while current is not None:
        ordered.append(current)
        current = following.get(current)
    if not ordered or len(ordered) != len(parents):  # pragma: no cover - ships one linear chain
        raise RuntimeError("hearings' migrations are not one chain of revisions")
    return ordered[-1], tuple(ordered)


def judge_schema(
    label: str, tables: Iterable[str], versions: list[str] | None, *, shared: bool
) -> SchemaVersion:
    """Decide from a database's table names and its `alembic_version` rows (None: no such table).

    `shared` databases (PostgreSQL) may hold other applications' tables; a SQLite file that holds
    tables but none of ours is somebody else's database."""
    head, known = known_revisions()
    names = {t for t in tables if not t.startswith(_SQLITE_INTERNAL)}
    if versions is None or not versions:
        ours = names & (CORE_TABLES | _head_tables())
        if ours:
            raise _refusal(
                label,
                f"has hearings tables ({', '.join(sorted(ours))}) but no schema version, so this "
                "version of hearings cannot tell what it holds",
                WHAT_TO_DO,
            )
        if names - {VERSION_TABLE} and not shared:
            raise _refusal(
                label,
                f"is not a hearings database (it holds other tables: {_some(names)})",
                "point DATABASE_URL at a hearings database or at a new file",
            )
        return SchemaVersion(None, head)
    if len(versions) > 1 or versions[0] not in known:
        shown = ", ".join(repr(v) for v in versions[:3])
        raise _refusal(
            label,
            f"was made by a newer or unknown version of hearings (schema revision {shown}; this "
            f"version knows {known[0]} to {head}), so it was left untouched",
            WHAT_TO_DO,
        )
    # At the head every table is this version's own: one missing (a witnesses table dropped)
    # passed when only the core ones were looked for, and failed later commands, a rebuild as
    # an internal error. An older revision's are checked by its migrations (a later one may
    # rename a table).
    missing = _head_tables() - names if versions[0] == head else set()
    if missing:
        raise _refusal(
            label,
            f"says it is at schema revision {versions[0]!r} but lacks the tables "
            f"{', '.join(sorted(missing))}, so it is not a sound hearings database",
            WHAT_TO_DO,
        )
    return SchemaVersion(versions[0], head)


def _head_tables() -> frozenset[str]:
    return frozenset(metadata.tables)


def _refusal(label: str, clause: str, advice: str) -> UnknownSchema:
    refused = UnknownSchema(f"The database {label} {clause}; {advice}.")
    refused.clause = clause
    return refused


def _some(names: set[str]) -> str:
    listed = sorted(names)
    return ", ".join(listed[:5]) + (f" and {len(listed) - 5} more" if len(listed) > 5 else "")


def sqlite_schema_version(
    path: Path, *, label: str | None = None, immutable: bool = False
) -> SchemaVersion:
    """The schema version of a SQLite file, read through a read-only connection; `immutable`
    (for files nothing can change, like a backup or a read-only mount) takes no locks and
    creates no -wal or -shm beside the file."""
    uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro" + ("&immutable=1" if immutable else "")
    connection = sqlite3.connect(uri, uri=True, timeout=30)
    try:
        tables = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        versions = None
        if VERSION_TABLE in tables:
            versions = [str(row[0]) for row in connection.execute(_VERSION_QUERY)]
    finally:
        connection.close()
    return judge_schema(label or str(path), tables, versions, shared=False)


def engine_schema_version(engine: Engine, label: str) -> SchemaVersion:
    """The schema version of the database behind `engine` (reads only)."""
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        versions = None
        if VERSION_TABLE in tables:
            versions = [str(row[0]) for row in connection.execute(text(_VERSION_QUERY))]
    return judge_schema(label, tables, versions, shared=engine.dialect.name != "sqlite")
