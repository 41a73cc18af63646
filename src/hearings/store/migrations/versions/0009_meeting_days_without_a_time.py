"""meetings whose date came without a time

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 10:00:00

Frozen: the tables and the day's conversion are spelled out here, not taken from live code. The
API sometimes sends a meeting's `date` as a bare day (`2025-06-24`), which earlier versions stored
as midnight UTC: the evening before in Washington, at a time nobody gave. `start_date_only` marks
such a start, and `start_at` becomes the day's midnight in Eastern Time. A meeting's content hash
is its payload's, which this does not change, so the next update would leave those rows as they
are: the day comes from the archived version the row was made from.
"""

from __future__ import annotations

import json
import re
import zlib
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_hearings = sa.table(
    "hearings",
    sa.column("event_id", sa.String),
    sa.column("start_at", sa.DateTime),
    sa.column("start_date_only", sa.Boolean),
    sa.column("content_hash", sa.String),
)
_archive = sa.table(
    "payload_archive",
    sa.column("entity", sa.String),
    sa.column("identifier", sa.String),
    sa.column("content_hash", sa.String),
    sa.column("payload", sa.LargeBinary),
)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_EASTERN = ZoneInfo("America/New_York")


def upgrade() -> None:
    op.add_column(
        "hearings",
        sa.Column("start_date_only", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    bind = op.get_bind()
    days = []
    for event_id, payload in bind.execute(
        sa.select(_hearings.c.event_id, _archive.c.payload)
        .join(
            _archive,
            sa.and_(
                _archive.c.entity == "meeting",
                _archive.c.identifier == _hearings.c.event_id,
                _archive.c.content_hash == _hearings.c.content_hash,
            ),
        )
        .where(_hearings.c.start_at.is_not(None))
    ):
        try:
            day = _day(json.loads(zlib.decompress(payload).decode("utf-8")))
        except (zlib.error, UnicodeDecodeError, ValueError):
            continue  # a damaged archive row leaves that meeting's start as it was
        if day is not None:
            midnight = datetime.combine(day, time.min, tzinfo=_EASTERN).astimezone(UTC)
            days.append({"b_id": event_id, "start_at": midnight.replace(tzinfo=None)})
    if days:
        bind.execute(
            sa.update(_hearings)
            .where(_hearings.c.event_id == sa.bindparam("b_id"))
            .values(start_at=sa.bindparam("start_at"), start_date_only=sa.true()),
            days,
        )


def downgrade() -> None:
    # 0008 has no column for it; the start stays the day's midnight Eastern. A plain DROP COLUMN
    # (SQLite 3.35+): batch mode would copy `hearings` and drop the old table, and the drop would
    # cascade to every meeting's witnesses, documents and committees.
    op.drop_column("hearings", "start_date_only")


def _day(payload: Any) -> date | None:
    """The meeting's `date` when it is a bare day, else None."""
    record = payload.get("committeeMeeting", payload) if isinstance(payload, dict) else None
    value = record.get("date") if isinstance(record, dict) else None
    if isinstance(value, str) and _DAY.fullmatch(value.strip()):
        return date.fromisoformat(value.strip())
    return None
