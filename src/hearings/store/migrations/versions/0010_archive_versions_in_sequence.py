"""archive versions in the order they were current

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 10:00:00

Frozen: the SQL is spelled out here, not taken from live code. The archive kept one row per
distinct content, so a record that went back to an earlier content (postponed, then back on as
first scheduled) only marked that old row seen again: its newest row was no longer its current
version, so `hearings history` never said it, the calendar's SEQUENCE did not rise, and
`hearings rebuild` re-derived the meeting from the content it had left. From now on such a
return is a row of its own, which needs the key on (entity, identifier, content_hash) to go.

A meeting that returned before this revision is given that row now: a copy of its current
content, first seen when the stored meeting last changed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Meetings whose stored content is an archived version other than their newest one.
_RETURNED = """
INSERT INTO payload_archive (entity, identifier, content_hash, payload, update_date, locator,
                             first_seen_at, last_seen_at, run_id)
SELECT a.entity, a.identifier, a.content_hash, a.payload, a.update_date, a.locator,
       h.last_changed_at, h.last_changed_at, NULL
FROM payload_archive a
JOIN hearings h ON h.event_id = a.identifier AND h.content_hash = a.content_hash
WHERE a.entity = 'meeting'
  AND h.content_hash <> (
      SELECT n.content_hash FROM payload_archive n
      WHERE n.version_id = (
          SELECT max(m.version_id) FROM payload_archive m
          WHERE m.entity = 'meeting' AND m.identifier = a.identifier
      )
  )
"""


def upgrade() -> None:
    with op.batch_alter_table("payload_archive", schema=None) as batch_op:
        batch_op.drop_constraint("uq_payload_archive_version", type_="unique")
        batch_op.create_index(
            "ix_payload_archive_content", ["entity", "identifier", "content_hash"], unique=False
        )
    op.get_bind().execute(sa.text(_RETURNED))


def downgrade() -> None:
    # Keep the oldest row of each content, as the key did.
    op.get_bind().execute(
        sa.text(
            "DELETE FROM payload_archive WHERE version_id NOT IN (SELECT min(version_id) FROM "
            "payload_archive GROUP BY entity, identifier, content_hash)"
        )
    )
    with op.batch_alter_table("payload_archive", schema=None) as batch_op:
        batch_op.drop_index("ix_payload_archive_content")
        batch_op.create_unique_constraint(
            "uq_payload_archive_version", ["entity", "identifier", "content_hash"]
        )
