"""import lists: the lists an import read to the end, kept until it completes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 12:20:00

Frozen: the tables are spelled out here, not taken from the live schema. An import stopped by its
--max-requests budget, Ctrl-C or kill -9 resumes from these lists without reading them again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_lists",
        sa.Column("list_key", sa.String(200), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("congress", sa.Integer(), nullable=True),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("listed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("list_key", name="pk_import_lists"),
    )
    op.create_table(
        "import_list_entries",
        sa.Column("list_key", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("entry", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("list_key", "position", name="pk_import_list_entries"),
    )


def downgrade() -> None:
    op.drop_table("import_list_entries")
    op.drop_table("import_lists")
