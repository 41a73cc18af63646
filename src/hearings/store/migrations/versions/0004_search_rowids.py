"""key SQLite's full-text rows by rowid

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 12:55:00

FTS5 finds rows only by rowid, so index rows are now stored under a rowid derived from the event
id. The old rows are dropped here; the migration environment (`env.py`) rebuilds the emptied index
with the current code, which puts every row under its rowid. PostgreSQL keys its table by event_id
already and needs nothing.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DELETE FROM hearing_search")


def downgrade() -> None:
    pass
