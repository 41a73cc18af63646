"""payload archive: every distinct version of every admitted record

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 09:00:00

Frozen: the table is spelled out here, not taken from the live schema. Existing databases start
archiving with their next update.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payload_archive",
        sa.Column("version_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("identifier", sa.String(128), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("update_date", sa.DateTime(), nullable=True),
        sa.Column("locator", sa.JSON(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("version_id", name="pk_payload_archive"),
        sa.UniqueConstraint(
            "entity", "identifier", "content_hash", name="uq_payload_archive_version"
        ),
    )
    op.create_index(
        "ix_payload_archive_record", "payload_archive", ["entity", "identifier", "first_seen_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_payload_archive_record", table_name="payload_archive")
    op.drop_table("payload_archive")
