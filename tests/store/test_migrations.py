"""Migrations are frozen: each carries its own SQL and imports no application code, so a
migration written long ago does the same thing on someone's database today. Freezing them changed
nothing: a fresh database gets the schema they made before (tests/store/schema/), and a database
from before the search index, or from before its rowids, ends with the same index as ever."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from hearings.store.engine import create_db_engine
from hearings.store.opening import open_database
from hearings.store.schema_version import MIGRATIONS_DIR, known_revisions
from hearings.store.search_index import rebuild_search_index
from tests.store.migration_steps import FROZEN_AT, downgrade, search_rows, upgrade
from tests.store.schema_dump import SNAPSHOTS, sqlite_schema
from tests.sync.site import copy_database

VERSIONS = sorted((MIGRATIONS_DIR / "versions").glob("*.py"))


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
            found.add("__import__")
    return found


@pytest.mark.parametrize("path", VERSIONS, ids=lambda p: p.stem)
def test_a_migration_imports_only_alembic_sqlalchemy_and_the_standard_library(path: Path) -> None:
    # The standard library does not change under a migration; application code does.
    allowed = {"alembic", "sqlalchemy", *sys.stdlib_module_names}
    imported = imported_modules(path)
    assert {m for m in imported if m.split(".")[0] not in allowed} == set()


def test_every_migration_is_checked() -> None:
    assert [p.stem[:4] for p in VERSIONS][:4] == ["0001", "0002", "0003", "0004"]


def test_a_fresh_database_gets_the_schema_of_before_the_freeze(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        upgrade(engine, FROZEN_AT)
        assert sqlite_schema(engine) == (SNAPSHOTS / "sqlite.txt").read_text()
    finally:
        engine.dispose()


@pytest.fixture
def database(imported_119: Path, tmp_path: Path) -> Iterator[Engine]:
    """An imported database whose index is what the migrations built before the freeze: a
    rebuild from the tables."""
    copy_database(imported_119, tmp_path / "hearings.db")
    engine = create_db_engine(f"sqlite:///{tmp_path / 'hearings.db'}")
    with engine.begin() as connection:
        rebuild_search_index(connection)
    yield engine
    engine.dispose()


def test_a_database_from_before_the_search_index_gets_the_index_built(database: Engine) -> None:
    expected = search_rows(database)
    assert len(expected) == 150
    downgrade(database, "0001")
    upgrade(database)
    assert search_rows(database) == expected


def test_a_database_from_before_search_rowids_gets_every_row_under_its_rowid(
    database: Engine,
) -> None:
    expected = search_rows(database)
    downgrade(database, "0003")
    with database.begin() as connection:
        # Before 0004, FTS5 numbered the rows itself.
        connection.execute(text("CREATE TEMP TABLE old AS SELECT * FROM hearing_search"))
        connection.execute(text("DELETE FROM hearing_search"))
        connection.execute(text("INSERT INTO hearing_search SELECT * FROM old"))
    assert search_rows(database) != expected
    upgrade(database)
    assert search_rows(database) == expected


def test_opening_a_database_from_before_the_index_migrates_it(database: Engine) -> None:
    expected = search_rows(database)
    downgrade(database, "0001")
    engine = open_database(str(database.url))
    try:
        assert search_rows(engine) == expected
    finally:
        engine.dispose()


def test_the_revisions_read_from_the_files_are_alembics() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    oldest_first = tuple(reversed([r.revision for r in script.walk_revisions()]))
    assert known_revisions() == (script.get_current_head(), oldest_first)
    assert len(oldest_first) == len(VERSIONS)


def test_a_meeting_that_went_back_before_0010_gets_its_current_version_archived(
    database: Engine,
) -> None:
    """Before 0010 a meeting back at an earlier content only marked that version seen again, so
    its newest archived row was content it had left; the migration archives its current one."""
    downgrade(database, "0009")
    with database.begin() as connection:
        event_id, content_hash = connection.execute(
            text("SELECT event_id, content_hash FROM hearings ORDER BY event_id LIMIT 1")
        ).one()
        # The version it had left: newer in the archive than the content it holds now.
        connection.execute(
            text(
                "INSERT INTO payload_archive (entity, identifier, content_hash, payload,"
                " update_date, locator, first_seen_at, last_seen_at, run_id)"
                " SELECT entity, identifier, 'left-behind', payload, update_date, locator,"
                " first_seen_at, first_seen_at, run_id FROM payload_archive"
                " WHERE entity = 'meeting' AND identifier = :event_id"
            ),
            {"event_id": event_id},
        )
    upgrade(database)
    with database.connect() as connection:
        hashes = (
            connection.execute(
                text(
                    "SELECT content_hash FROM payload_archive WHERE entity = 'meeting'"
                    " AND identifier = :event_id ORDER BY version_id"
                ),
                {"event_id": event_id},
            )
            .scalars()
            .all()
        )
        returned = connection.execute(
            text("SELECT count(*) FROM payload_archive WHERE run_id IS NULL AND entity = 'meeting'")
        ).scalar_one()
    assert hashes == [content_hash, "left-behind", content_hash]
    assert returned == 1  # no other meeting changed
