"""A text dump of a database's schema, stable enough to compare one migration run with another.

SQLite: every `sqlite_master` entry with its SQL. PostgreSQL: the catalog's tables, columns
(type, nullability, default, generation expression), constraints and index definitions. The
snapshots in tests/store/schema/ were dumped from the migrations as they stood before they were
frozen (commit bbe3dcb), so a frozen migration that drifts shows up as a diff.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

SNAPSHOTS = Path(__file__).parent / "schema"


def sqlite_schema(engine: Engine) -> str:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT type, name, tbl_name, sql FROM sqlite_master "
                "WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name"
            )
        ).all()
    return "".join(f"{r.type} {r.name} on {r.tbl_name}\n  {r.sql}\n" for r in rows)


_PG_COLUMNS = """
SELECT c.table_name, c.column_name, c.ordinal_position, c.data_type,
       c.character_maximum_length, c.is_nullable, c.column_default, c.is_generated,
       c.generation_expression
FROM information_schema.columns c
WHERE c.table_schema = 'public'
ORDER BY c.table_name, c.ordinal_position
"""
_PG_CONSTRAINTS = """
SELECT t.relname AS table_name, k.conname, k.contype, pg_get_constraintdef(k.oid) AS definition
FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = 'public'
ORDER BY t.relname, k.conname
"""
_PG_INDEXES = """
SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
ORDER BY tablename, indexname
"""


def postgres_schema(engine: Engine) -> str:
    lines: list[str] = []
    with engine.connect() as connection:
        for r in connection.execute(text(_PG_COLUMNS)):
            lines.append(
                f"column {r.table_name}.{r.column_name} #{r.ordinal_position} {r.data_type}"
                f"({r.character_maximum_length}) nullable={r.is_nullable} "
                f"default={r.column_default} generated={r.is_generated} "
                f"expression={r.generation_expression}"
            )
        for r in connection.execute(text(_PG_CONSTRAINTS)):
            lines.append(f"constraint {r.table_name}.{r.conname} {r.contype} {r.definition}")
        for r in connection.execute(text(_PG_INDEXES)):
            lines.append(f"index {r.tablename}.{r.indexname} {r.indexdef}")
    return "\n".join(lines) + "\n"
