"""Alembic environment: runs on the connection handed over by `hearings.store.opening.migrate`.

Migrations are frozen: they carry their own SQL and import no application code, because that code
changes after a migration has run on someone's database. Derived data is the exception they leave
to this file: a migration that creates or invalidates the search index leaves it empty, and once
the migrations have run, the index is rebuilt here, by the code of the version being installed.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, inspect

from hearings.store.schema import metadata
from hearings.store.search_index import (
    SEARCH_TABLE,
    rebuild_search_index,
    search_index_needs_rebuild,
)

config = context.config


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as fresh:
        _run(fresh)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    rebuild_derived_data(connection)


def rebuild_derived_data(connection: Connection) -> None:
    """Fill the search index when the migrations left it empty under stored meetings."""
    if SEARCH_TABLE not in inspect(connection).get_table_names():
        return  # migrated down below the index
    if search_index_needs_rebuild(connection):
        rebuild_search_index(connection)


run_migrations()
