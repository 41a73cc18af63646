"""Checkpoints: before a batch touches anything, a row in `batch_checkpoints` records the meetings
it will change and their before-images, in its own short transaction. The batch marks it
committed in its own transaction; the next run closes a crashed run's pending ones."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, insert, select, update

from hearings.store import schema
from hearings.store.engine import writing
from hearings.sync.failpoints import failpoint

if TYPE_CHECKING:
    from hearings.sync.batches import Change


def snapshot_meetings(connection: Connection, event_ids: Sequence[str]) -> dict[str, Any]:
    """Before-images of the meetings a batch will change (absent ones are new: no image)."""
    if not event_ids:
        return {}
    hearings = schema.hearings
    images: dict[str, Any] = {}
    for row in connection.execute(select(hearings).where(hearings.c.event_id.in_(event_ids))):
        images[row.event_id] = {
            "hearing": {k: _jsonable(v) for k, v in row._mapping.items()},
            "committees": [],
            "witnesses": [],
        }
    if not images:
        return {}
    for row in connection.execute(
        select(schema.hearing_committees.c.event_id, schema.hearing_committees.c.system_code)
        .where(schema.hearing_committees.c.event_id.in_(list(images)))
        .order_by(schema.hearing_committees.c.event_id, schema.hearing_committees.c.ordinal)
    ):
        images[row.event_id]["committees"].append(row.system_code)
    appearances = schema.witness_appearances
    for row in connection.execute(
        select(
            appearances.c.event_id,
            appearances.c.name_as_given,
            appearances.c.organization,
            appearances.c.position,
        )
        .where(appearances.c.event_id.in_(list(images)))
        .order_by(appearances.c.event_id, appearances.c.ordinal)
    ):
        images[row.event_id]["witnesses"].append(
            {"name": row.name_as_given, "organization": row.organization, "position": row.position}
        )
    return images


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


# Where a batch runs its transactions: an engine (a connection each), or a connection held for
# the run (one transaction after another on it).
Database = Engine | Connection


@contextmanager
def transaction(database: Database) -> Iterator[Connection]:
    """A transaction that commits when the block ends and rolls back when it raises."""
    if isinstance(database, Connection):
        with database.begin():
            yield database
    else:
        with writing(database).begin() as connection:
            yield connection


def create_checkpoint(
    database: Database,
    *,
    run_id: int,
    batch_number: int,
    changes: Sequence[Change],
    now: datetime,
) -> int:
    """Record what the batch will touch, before touching it, in its own short transaction."""
    with transaction(database) as connection:
        images = snapshot_meetings(connection, [c.event_id for c in changes])
        result = connection.execute(
            insert(schema.batch_checkpoints).values(
                run_id=run_id,
                batch_number=batch_number,
                event_ids=[c.event_id for c in changes],
                before_images=images,
                status="pending",
                created_at=now,
            )
        )
    failpoint("checkpoint_created")
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def finish_checkpoint(
    connection: Connection, checkpoint_id: int, status: str, now: datetime, error: str | None = None
) -> None:
    connection.execute(
        update(schema.batch_checkpoints)
        .where(schema.batch_checkpoints.c.checkpoint_id == checkpoint_id)
        .values(status=status, error=error, finished_at=now)
    )


def checkpoint_in_transaction(
    connection: Connection,
    *,
    run_id: int,
    batch_number: int,
    changes: Sequence[Change],
    now: datetime,
) -> None:
    """A batch's checkpoint written in the transaction that applies it (single-transaction mode,
    a commit unit): it commits with the batch, or neither exists."""
    connection.execute(
        insert(schema.batch_checkpoints).values(
            run_id=run_id,
            batch_number=batch_number,
            event_ids=[c.event_id for c in changes],
            before_images=snapshot_meetings(connection, [c.event_id for c in changes]),
            status="committed",
            created_at=now,
            finished_at=now,
        )
    )
    failpoint("checkpoint_created")
