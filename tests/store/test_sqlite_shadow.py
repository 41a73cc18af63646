"""`make_shadow`, which a rebuild starts its new file with: the database's schema as SQLite holds
it, the rows the schema holds, and the tables asked for, without running the migrations."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text

from hearings.store import schema
from hearings.store.opening import open_database, schema_version
from hearings.store.sqlite_shadow import make_shadow


def _master(path: Path) -> list[tuple[str, str, str, str | None]]:
    with closing(sqlite3.connect(path)) as raw:
        return raw.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
        ).fetchall()


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as raw:
        return raw.execute(sql).fetchall()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "hearings.db"
    open_database(f"sqlite:///{path}").dispose()
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute(
            "INSERT INTO sync_state (congress, chamber, entity, updated_at) "
            "VALUES (119, 'house', 'meeting', '2025-01-01 00:00:00.000000')"
        )
        # A setting of the search index's own, which lives in its config table.
        raw.execute("INSERT INTO hearing_search (hearing_search, rank) VALUES ('automerge', 2)")
    return path


def test_the_shadow_has_the_databases_schema_and_version_and_the_tables_asked_for(
    database: Path, tmp_path: Path
) -> None:
    shadow = tmp_path / "shadow.db"
    make_shadow(database, shadow, [schema.sync_state])

    assert _master(shadow) == _master(database)
    config = "SELECT k, v FROM hearing_search_config ORDER BY k"
    assert _rows(shadow, config) == _rows(database, config)
    assert ("automerge", 2) in _rows(shadow, config)
    assert _rows(shadow, "SELECT congress, chamber FROM sync_state") == [(119, "house")]
    engine = open_database(f"sqlite:///{shadow}")
    try:
        assert not schema_version(engine).needs_migration
    finally:
        engine.dispose()
    # Tables not asked for are empty, and the search index works.
    assert _rows(shadow, "SELECT count(*) FROM hearings") == [(0,)]
    with closing(sqlite3.connect(shadow)) as raw, raw:
        raw.execute("INSERT INTO hearing_search (event_id, title) VALUES ('1', 'budget hearing')")
    found = "SELECT event_id FROM hearing_search WHERE hearing_search MATCH 'budget'"
    assert _rows(shadow, found) == [("1",)]


def test_an_autoincrement_table_goes_on_from_the_databases_next_id(
    database: Path, tmp_path: Path
) -> None:
    """The rows alone would give the highest id still present: a deleted row's id came back."""
    with closing(sqlite3.connect(database)) as raw, raw:
        raw.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT)")
        raw.executemany("INSERT INTO notes (body) VALUES (?)", [("a",), ("b",), ("c",)])
        raw.execute("DELETE FROM notes WHERE id = 3")
    notes = Table(
        "notes", MetaData(), Column("id", Integer, primary_key=True), Column("body", Text)
    )
    shadow = tmp_path / "shadow.db"
    make_shadow(database, shadow, [notes])

    with closing(sqlite3.connect(shadow)) as raw, raw:
        raw.execute("INSERT INTO notes (body) VALUES ('d')")
    assert _rows(shadow, "SELECT id, body FROM notes ORDER BY id") == [
        (1, "a"),
        (2, "b"),
        (4, "d"),
    ]
