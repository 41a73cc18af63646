"""full-text search index over meetings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 12:00:00

SQLite: an FTS5 table. PostgreSQL: a table whose weighted tsvector is a generated column, with a
GIN index. The table is created empty: its rows are derived data, which the migration environment
(`env.py`) builds with the current code once the migrations have run.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_POSTGRES_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(bills, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(witnesses, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(organizations, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(committees, '')), 'C') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(positions, '')), 'D') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(documents, '')), 'D')"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE hearing_search USING fts5("
            "event_id UNINDEXED, title, witnesses, organizations, positions, committees, "
            "documents, bills, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
    else:
        op.create_table(
            "hearing_search",
            sa.Column("event_id", sa.String(length=32), nullable=False),
            sa.Column("title", sa.Text(), nullable=True),
            sa.Column("witnesses", sa.Text(), nullable=True),
            sa.Column("organizations", sa.Text(), nullable=True),
            sa.Column("positions", sa.Text(), nullable=True),
            sa.Column("committees", sa.Text(), nullable=True),
            sa.Column("documents", sa.Text(), nullable=True),
            sa.Column("bills", sa.Text(), nullable=True),
            sa.Column(
                "document",
                sa.dialects.postgresql.TSVECTOR(),
                sa.Computed(_POSTGRES_DOCUMENT, persisted=True),
            ),
            sa.PrimaryKeyConstraint("event_id", name="pk_hearing_search"),
        )
        op.create_index(
            "ix_hearing_search_document",
            "hearing_search",
            ["document"],
            postgresql_using="gin",
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_index("ix_hearing_search_document", table_name="hearing_search")
    op.drop_table("hearing_search")
