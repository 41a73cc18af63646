"""printed hearings by Congress and jacket number

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 15:10:00

Frozen: the tables are spelled out here, not taken from the live schema. GPO reuses jacket numbers
across Congresses, so a printed hearing is keyed by (congress, jacket_number), and a meeting's
transcript link names the Congress of the printed hearing it points to. Links stored before this
revision get their meeting's Congress (a link's url is not stored; the next fetch of the meeting,
or a rebuild, writes the one it names). The quarantine and the payload archive keep a printed
hearing under `{congress}/{jacket}` (`118/51692`) instead of its jacket number alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_printed = sa.table(
    "printed_hearings", sa.column("jacket_number", sa.Integer), sa.column("congress", sa.Integer)
)
_transcripts = sa.table(
    "hearing_transcripts",
    sa.column("event_id", sa.String),
    sa.column("jacket_number", sa.Integer),
    sa.column("congress", sa.Integer),
)
_hearings = sa.table(
    "hearings", sa.column("event_id", sa.String), sa.column("congress", sa.Integer)
)
# The tables that name a printed hearing by identifier, with their row keys.
_NAMING = (
    (
        sa.table(
            "import_errors",
            sa.column("error_id", sa.Integer),
            sa.column("entity", sa.String),
            sa.column("identifier", sa.String),
            sa.column("locator", sa.JSON),
        ),
        "error_id",
    ),
    (
        sa.table(
            "payload_archive",
            sa.column("version_id", sa.Integer),
            sa.column("entity", sa.String),
            sa.column("identifier", sa.String),
            sa.column("content_hash", sa.String),
            sa.column("locator", sa.JSON),
        ),
        "version_id",
    ),
)


def upgrade() -> None:
    bind = op.get_bind()
    # Identifiers first, while a jacket number still names at most one stored printed hearing.
    held = dict(bind.execute(sa.select(_printed.c.jacket_number, _printed.c.congress)).all())
    for table, key in _NAMING:
        renamed = []
        for row_key, identifier, locator in bind.execute(
            sa.select(table.c[key], table.c.identifier, table.c.locator).where(
                table.c.entity == "printed_hearing"
            )
        ):
            congress = _congress_of(locator)
            if congress is None and identifier.isdigit():
                congress = held.get(int(identifier))
            if congress is not None and "/" not in identifier:
                renamed.append({"b_key": row_key, "b_identifier": f"{congress}/{identifier}"})
        _rename(table, key, renamed)

    if bind.dialect.name == "postgresql":
        # 0001 made the lone integer key a serial column; a jacket number is never generated.
        op.execute("ALTER TABLE printed_hearings ALTER COLUMN jacket_number DROP DEFAULT")
        op.execute("DROP SEQUENCE IF EXISTS printed_hearings_jacket_number_seq")
    with op.batch_alter_table("printed_hearings") as batch_op:
        batch_op.drop_constraint("pk_printed_hearings", type_="primary")
        batch_op.create_primary_key("pk_printed_hearings", ["congress", "jacket_number"])

    with op.batch_alter_table("hearing_transcripts") as batch_op:
        batch_op.add_column(sa.Column("congress", sa.Integer(), nullable=True))
    meeting_congress = (
        sa.select(_hearings.c.congress)
        .where(_hearings.c.event_id == _transcripts.c.event_id)
        .scalar_subquery()
    )
    op.execute(sa.update(_transcripts).values(congress=meeting_congress))
    with op.batch_alter_table("hearing_transcripts") as batch_op:
        batch_op.alter_column("congress", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("pk_hearing_transcripts", type_="primary")
        batch_op.create_primary_key(
            "pk_hearing_transcripts", ["event_id", "congress", "jacket_number"]
        )


def downgrade() -> None:
    bind = op.get_bind()
    shared = (
        bind.execute(
            sa.select(_printed.c.jacket_number)
            .group_by(_printed.c.jacket_number)
            .having(sa.func.count() > 1)
            .order_by(_printed.c.jacket_number)
        )
        .scalars()
        .all()
    )
    linked_twice = bind.execute(
        sa.select(_transcripts.c.event_id)
        .group_by(_transcripts.c.event_id, _transcripts.c.jacket_number)
        .having(sa.func.count() > 1)
    ).first()
    renames = [(table, key, _bare_identifiers(table, key)) for table, key in _NAMING]
    if shared or linked_twice is not None or any(r is None for _, _, r in renames):
        first = f" (jacket number {shared[0]}, for one)" if shared else ""
        raise RuntimeError(
            "Printed hearings of more than one Congress share a jacket number" + first + ", and "
            "revision 0006 keys them by jacket number alone, so going back to it would lose one "
            "of each; the database was not changed."
        )
    for table, key, renamed in renames:
        _rename(table, key, renamed or [])

    with op.batch_alter_table("hearing_transcripts") as batch_op:
        batch_op.drop_constraint("pk_hearing_transcripts", type_="primary")
        batch_op.create_primary_key("pk_hearing_transcripts", ["event_id", "jacket_number"])
        batch_op.drop_column("congress")
    with op.batch_alter_table("printed_hearings") as batch_op:
        batch_op.drop_constraint("pk_printed_hearings", type_="primary")
        batch_op.create_primary_key("pk_printed_hearings", ["jacket_number"])


def _congress_of(locator: object) -> int | None:
    congress = locator.get("congress") if isinstance(locator, dict) else None
    if isinstance(congress, int) and not isinstance(congress, bool):
        return congress
    if isinstance(congress, str) and congress.isdigit():
        return int(congress)
    return None


def _bare_identifiers(table: sa.TableClause, key: str) -> list[dict[str, object]] | None:
    """The renames back to jacket numbers alone, or None when two rows would then clash (the
    archive keeps one row per identifier and content hash, the quarantine one per identifier)."""
    hashes = table.c.content_hash if "content_hash" in table.c else sa.null()
    rows = op.get_bind().execute(
        sa.select(table.c[key], table.c.identifier, hashes).where(
            table.c.entity == "printed_hearing"
        )
    )
    renamed = []
    taken: set[tuple[str, object]] = set()
    for row_key, identifier, content_hash in rows:
        bare = identifier.rpartition("/")[2]
        if (bare, content_hash) in taken:
            return None
        taken.add((bare, content_hash))
        if bare != identifier:
            renamed.append({"b_key": row_key, "b_identifier": bare})
    return renamed


def _rename(table: sa.TableClause, key: str, renamed: list[dict[str, object]]) -> None:
    if renamed:
        op.get_bind().execute(
            sa.update(table)
            .where(table.c[key] == sa.bindparam("b_key"))
            .values(identifier=sa.bindparam("b_identifier")),
            renamed,
        )
