"""key SQLite's full-text rows by rowid

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 12:55:00

FTS5 finds rows only by rowid, so index rows are now stored under a rowid derived from the event
id (`hearings.store.search_index.search_rowid`); rebuilding puts existing rows under theirs. PostgreSQL
keys its table by event_id already and needs nothing.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    from hearings.store.search_index import rebuild_search_index

    rebuild_search_index(connection)


def downgrade() -> None:
    pass
