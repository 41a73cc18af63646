"""Batches with validation checkpoints: checkpoint → validate → apply → validate → commit, and
bisection to isolate the records that make a batch fail."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from hearings.congress_api.models import Meeting
from hearings.errors import HearingsError
from hearings.store import schema
from hearings.store.meeting_writer import ApplyResult, apply_meetings
from hearings.store.records import MeetingRows
from hearings.store.search_index import index_meetings
from hearings.sync.checkpoints import Database, finish_checkpoint, transaction
from hearings.sync.failpoints import FailureInjector, failpoint

log = logging.getLogger(__name__)


@dataclass
class Change:
    """One fetched and parsed meeting, ready to validate and apply."""

    meeting: Meeting
    payload: dict[str, Any]
    rows: MeetingRows
    locator: dict[str, Any]
    from_quarantine: bool = False

    @property
    def event_id(self) -> str:
        return self.meeting.event_id


@dataclass
class Rejection:
    change: Change
    stage: str
    reason: str


class ValidationFailed(HearingsError):
    """After applying, the database does not hold exactly what the payloads say."""


class SimulatedFailure(RuntimeError):
    """Raised by the apply step for records chosen by `--simulate-failures`."""


# ---- validation before applying ------------------------------------------------------------


def validate_before_apply(changes: Sequence[Change]) -> tuple[list[Change], list[Rejection]]:
    """The batch's own check before it is applied: each meeting once. (Each record was checked
    alone at the gate.)"""
    valid: list[Change] = []
    rejected: list[Rejection] = []
    seen: set[str] = set()
    for change in changes:
        if change.event_id in seen:
            rejected.append(
                Rejection(change, "validate", f"duplicate eventId {change.event_id} in the batch")
            )
            continue
        seen.add(change.event_id)
        valid.append(change)
    return valid, rejected


# ---- validation after applying, inside the transaction -------------------------------------

_CHILD_COUNTS: tuple[tuple[str, Any], ...] = (
    ("committees", schema.hearing_committees),
    ("appearances", schema.witness_appearances),
    ("witness_documents", schema.witness_documents),
    ("meeting_documents", schema.meeting_documents),
    ("videos", schema.videos),
    ("hearing_bills", schema.hearing_bills),
    ("transcripts", schema.hearing_transcripts),
)


def validate_after_apply(connection: Connection, written: Sequence[MeetingRows]) -> None:
    """Raise when the database does not hold exactly what the payloads say."""
    if not written:
        return
    ids = [rows.event_id for rows in written]
    # One query for the whole batch: each meeting with its child-row counts and orphaned
    # appearances, as correlated counts over the tables' event_id indexes.
    hearings = schema.hearings
    counts = [
        select(func.count())
        .select_from(table)
        .where(table.c.event_id == hearings.c.event_id)
        .scalar_subquery()
        .label(attribute)
        for attribute, table in _CHILD_COUNTS
    ]
    appearances = schema.witness_appearances
    orphaned = (
        select(func.count())
        .select_from(appearances.outerjoin(schema.witnesses))
        .where(
            appearances.c.event_id == hearings.c.event_id,
            schema.witnesses.c.witness_id.is_(None),
        )
        .scalar_subquery()
        .label("orphans")
    )
    stored = {
        row.event_id: row._mapping
        for row in connection.execute(
            select(hearings.c.event_id, *counts, orphaned).where(hearings.c.event_id.in_(ids))
        )
    }
    missing = set(ids) - set(stored)
    if missing:
        raise ValidationFailed(f"meetings missing after apply: {sorted(missing)}")
    for attribute, _table in _CHILD_COUNTS:
        for rows in written:
            expected = len(getattr(rows, attribute))
            found = stored[rows.event_id][attribute]
            if found != expected:
                raise ValidationFailed(
                    f"meeting {rows.event_id}: {attribute} has {found} "
                    f"rows, the payload has {expected}"
                )
    orphans = sum(stored[event_id]["orphans"] for event_id in set(ids))
    if orphans:
        raise ValidationFailed(f"{orphans} witness appearances refer to no witness")


# ---- applying ------------------------------------------------------------------------------


@dataclass
class BatchOutcome:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    witnesses_added: int = 0
    committed: list[Change] = field(default_factory=list)
    failed: list[Rejection] = field(default_factory=list)
    first_error: str | None = None

    def absorb(self, result: ApplyResult, changes: Sequence[Change]) -> None:
        self.added += result.added
        self.updated += result.updated
        self.unchanged += result.unchanged
        self.witnesses_added += result.witnesses_added
        self.committed += list(changes)


# Called inside the batch's transaction after a successful apply: advances the high-water mark
# and resolves quarantine items, so state commits with the data it describes.
AfterApply = Callable[[Connection, Sequence[Change]], None]


def apply_changes(
    connection: Connection,
    changes: Sequence[Change],
    *,
    injector: FailureInjector,
    now: datetime,
) -> ApplyResult:
    """The apply step: write, then raise for injected failures, then validate — all before the
    caller commits, so every failure rolls back the whole attempt."""
    result = apply_meetings(connection, [c.rows for c in changes], now.replace(tzinfo=None))
    written_ids = set(result.added) | set(result.updated)
    written = [c.rows for c in changes if c.event_id in written_ids]
    # The search index commits or rolls back with the meetings it describes.
    index_meetings(connection, written)
    for change in changes:
        if injector.should_fail(change.event_id):
            raise SimulatedFailure(f"simulated failure applying meeting {change.event_id}")
    validate_after_apply(connection, written)
    return result


def apply_batch_isolated(
    database: Database,
    changes: Sequence[Change],
    *,
    injector: FailureInjector,
    now: datetime,
    after_apply: AfterApply,
    checkpoint_id: int | None,
) -> BatchOutcome:
    """Apply a batch in one transaction; when it fails, roll it back and bisect to commit every
    good record and isolate the bad ones."""
    outcome = BatchOutcome()
    _apply_or_bisect(database, list(changes), injector, now, after_apply, outcome, checkpoint_id)
    return outcome


def _apply_or_bisect(
    database: Database,
    changes: list[Change],
    injector: FailureInjector,
    now: datetime,
    after_apply: AfterApply,
    outcome: BatchOutcome,
    checkpoint_id: int | None,
) -> None:
    if not changes:
        return
    try:
        with transaction(database) as connection:
            result = apply_changes(connection, changes, injector=injector, now=now)
            failpoint("batch_applied")
            after_apply(connection, changes)
            if checkpoint_id is not None:
                # Only the first, whole-batch attempt can mark the checkpoint committed with the
                # data; a bisected batch is marked by the caller when it is done.
                finish_checkpoint(connection, checkpoint_id, "committed", now.replace(tzinfo=None))
            failpoint("batch_before_commit")
        failpoint("batch_committed")
        outcome.absorb(result, changes)
    except Exception as exc:  # any failure of this attempt: it is rolled back already
        reason = str(exc) if isinstance(exc, SimulatedFailure) else _one_line(exc)
        if outcome.first_error is None:
            outcome.first_error = reason
        if len(changes) == 1:
            log.warning("meeting %s failed to apply: %s", changes[0].event_id, reason)
            outcome.failed.append(Rejection(changes[0], "apply", reason))
            return
        middle = len(changes) // 2
        log.info("batch of %d failed (%s); bisecting", len(changes), reason)
        _apply_or_bisect(database, changes[:middle], injector, now, after_apply, outcome, None)
        _apply_or_bisect(database, changes[middle:], injector, now, after_apply, outcome, None)


def _one_line(exc: BaseException) -> str:
    """A failure to apply as a quarantine reason: one line. A database error's text goes on
    with its SQL statement and parameters, the payload's own values."""
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    return text if len(text) <= 300 else text[:299] + "…"
