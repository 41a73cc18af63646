"""API text columns without length limits

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 12:40:00

Values such as a meeting's type or status are free text in the API. PostgreSQL enforces a
VARCHAR's length where SQLite does not, so a long value would have been stored on one backend and
quarantined on the other. SQLite needs no change: it never enforced the lengths.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = {
    "committees": {"chamber": 16, "committee_type": 64},
    "members": {"party": 64, "state": 64, "chamber": 32},
    "hearings": {"meeting_type": 64, "status": 32},
    "witness_documents": {"format": 32},
    "meeting_documents": {"format": 32},
    "bills": {"bill_type": 16, "number": 16},
    "printed_hearings": {"chamber": 16},
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, columns in COLUMNS.items():
        for column, length in columns.items():
            op.alter_column(table, column, type_=sa.Text(), existing_type=sa.String(length))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, columns in COLUMNS.items():
        for column, length in columns.items():
            op.alter_column(table, column, type_=sa.String(length), existing_type=sa.Text())
