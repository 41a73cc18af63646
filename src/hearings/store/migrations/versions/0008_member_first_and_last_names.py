"""members' first and last names from the member list's inverted name

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:00:00

Frozen: the tables and the name split are spelled out here, not taken from live code. Member
lists send no `firstName`/`lastName`, only `name` inverted ("Bishop, Sanford D., Jr."), so every
member stored before this revision has neither. A member's content hash is its payload's, which
this does not change, so the next update would leave those rows as they are: their names come
here from the archived version the row was made from. Rows with a first or last name keep them.
"""

from __future__ import annotations

import json
import re
import zlib
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_members = sa.table(
    "members",
    sa.column("bioguide_id", sa.String),
    sa.column("first_name", sa.Text),
    sa.column("last_name", sa.Text),
    sa.column("content_hash", sa.String),
)
_archive = sa.table(
    "payload_archive",
    sa.column("entity", sa.String),
    sa.column("identifier", sa.String),
    sa.column("content_hash", sa.String),
    sa.column("payload", sa.LargeBinary),
)
_NICKNAME = re.compile(r'"[^"]*"|“[^”]*”|\([^)]*\)')


def upgrade() -> None:
    bind = op.get_bind()
    named = []
    for bioguide_id, payload in bind.execute(
        sa.select(_members.c.bioguide_id, _archive.c.payload)
        .join(
            _archive,
            sa.and_(
                _archive.c.entity == "member",
                _archive.c.identifier == _members.c.bioguide_id,
                _archive.c.content_hash == _members.c.content_hash,
            ),
        )
        .where(_members.c.first_name.is_(None), _members.c.last_name.is_(None))
    ):
        try:
            first, last = _names(json.loads(zlib.decompress(payload).decode("utf-8")))
        except (zlib.error, UnicodeDecodeError, ValueError):
            continue  # a damaged archive row leaves that member's names empty, as before
        if first or last:
            named.append({"b_id": bioguide_id, "first_name": first, "last_name": last})
    if named:
        bind.execute(
            sa.update(_members)
            .where(_members.c.bioguide_id == sa.bindparam("b_id"))
            .values(first_name=sa.bindparam("first_name"), last_name=sa.bindparam("last_name")),
            named,
        )


def downgrade() -> None:
    # 0007 stored no names a member list did not send; the names derived here are kept.
    pass


def _names(payload: Any) -> tuple[str | None, str | None]:
    record = payload.get("member", payload) if isinstance(payload, dict) else None
    if not isinstance(record, dict):
        return None, None
    for key in ("invertedOrderName", "name"):
        name = record.get(key)
        if isinstance(name, str) and name.strip():
            last, comma, rest = name.partition(",")
            if not comma:
                return None, None
            given = _NICKNAME.sub(" ", rest.partition(",")[0]).split()
            return (given[0] if given else None), (" ".join(last.split()) or None)
    return None, None
