"""Moving a real database between migrations with Alembic, the way `hearings` itself does."""

from __future__ import annotations

from typing import Any

from alembic import command
from sqlalchemy import Engine, text

from hearings.store.opening import alembic_config

#: The newest migration when the migrations were frozen; the schema snapshots are taken there.
FROZEN_AT = "0004"


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def search_rows(engine: Engine) -> list[tuple[Any, ...]]:
    """The search index as stored: on SQLite with each row's FTS5 rowid."""
    rowid = "rowid, " if engine.dialect.name == "sqlite" else ""
    sql = (
        f"SELECT {rowid}event_id, title, witnesses, organizations, positions, committees, "  # noqa: S608
        "documents, bills FROM hearing_search ORDER BY event_id"
    )
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(sql))]
