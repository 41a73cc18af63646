"""Migrations run on PostgreSQL: up from nothing, down and up again, and the result matches the
schema the code declares, with the search index as a weighted tsvector behind a GIN index. Frozen,
they make the schema they made before (tests/store/schema/postgresql.txt) and the same index."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from hearings.replica import Corpus, ReplicaServer
from hearings.store.engine import create_db_engine
from hearings.store.opening import alembic_config, needs_migration, open_database
from hearings.store.schema import metadata
from hearings.store.search_index import rebuild_search_index
from tests.store.migration_steps import FROZEN_AT, downgrade, search_rows, upgrade
from tests.store.schema_dump import SNAPSHOTS, postgres_schema
from tests.sync.site import Site

pytestmark = pytest.mark.postgres


def test_an_empty_database_is_migrated_to_the_declared_schema(postgres_url: str) -> None:
    engine = open_database(postgres_url)
    try:
        assert not needs_migration(engine)
        tables = set(inspect(engine).get_table_names())
        assert set(metadata.tables) <= tables
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = [
                d
                for d in compare_metadata(context, metadata)
                # The search index is derived data that lives outside the declared tables.
                if not (d[0] == "remove_table" and d[1].name == "hearing_search")
                and not (d[0] == "remove_index" and d[1].table.name == "hearing_search")
            ]
        assert differences == []
    finally:
        engine.dispose()


def test_search_index_is_a_tsvector_with_a_gin_index(postgres_url: str) -> None:
    engine = open_database(postgres_url)
    try:
        with engine.connect() as connection:
            column_type = connection.execute(
                text(
                    "SELECT data_type FROM information_schema.columns "
                    "WHERE table_name = 'hearing_search' AND column_name = 'document'"
                )
            ).scalar_one()
            index = connection.execute(
                text("SELECT indexdef FROM pg_indexes WHERE tablename = 'hearing_search'")
            ).scalars()
            definitions = " ".join(index)
        assert column_type == "tsvector"
        assert "USING gin (document)" in definitions
    finally:
        engine.dispose()


def test_migrations_go_down_and_up_again(postgres_url: str) -> None:
    engine = open_database(postgres_url)
    try:
        config = alembic_config(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert needs_migration(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        assert not needs_migration(engine)
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


# ---- frozen migrations: the same schema and the same index as before the freeze ---------------


def test_a_fresh_database_gets_the_schema_of_before_the_freeze(postgres_url: str) -> None:
    engine = create_db_engine(postgres_url)
    try:
        upgrade(engine, FROZEN_AT)
        assert postgres_schema(engine) == (SNAPSHOTS / "postgresql.txt").read_text()
    finally:
        engine.dispose()


def test_a_database_from_before_the_search_index_gets_the_index_built(
    postgres_url: str, tmp_path: Path
) -> None:
    with ReplicaServer(Corpus.load()) as replica:
        run = Site(tmp_path, replica).hearings(
            "import", "--congress", "119", DATABASE_URL=postgres_url
        )
    assert run.code == 0, run.err
    engine = create_db_engine(postgres_url)
    try:
        with engine.begin() as connection:
            rebuild_search_index(connection)  # what the migrations built before the freeze
        expected = search_rows(engine)
        assert len(expected) == 150
        downgrade(engine, "0001")
        upgrade(engine)
        assert search_rows(engine) == expected
    finally:
        engine.dispose()
